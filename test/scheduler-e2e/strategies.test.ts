// Strategies and resources through the native driver, with the real docker CLI against managers over the two CI
// engines: "no resources available to schedule container" for a request larger than any node, binpack filling the
// fuller node (by container count, then by reserved memory) until it has no room, and spread doing the opposite.
//
// Memory reservations here are limits on containers that are created and never started: they take no memory, and
// are removed as soon as each test ends so other runs on the engines do not see them for long.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import {
  engineIdentities,
  nodeOf,
  nodeCounts,
  nodeStatus,
  otherNode,
  daemonError,
  existsNowhere,
  type EngineIdentity,
} from './helpers.js';

const prefix = uniquePrefix('sched-strat');
let spread: TestManager | undefined;
let binpack: TestManager | undefined;
let node1: EngineIdentity;
let node2: EngineIdentity;
let seq = 0;
const fresh = () => `${prefix}${seq++}`;
const MiB = 1024 * 1024;

before(async () => {
  if (!(await needEngines())) return;
  [node1, node2] = await engineIdentities();
  spread = await startTestManager();
  binpack = await startTestManager({ strategy: 'binpack' });
});
after(async () => {
  await spread?.close();
  await binpack?.close();
  await removeContainersNamed(prefix);
});

/** Creates (never starts) a container through `m`; returns its name. */
async function create(m: TestManager, ...options: string[]): Promise<string> {
  const name = fresh();
  await m.docker.ok(['create', '--name', name, ...options, 'busybox', 'true']);
  return name;
}

/** The smaller of the two engines' memory, in MiB (on CI both are the machine's memory). */
function memoryMiB(): number {
  return Math.floor(Math.min(node1.memory, node2.memory) / MiB);
}

test('a request larger than any node: "no resources available to schedule container", nothing created', async (t) => {
  if (!spread || !binpack) return t.skip('no engines');
  for (const m of [spread, binpack]) {
    const name = fresh();
    const memory = await m.docker(['run', '-d', '--name', name, '-m', '100000g', 'busybox']);
    assert.equal(
      memory.stderr,
      'docker: Error response from daemon: no resources available to schedule container\n\n' +
        "Run 'docker run --help' for more information\n",
    );
    // Swarm reads -c (--cpu-shares) as a number of CPUs: 10240 of them is more than any node has.
    const cpus = await m.docker(['create', '--name', name, '--cpu-shares', '10240', 'busybox']);
    assert.equal(daemonError(cpus), 'no resources available to schedule container');
    // Pinned to a node, the resource check still applies after the filters.
    const pinned = await m.docker([
      'create',
      '--name',
      name,
      '-m',
      '100000g',
      '-e',
      `constraint:node==${node2.name}`,
      'busybox',
    ]);
    assert.equal(daemonError(pinned), 'no resources available to schedule container');
    assert.ok(await existsNowhere(name));
  }
});

test('the manager shows its strategy in docker info', async (t) => {
  if (!spread || !binpack) return t.skip('no engines');
  assert.equal(
    await spread.docker.ok([
      'info',
      '--format',
      '{{range .SystemStatus}}{{if eq (index . 0) "Strategy"}}{{index . 1}}{{end}}{{end}}',
    ]),
    'spread',
  );
  assert.equal(
    await binpack.docker.ok([
      'info',
      '--format',
      '{{range .SystemStatus}}{{if eq (index . 0) "Strategy"}}{{index . 1}}{{end}}{{end}}',
    ]),
    'binpack',
  );
});

test('binpack puts containers on the node holding more containers; spread on the one holding fewer', async (t) => {
  if (!spread || !binpack) return t.skip('no engines');
  // Widen the gap so other runs' containers coming and going in the meantime cannot close it.
  const before = await nodeCounts(binpack);
  const fuller = (before.get(node1.name) ?? 0) >= (before.get(node2.name) ?? 0) ? node1.name : node2.name;
  for (let i = 0; i < 4; i++) await create(binpack, '-e', `constraint:node==${fuller}`);
  for (let i = 0; i < 3; i++) {
    const name = await create(binpack);
    assert.equal(await nodeOf(binpack, name), fuller, `binpack #${i}: counts before ${[...before]}`);
  }
  for (let i = 0; i < 2; i++) {
    const name = await create(spread);
    assert.equal(await nodeOf(spread, name), otherNode(fuller, node1.name, node2.name), `spread #${i}`);
  }
});

test('binpack weighs reserved memory before container counts, and moves on when the node is full', async (t) => {
  if (!spread || !binpack) return t.skip('no engines');
  const total = memoryMiB();
  // The node holding fewer containers, so that counting containers alone would choose the other one.
  const counts = await nodeCounts(binpack);
  const target = (counts.get(node1.name) ?? 0) <= (counts.get(node2.name) ?? 0) ? node1.name : node2.name;
  const other = otherNode(target, node1.name, node2.name);
  const reservedBefore = await nodeStatus(binpack, target, 'Reserved Memory');

  const big = Math.floor(total * 0.4);
  const anchor = await create(binpack, '-m', `${big}m`, '-e', `constraint:node==${target}`);
  assert.notEqual(await nodeStatus(binpack, target, 'Reserved Memory'), reservedBefore);
  const small = Math.floor(total * 0.05);
  for (let i = 0; i < 2; i++) {
    const name = await create(binpack, '-m', `${small}m`);
    assert.equal(await nodeOf(binpack, name), target, `binpack #${i}`);
  }
  // Spread, with the same reservations in view, sends the same request to the emptier node.
  const spreadOut = await create(spread, '-m', `${small}m`);
  assert.equal(await nodeOf(spread, spreadOut), other);

  // 40 % + 2 × 5 % are taken on the target: 60 % more is 110 %, past the 105 % the 5 % overcommit allows (scores
  // are floored, so it takes more than 101 % of that to be refused), but it fits on the other node.
  const large = Math.floor(total * 0.6);
  const spilled = await create(binpack, '-m', `${large}m`);
  assert.equal(await nodeOf(binpack, spilled), other);

  await binpack.docker.ok(['rm', anchor]);
});
