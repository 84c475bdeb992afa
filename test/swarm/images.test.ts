// Images through the manager: one list grouped by image ID across nodes (tags merged), the `node` filter, tag and
// rmi on every node holding the image, inspect and history from a holder, save and load (load on every node), and a
// pull that no registry can serve: a clean error with the daemon's message, never a hang.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needEngines, ENGINES } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';

const prefix = uniquePrefix('images');
/** A repository name of our own, so tags never collide with other suites. */
const repo = `${prefix}repo`.toLowerCase();
let m: TestManager | undefined;
let nodes: string[] = [];
let work = '';

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
  work = await mkdtemp(join(tmpdir(), 'mst-images-'));
});
after(async () => {
  await m?.close();
  for (const engine of ENGINES) {
    const direct = dockerCli(engine);
    const tags = (await direct(['images', '--format', '{{.Repository}}:{{.Tag}}', repo])).stdout
      .split('\n')
      .filter(Boolean);
    if (tags.length) await direct(['rmi', ...tags]);
  }
  await removeContainersNamed(prefix);
  if (work) await rm(work, { recursive: true, force: true });
});

const lines = (text: string) => text.split('\n').filter(Boolean);
const direct = (i: number) => dockerCli(ENGINES[i]!);

test('images lists an image held by both nodes once, and --filter node= lists one node', async (t) => {
  if (!m) return t.skip('no engines');
  const ids = await Promise.all(ENGINES.map((_, i) => direct(i).ok(['images', '-q', '--no-trunc', 'busybox:latest'])));
  assert.equal(ids[0], ids[1], 'the test setup loads the same busybox on both engines');
  const listed = lines(
    await m.docker.ok(['images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}', 'busybox']),
  );
  assert.deepEqual(listed, [`${ids[0]} busybox:latest`]);

  // A tag on node-2 only: the image is still one entry, with both tags; each node's list has its own tags only.
  await direct(1).ok(['tag', 'busybox:latest', `${repo}:n2`]);
  const both = lines(
    await m.docker.ok(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${repo}`]),
  );
  assert.deepEqual(both, [`${repo}:n2`]);
  const json = JSON.parse(
    (await m.docker.ok(['image', 'inspect', '--format', '{{json .RepoTags}}', `${repo}:n2`])) || '[]',
  ) as string[];
  assert.ok(json.includes(`${repo}:n2`));
  const onNode = async (node: string) =>
    lines(await m!.docker.ok(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `node=${node}`]));
  assert.ok((await onNode(nodes[1]!)).includes(`${repo}:n2`));
  assert.ok(!(await onNode(nodes[0]!)).includes(`${repo}:n2`));
  assert.ok((await onNode(nodes[0]!)).includes('busybox:latest'));
  assert.deepEqual(await onNode('no-such-node'), []);
  // Image IDs are counted once in docker info as well.
  const images = Number(await m.docker.ok(['info', '--format', '{{.Images}}']));
  const distinct = new Set(
    (await Promise.all(ENGINES.map((_, i) => direct(i).ok(['images', '-q', '--no-trunc'])))).flatMap(lines),
  );
  assert.equal(images, distinct.size);
});

test('tag and rmi act on every node that holds the image', async (t) => {
  if (!m) return t.skip('no engines');
  await m.docker.ok(['tag', 'busybox', `${repo}:both`]);
  for (const i of ENGINES.keys())
    assert.notEqual(await direct(i).ok(['images', '-q', `${repo}:both`]), '', `engine ${i}`);
  const removed = await m.docker.ok(['rmi', `${repo}:both`]);
  assert.match(removed, new RegExp(`Untagged: ${repo}:both`));
  for (const i of ENGINES.keys()) assert.equal(await direct(i).ok(['images', '-q', `${repo}:both`]), '', `engine ${i}`);
  const missing = await m.docker(['rmi', `${repo}:both`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image/);
  const untaggable = await m.docker(['tag', `${repo}:nothing`, `${repo}:x`]);
  assert.notEqual(untaggable.code, 0);
  assert.match(untaggable.stderr, /No such image/);
});

test('image inspect and history answer from a node holding the image; a missing one is a 404', async (t) => {
  if (!m) return t.skip('no engines');
  const id = await direct(0).ok(['images', '-q', '--no-trunc', 'busybox:latest']);
  assert.equal(await m.docker.ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox']), id);
  assert.equal(
    await m.docker.ok(['image', 'inspect', '--format', '{{.Id}}', id.replace('sha256:', '').slice(0, 12)]),
    id,
  );
  assert.match(lines(await m.docker.ok(['history', 'busybox']))[0]!, /^IMAGE\s+CREATED/);
  const missing = await m.docker(['image', 'inspect', `${repo}:missing`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image/);
});

test('save writes the image; load loads it on every node', async (t) => {
  if (!m) return t.skip('no engines');
  const file = join(work, 'busybox.tar');
  await m.docker.ok(['save', '-o', file, 'busybox:latest']);
  assert.ok((await stat(file)).size > 100_000);
  const loaded = lines(await m.docker.ok(['load', '-i', file]));
  assert.deepEqual([...loaded].sort(), nodes.map((n) => `${n}: Loaded image: busybox:latest`).sort());
});

test('pull of an image no registry has fails cleanly with the daemon message', async (t) => {
  if (!m) return t.skip('no engines');
  const image = `${repo}/nosuch:1`;
  const started = Date.now();
  const pull = await m.docker(['pull', image], { timeoutMs: 60_000 });
  assert.notEqual(pull.code, 0);
  assert.match(pull.stderr, /Error response from daemon: .+/);
  // The engines' own explanation reaches the client (no registry is reachable from here, or it has no such repo).
  assert.match(pull.stderr, /registry|lookup|dial|denied|not found|no such host|manifest/i);
  assert.ok(Date.now() - started < 45_000);

  const run = await m.docker(['run', '--rm', '--name', `${prefix}pullrun`, image, 'true'], { timeoutMs: 60_000 });
  assert.equal(run.code, 125);
  assert.match(run.stderr, new RegExp(`Unable to find image '${image.replace(/[/.]/g, '\\$&')}' locally`));
  assert.match(run.stderr, /Error response from daemon/);
  assert.equal(await m.docker.ok(['ps', '-aq', '--filter', `name=${prefix}pullrun`]), '', 'nothing was created');
  assert.equal((await m.docker(['version'])).code, 0, 'the manager still answers');
});

test('commit makes an image on one node; containers of it are placed on that node', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    `${prefix}src`,
    '-e',
    `constraint:node==${n2}`,
    'busybox',
    'sh',
    '-c',
    'echo marker > /marker; sleep 60',
  ]);
  await m.docker.ok(['exec', `${prefix}src`, 'test', '-f', '/marker']);
  const image = await m.docker.ok(['commit', `${prefix}src`, `${repo}:only2`]);
  assert.match(image, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(await direct(1).ok(['images', '-q', `${repo}:only2`]), '');
  assert.equal(await direct(0).ok(['images', '-q', `${repo}:only2`]), '');
  const listed = lines(await m.docker.ok(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `node=${n2}`]));
  assert.ok(listed.includes(`${repo}:only2`));

  // Spread alone would put some of these on node-1; the image is only on node-2, so they all go there.
  for (let i = 0; i < 3; i++) {
    await m.docker.ok(['run', '-d', '--name', `${prefix}of${i}`, `${repo}:only2`, 'sleep', '30']);
    assert.equal(await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', `${prefix}of${i}`]), n2);
  }
  assert.equal(await m.docker.ok(['exec', `${prefix}of0`, 'cat', '/marker']), 'marker');
  // Pinned to the node without it, the image must be pulled there, which no registry can do here.
  const pinned = await m.docker(
    ['run', '-d', '--name', `${prefix}pinned`, '-e', `constraint:node==${n1}`, `${repo}:only2`, 'true'],
    { timeoutMs: 60_000 },
  );
  assert.equal(pinned.code, 125);
  assert.match(pinned.stderr, /Error response from daemon/);
  await m.docker.ok(['rm', '-f', `${prefix}src`, `${prefix}of0`, `${prefix}of1`, `${prefix}of2`]);
});
