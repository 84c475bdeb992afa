// docker build through the manager over the two engines, as classic Swarm built: on one node the scheduler picks
// (constraints and affinities passed as build args, which the engine never sees), the output streamed and led by
// the node's name, the image then on that node only, and containers of it placed there. The context comes from a
// directory, from stdin, or from a URL the engine fetches itself; -t, --build-arg, --label, -f, --target and
// --no-cache reach the engine. docker-compose 1.29 builds (`build:`, `docker-compose build`, `up --build`).
// Offline: every Dockerfile starts FROM the busybox both engines hold.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { needEngines, ENGINES } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { request } from '../helpers/http.js';
import {
  buildContext,
  composeBuildAndUp,
  holders,
  removeImagesLabelled,
  serveContext,
  tarOf,
} from '../helpers/build-context.js';

const P = uniquePrefix('build');
/** On every image this suite builds, for the clean-up. */
const SUITE = `mst.suite=${P}`;
let m: TestManager | undefined;
let nodes: string[] = [];
let context = '';

const DOCKERFILE = `FROM busybox
ARG greeting=unset
RUN echo "built with $greeting" > /greeting
COPY hello.txt /hello.txt
CMD ["cat", "/greeting", "/hello.txt"]
`;

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
  context = await buildContext({
    Dockerfile: DOCKERFILE,
    'hello.txt': 'hello from the context\n',
    'Other.Dockerfile': 'FROM busybox\nRUN echo other > /which\n',
    'Stages.Dockerfile': 'FROM busybox AS base\nRUN echo base > /stage\nFROM base AS final\nRUN echo final > /stage\n',
  });
});
after(async () => {
  await m?.close();
  await removeContainersNamed(P);
  await removeImagesLabelled(SUITE);
  if (context) await rm(context, { recursive: true, force: true });
});

const direct = (i: number) => dockerCli(ENGINES[i]!);

