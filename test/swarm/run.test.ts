// `docker run` through the manager over two real engines: detached, attached (output and exit code), --rm, and
// placement spread across both nodes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';

const prefix = uniquePrefix('run');
let m: TestManager | undefined;

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

test('docker run -d starts a container, shown as <node>/<name>', async (t) => {
  if (!m) return t.skip('no engines');
  const id = await m.docker.ok(['run', '-d', '--name', `${prefix}d`, 'busybox', 'sleep', '60']);
  assert.match(id, /^[0-9a-f]{64}$/);
  const names = await m.docker.ok(['ps', '--filter', `id=${id}`, '--format', '{{.Names}} {{.Status}}']);
  assert.match(names, new RegExp(`^[^/ ]+/${prefix}d Up `));
});

test('attached docker run prints the output and returns the exit code', async (t) => {
  if (!m) return t.skip('no engines');
  const hello = await m.docker(['run', '--name', `${prefix}a`, 'busybox', 'echo', 'hi']);
  assert.equal(hello.code, 0, hello.stderr);
  assert.equal(hello.stdout, 'hi\n');
  const three = await m.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(three.code, 3);
  assert.equal(three.stdout, 'out\n');
  assert.equal(three.stderr, 'err\n');
});

test('docker run --rm leaves nothing behind', async (t) => {
  if (!m) return t.skip('no engines');
  const out = await m.docker.ok(['run', '--rm', '--name', `${prefix}rm`, 'busybox', 'true']);
  assert.equal(out, '');
  const left = await m.docker.ok(['ps', '-aq', '--filter', `name=${prefix}rm`]);
  assert.equal(left, '');
});

test('spread balances reservations: four containers of 4 GiB go two to each node', async (t) => {
  if (!m) return t.skip('no engines');
  // Spread ranks by reserved CPU and memory first and by container count only on ties. Each of these reserves
  // 4 GiB (a sixth of a node), so once one node holds one, the other scores lower: the placement alternates,
  // whatever else runs on the engines (other suites' containers reserve no memory worth a percent).
  const placed: string[] = [];
  for (let i = 0; i < 4; i++) {
    const id = await m.docker.ok(['run', '-d', '-m', '4g', '--name', `${prefix}s${i}`, 'busybox', 'sleep', '60']);
    placed.push(await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', id]));
  }
  const perNode = new Map<string, number>();
  for (const node of placed) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  assert.deepEqual([...perNode.values()], [2, 2], `placed on ${placed.join(', ')}`);
  assert.notEqual(placed[0], placed[1], 'the second goes where the first is not');
});
