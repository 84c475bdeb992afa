// Prune and `docker system df` across the cluster with the real CLI (and the API's JSON for the sums): each prune
// runs on every node and answers once, deleted lists joined (networks and volumes named `<node>/<name>`) and
// SpaceReclaimed summed; df reports every node's usage. The engines are shared with other suites, so every prune
// here is narrowed by a label only this run's objects carry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { needEngines, ENGINES } from '../helpers/services.js';
import {
  startTestManager,
  removeContainersNamed,
  uniquePrefix,
  eventually,
  type TestManager,
} from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { request } from '../helpers/http.js';
import { buildContext, removeImagesLabelled } from '../helpers/build-context.js';

const P = uniquePrefix('prune');
const LABEL = `mst.suite=${P}`;
const filter = (extra: Record<string, string[]> = {}) =>
  encodeURIComponent(JSON.stringify({ label: [LABEL], ...extra }));
let m: TestManager | undefined;
let nodes: string[] = [];
let context = '';

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
  context = await buildContext({ Dockerfile: `FROM busybox\nRUN head -c 65536 /dev/zero > /filler\n` });
});
after(async () => {
  await m?.close();
  await removeContainersNamed(P);
  await removeImagesLabelled(LABEL);
  for (const engine of ENGINES) {
    const direct = dockerCli(engine);
    for (const kind of ['network', 'volume']) {
      const names = (await direct([kind, 'ls', '-q', '--filter', `label=${LABEL}`])).stdout.split('\n').filter(Boolean);
      if (names.length) await direct([kind, 'rm', ...names]);
    }
  }
  if (context) await rm(context, { recursive: true, force: true });
});

const direct = (i: number) => dockerCli(ENGINES[i]!);

test('container prune removes the stopped containers of every node, keeps running ones, and sums the space', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  const stopped: string[] = [];
  for (const node of [n1, n2]) {
    // 100 KiB in each writable layer, so the sum shows both nodes' share.
    stopped.push(
      await m.docker.ok([
        'run',
        '-d',
        '--name',
        `${P}done-${node}`,
        '-l',
        LABEL,
        '-e',
        `constraint:node==${node}`,
        'busybox',
        'sh',
        '-c',
        'head -c 102400 /dev/zero > /filler',
      ]),
    );
  }
  const running = await m.docker.ok(['run', '-d', '--name', `${P}up`, '-l', LABEL, 'busybox', 'sleep', '300']);
  const other = await m.docker.ok(['run', '-d', '--name', `${P}other`, 'busybox', 'true']);
  for (const id of stopped) await m.docker.ok(['wait', id]);
  await m.docker.ok(['wait', other]);

  const answer = await request(m.host, 'POST', `/v1.41/containers/prune?filters=${filter()}`);
  assert.equal(answer.status, 200, answer.text);
  const report = answer.json as { ContainersDeleted: string[]; SpaceReclaimed: number };
  assert.deepEqual([...report.ContainersDeleted].sort(), [...stopped].sort());
  assert.ok(report.SpaceReclaimed >= 2 * 102400, `SpaceReclaimed ${report.SpaceReclaimed} counts both nodes`);
  const left = (await m.docker.ok(['ps', '-aq', '--no-trunc', '--filter', `name=${P}`])).split('\n').sort();
  assert.deepEqual(left, [running, other].sort(), 'the running one and the unlabelled one stay');

  // The CLI's own command, with a filter that matches nothing more.
  const cli = await m.docker.ok(['container', 'prune', '-f', '--filter', `label=${LABEL}`]);
  assert.match(cli, /Total reclaimed space: 0B/);
  const bad = await m.docker(['container', 'prune', '-f', '--filter', 'bogus=1']);
  assert.match(bad.stderr, /Invalid filter 'bogus'/);
});