async function build(args: string[], input?: Buffer) {
  const result = await m!.docker(['build', '--label', SUITE, ...args], { timeoutMs: 120_000, input });
  assert.equal(result.code, 0, `docker build ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result.stdout;
}

test('docker build -t with RUN and COPY runs on the node a constraint build arg names, and only there', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  for (const [i, node] of [
    [1, n2],
    [0, n1],
  ] as const) {
    const tag = `${P}on${i}`;
    const out = await build(['-t', tag, '--build-arg', `constraint:node==${node}`, context]);
    assert.match(out, new RegExp(`^Building on ${node} \\(`, 'm'), 'the output names the node first');
    assert.match(out, /Step 1\/\d+ : FROM busybox/);
    assert.match(out, /Step 3\/\d+ : RUN echo "built with \$greeting" > \/greeting/);
    assert.match(out, new RegExp(`Successfully tagged ${tag}:latest`));
    // The scheduling argument is the manager's: the engine never saw it (it would warn it was not consumed).
    assert.doesNotMatch(out, /not consumed/);
    assert.deepEqual(await holders(tag), i === 0 ? [true, false] : [false, true], `${tag} on ${node} only`);
    // Listed at once, on that node (the engine's images were read again before the build answered).
    assert.equal(
      await m.docker.ok(['images', '-q', '--filter', `node=${node}`, tag]),
      (await direct(i)(['images', '-q', tag])).stdout.trim(),
    );
  }
  // A container of the image goes where the image is, and shows what the build put in it.
  const ran = await m.docker.ok(['run', '--name', `${P}run`, `${P}on1`]);
  assert.equal(ran, 'built with unset\nhello from the context');
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', `${P}run`]), n2);
});

test('an affinity build arg places the build next to an image; a constraint no node meets is refused', async (t) => {
  if (!m) return t.skip('no engines');
  const [, n2] = nodes as [string, string];
  const anchor = `${P}anchor`;
  await build([
    '-t',
    anchor,
    '--build-arg',
    `constraint:node==${n2}`,
    '-f',
    join(context, 'Other.Dockerfile'),
    context,
  ]);
  const out = await build(['-t', `${P}next`, '--build-arg', `affinity:image==${anchor}`, context]);
  assert.match(out, new RegExp(`^Building on ${n2} `, 'm'));

  const nowhere = await m.docker([
    'build',
    '--label',
    SUITE,
    '-t',
    `${P}nowhere`,
    '--build-arg',
    'constraint:node==no-such-node',
    context,
  ]);
  assert.notEqual(nowhere.code, 0);
  assert.match(nowhere.stderr, /Unable to find a node that satisfies the following conditions/);
  assert.match(nowhere.stderr, /node==no-such-node/);
  assert.deepEqual(await holders(`${P}nowhere`), [false, false]);
  // A malformed expression is the client's mistake, refused before any engine is asked.
  const bad = await m.docker(['build', '--label', SUITE, '-t', `${P}bad`, '--build-arg', 'constraint:node==', context]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Error response from daemon: .*invalid/i);
  assert.doesNotMatch(bad.stdout, /Step 1/);
  assert.deepEqual(await holders(`${P}bad`), [false, false]);
});

test('--build-arg, --label, -f, --target and --no-cache reach the engine', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1] = nodes as [string, string];
  const pin = ['--build-arg', `constraint:node==${n1}`];
  const tag = `${P}args`;
  await build(['-t', tag, ...pin, '--build-arg', 'greeting=Hello Args', '--label', 'tier=test', context]);
  assert.match(await m.docker.ok(['run', '--rm', tag]), /^built with Hello Args\n/);
  assert.equal(await direct(0).ok(['image', 'inspect', '--format', '{{index .Config.Labels "tier"}}', tag]), 'test');

  await build(['-t', `${P}other`, ...pin, '-f', join(context, 'Other.Dockerfile'), context]);
  assert.equal(await m.docker.ok(['run', '--rm', `${P}other`, 'cat', '/which']), 'other');

  await build(['-t', `${P}stage`, ...pin, '-f', join(context, 'Stages.Dockerfile'), '--target', 'base', context]);
  assert.equal(await m.docker.ok(['run', '--rm', `${P}stage`, 'cat', '/stage']), 'base');

  // The same build again uses the engine's cache; with --no-cache it runs every step.
  const again = await build(['-t', tag, ...pin, '--build-arg', 'greeting=Hello Args', '--label', 'tier=test', context]);
  assert.match(again, /Using cache/);
  const fresh = await build([
    '-t',
    tag,
    ...pin,
    '--build-arg',
    'greeting=Hello Args',
    '--label',
    'tier=test',
    '--no-cache',
    context,
  ]);
  assert.doesNotMatch(fresh, /Using cache/);
  assert.match(fresh, /Running in [0-9a-f]+/);
});

test('the context comes from stdin (docker build -), and from a URL the engine fetches (remote=)', async (t) => {
  if (!m) return t.skip('no engines');
  const [, n2] = nodes as [string, string];
  const tar = tarOf(context);
  await build(['-t', `${P}stdin`, '--build-arg', `constraint:node==${n2}`, '-'], tar);
  assert.equal(await m.docker.ok(['run', '--rm', `${P}stdin`, 'cat', '/hello.txt']), 'hello from the context');
  assert.deepEqual(await holders(`${P}stdin`), [false, true]);

  // The docker CLI downloads a URL itself; the remote parameter (the Docker SDKs send it) has the engine do it.
  const served = await serveContext(tar);
  try {
    const query = new URLSearchParams({
      remote: served.url,
      t: `${P}remote`,
      buildargs: JSON.stringify({ 'constraint:node': `=${n2}` }),
      labels: JSON.stringify({ 'mst.suite': P }),
    });
    const answer = await request(m.host, 'POST', `/v1.41/build?${query}`, { timeoutMs: 120_000 });
    assert.equal(answer.status, 200, answer.text);
    const messages = answer.text
      .split(/\r?\n/)
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { stream?: string; error?: string });
    assert.equal(messages[0]?.stream, `Building on ${n2} (127.0.0.1:2385)\n`);
    assert.ok(
      messages.some((msg) => /Successfully tagged/.test(msg.stream ?? '')),
      answer.text,
    );
    assert.ok(
      messages.every((msg) => !msg.error),
      answer.text,
    );
    assert.equal(served.requests(), 1, 'the engine fetched the context once');
    assert.deepEqual(await holders(`${P}remote`), [false, true]);
  } finally {
    await served.close();
  }

  // -q prints the image ID alone: nothing is added to it.
  const quiet = await build(['-q', '--build-arg', `constraint:node==${n2}`, '-'], tar);
  assert.match(quiet.trim(), /^sha256:[0-9a-f]{64}$/);
});

test('malformed build requests are 400s, BuildKit is refused by name, and nothing is built', async (t) => {
  if (!m) return t.skip('no engines');
  const api = (query: string) => request(m!.host, 'POST', `/v1.41/build?${query}`, { body: tarOf(context) });
  for (const [query, pattern] of [
    ['buildargs=%7Bnot-json', /invalid buildargs/],
    ['buildargs=%5B1%5D', /invalid buildargs: expected a JSON object/],
    ['buildargs=%7B%22a%22%3A1%7D', /the value of a is not a string/],
    ['cpushares=lots', /invalid value for cpushares/],
  ] as const) {
    const answer = await api(`t=${P}never&${query}`);
    assert.equal(answer.status, 400, `${query}: ${answer.text}`);
    assert.match((answer.json as { message: string }).message, pattern);
  }
  const buildkit = await api(`t=${P}never&version=2`);
  assert.equal(buildkit.status, 501);
  assert.match((buildkit.json as { message: string }).message, /BuildKit builds are not supported by Mesoswarm/);
  assert.deepEqual(await holders(`${P}never`), [false, false]);
});

test('docker-compose build and up --build build on the node the build args name, and run there', async (t) => {
  if (!m) return t.skip('no engines');
  await composeBuildAndUp(t, m, context, { project: `${P}compose`, tag: `${P}composed`, label: P, node: nodes[1]! });
});
