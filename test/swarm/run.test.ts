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

test('spread puts each container on the node with the fewest containers', async (t) => {
  if (!m) return t.skip('no engines');
  const counts = async () => {
    const info = await m!.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
    const pairs = JSON.parse(info) as [string, string][];
    const out = new Map<string, number>();
    let node = '';
    for (const [key, value] of pairs) {
      if (/^ \S/.test(key)) node = key.trim();
      if (key.trim() === '└ Containers') out.set(node, Number(value.split(' ')[0]));
    }
    return out;
  };
  const before = await counts();
  assert.equal(before.size, 2);
  // What spread must do: each container goes to the node holding fewer at that moment (either one on a tie).
  const expected = new Map(before);
  for (let i = 0; i < 4; i++) {
    const [a, b] = [...expected.entries()];
    const target = a![1] <= b![1] ? a! : b!;
    expected.set(target[0], target[1] + 1);
  }
  for (let i = 0; i < 4; i++) await m.docker.ok(['run', '-d', '--name', `${prefix}s${i}`, 'busybox', 'sleep', '60']);
  const after = await counts();
  const sorted = (m: Map<string, number>) => [...m.values()].sort((x, y) => x - y);
  assert.deepEqual(sorted(after), sorted(expected), `before ${[...before]} after ${[...after]}`);
});
