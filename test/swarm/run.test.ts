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

test('spread balances reservations: each 4 GiB container goes to the node with the least memory reserved', async (t) => {
  if (!m) return t.skip('no engines');
  // Spread ranks by the reserved share of CPU and memory once the container is placed (whole percents, as classic
  // Swarm), and by container count only on ties. Other suites' containers on these shared engines may hold
  // reservations, or end, while this runs: so each placement is checked against the reservations read just before
  // it. On idle engines the first goes anywhere, the second to the other node, and so on: two a node.
  const GiB4 = 4 * 1024 ** 3;
  const placed: string[] = [];
  let decisive = 0;
  for (let i = 0; i < 4; i++) {
    const nodes = (await overview()).nodes.map((n) => ({
      name: n.name,
      score: Math.floor(((n.resources.reserved.memory + GiB4) * 100) / n.resources.total.memory),
    }));
    const least = Math.min(...nodes.map((n) => n.score));
    const best = nodes.filter((n) => n.score === least).map((n) => n.name);
    const id = await m.docker.ok(['run', '-d', '-m', '4g', '--name', `${prefix}s${i}`, 'busybox', 'sleep', '60']);
    const node: string = await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', id]);
    placed.push(node);
    if (best.length > 1) continue;
    decisive++;
    assert.equal(node, best[0], `container ${i} on ${node}; memory scores were ${JSON.stringify(nodes)}`);
  }
  // Each placement moves a node's score by 17 points: at least every other one is between unequal nodes.
  assert.ok(decisive >= 2, `only ${decisive} of the placements were between unequal nodes: ${placed.join(', ')}`);
});

async function overview(): Promise<{
  nodes: { name: string; resources: { reserved: { memory: number }; total: { memory: number } } }[];
}> {
  const res = await fetch(`${m!.host.replace('tcp://', 'http://')}/dashboard/api/overview`);
  assert.equal(res.status, 200);
  return (await res.json()) as never;
}