test('image, network and volume prune act on every node and answer once, named by node', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  // An untagged build on each node: dangling images carrying the label.
  const built: string[] = [];
  for (const node of [n1, n2]) {
    const id = await m.docker.ok(['build', '-q', '--label', LABEL, '--build-arg', `constraint:node==${node}`, context]);
    built.push(id.trim());
  }
  const images = await request(m.host, 'POST', `/v1.41/images/prune?filters=${filter()}`);
  assert.equal(images.status, 200, images.text);
  const imageReport = images.json as { ImagesDeleted: { Deleted?: string }[]; SpaceReclaimed: number };
  const deleted = imageReport.ImagesDeleted.map((d) => d.Deleted).filter(Boolean);
  for (const id of built) assert.ok(deleted.includes(id), `${id} deleted: ${images.text}`);
  assert.ok(imageReport.SpaceReclaimed >= 2 * 65536, `SpaceReclaimed ${imageReport.SpaceReclaimed}`);
  for (const [i, id] of built.entries()) assert.notEqual((await direct(i)(['image', 'inspect', id])).code, 0);

  for (const node of [n1, n2]) await m.docker.ok(['network', 'create', '--label', LABEL, `${node}/${P}net`]);
  const networks = await m.docker.ok(['network', 'prune', '-f', '--filter', `label=${LABEL}`]);
  assert.match(networks, new RegExp(`Deleted Networks:\\n(${n1}|${n2})/${P}net\\n(${n1}|${n2})/${P}net`));
  for (const i of [0, 1])
    assert.equal((await direct(i)(['network', 'ls', '-q', '--filter', `name=${P}net`])).stdout, '');

  await m.docker.ok(['volume', 'create', '--label', LABEL, `${P}vol`]);
  const volumes = await request(m.host, 'POST', `/v1.41/volumes/prune?filters=${filter()}`);
  const volumeReport = volumes.json as { VolumesDeleted: string[]; SpaceReclaimed: number };
  assert.deepEqual([...volumeReport.VolumesDeleted].sort(), [`${n1}/${P}vol`, `${n2}/${P}vol`].sort());
  assert.equal(typeof volumeReport.SpaceReclaimed, 'number');
});

test('system df adds up every node: layers, images, containers named by node, volumes per node', async (t) => {
  if (!m) return t.skip('no engines');
  const [, n2] = nodes as [string, string];
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    `${P}df`,
    '-l',
    LABEL,
    '-e',
    `constraint:node==${n2}`,
    'busybox',
    'sleep',
    '300',
  ]);
  await m.docker.ok(['volume', 'create', '--label', LABEL, `${n2}/${P}dfvol`]);
  type Df = {
    LayersSize: number;
    Images: { Id: string }[];
    Containers: { Id: string; Names: string[] }[];
    Volumes: { Name: string }[];
  };
  const read = async (host: string) =>
    (await request(host, 'GET', '/v1.41/system/df', { timeoutMs: 60_000 })).json as Df;
  // Other suites change the engines' disks while we read: the sum is checked on reads nothing came between.
  const { df, engines } = await eventually(async () => {
    // One after another: a daemon answers a second df while one runs with a 500 (the manager waits it out).
    const ours = await read(m!.host);
    const [one, two] = [await read(ENGINES[0]!), await read(ENGINES[1]!)];
    return ours!.LayersSize === one!.LayersSize + two!.LayersSize ? { df: ours!, engines: [one!, two!] } : undefined;
  }, 20_000);
  const ids = new Set(engines.flatMap((e) => e.Images.map((i) => i.Id)));
  for (const image of df.Images) assert.ok(ids.has(image.Id));
  assert.equal(new Set(df.Images.map((i) => i.Id)).size, df.Images.length, 'an image on both nodes is listed once');
  const mine = df.Containers.find((c) => c.Names.includes(`/${n2}/${P}df`));
  assert.ok(mine, `the container is listed as /${n2}/${P}df`);
  assert.ok(df.Volumes.some((v) => v.Name === `${n2}/${P}dfvol`));
  // Two clients at once: a daemon walks its disk once at a time, and neither client sees its "already running".
  const both = await Promise.all([1, 2].map(() => request(m!.host, 'GET', '/v1.41/system/df', { timeoutMs: 60_000 })));
  assert.deepEqual(
    both.map((r) => r.status),
    [200, 200],
    both.map((r) => r.text).join(' | '),
  );
  const cli = await m.docker.ok(['system', 'df']);
  assert.match(cli, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+\d+/);
});
