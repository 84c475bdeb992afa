// The port filter through the native driver, with the real docker CLI against a manager over the two CI engines: a
// fixed host port taken on a node keeps the next container asking for it off that node (to the other one, or
// refused with classic Swarm's text when pinned or when every node has it taken), in bridge and host mode.
//
// Both CI engines run on one machine and share its host ports, so only the first container here really publishes
// its port; the others are created, not started. Created and stopped containers hold their ports for the filter as
// much as running ones (classic Swarm's behaviour), which is what these placements check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { engineIdentities, nodeOf, daemonError, unsatisfied, existsNowhere, type EngineIdentity } from './helpers.js';

const prefix = uniquePrefix('sched-port');
const PORT = '18090';
let m: TestManager | undefined;
let node1: EngineIdentity;
let node2: EngineIdentity;
let seq = 0;
const fresh = () => `${prefix}${seq++}`;

before(async () => {
  if (!(await needEngines())) return;
  [node1, node2] = await engineIdentities();
  m = await startTestManager();
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

test(`-p ${PORT}:80 twice: refused on a pinned node, sent to the other node when not pinned`, async (t) => {
  if (!m) return t.skip('no engines');
  const first = fresh();
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    first,
    '-e',
    `constraint:node==${node2.name}`,
    '-p',
    `${PORT}:80`,
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(await nodeOf(m, first), node2.name);
  const published = await m.docker.ok(['port', first, '80/tcp']);
  assert.match(published, new RegExp(`:${PORT}$`, 'm'));

  // Pinned to the same node: the port filter leaves node-1 only, which the constraint then refuses.
  const pinned = fresh();
  const refused = await m.docker([
    'create',
    '--name',
    pinned,
    '-e',
    `constraint:node==${node2.name}`,
    '-p',
    `${PORT}:80`,
    'busybox',
  ]);
  assert.equal(
    refused.stderr,
    'Error response from daemon: Unable to find a node that satisfies the following conditions \n' +
      `[port ${PORT} (Bridge mode)]\n[available container slots]\n[node==${node2.name}]\n`,
  );
  assert.ok(await existsNowhere(pinned));

  // Not pinned: it goes to the node where the port is free, whatever the strategy would have preferred.
  const moved = fresh();
  await m.docker.ok(['create', '--name', moved, '-p', `${PORT}:80`, 'busybox']);
  assert.equal(await nodeOf(m, moved), node1.name);

  // Now no node has it free: the port filter itself fails, and its line is the last one listed.
  const none = fresh();
  const nowhere = await m.docker(['run', '-d', '--name', none, '-p', `${PORT}:80`, 'busybox']);
  assert.equal(daemonError(nowhere), unsatisfied(`port ${PORT} (Bridge mode)`));
  assert.ok(await existsNowhere(none));

  // A binding on one address conflicts with a binding on every address, and a container that is not running
  // still holds its port.
  const onLoopback = await m.docker(['create', '--name', none, '-p', `127.0.0.1:${PORT}:80`, 'busybox']);
  assert.equal(daemonError(onLoopback), unsatisfied(`port ${PORT} (Bridge mode)`));

  // Removing the holder frees the port on node-2 for the next placement.
  await m.docker.ok(['rm', '-f', first]);
  const again = fresh();
  await m.docker.ok(['create', '--name', again, '-e', `constraint:node==${node2.name}`, '-p', `${PORT}:80`, 'busybox']);
  assert.equal(await nodeOf(m, again), node2.name);
});

test('a port without a fixed host port never conflicts', async (t) => {
  if (!m) return t.skip('no engines');
  for (let i = 0; i < 2; i++) {
    const name = fresh();
    await m.docker.ok(['create', '--name', name, '-e', `constraint:node==${node1.name}`, '-p', '80', 'busybox']);
    assert.equal(await nodeOf(m, name), node1.name);
  }
});

test('host networking: an exposed port taken by a host-network container on the pinned node is refused', async (t) => {
  if (!m) return t.skip('no engines');
  const port = String(Number(PORT) + 1);
  const first = fresh();
  await m.docker.ok([
    'create',
    '--name',
    first,
    '--net=host',
    `--expose=${port}`,
    '-e',
    `constraint:node==${node1.name}`,
    'busybox',
  ]);
  assert.equal(await nodeOf(m, first), node1.name);
  const name = fresh();
  const refused = await m.docker([
    'create',
    '--name',
    name,
    '--net=host',
    `--expose=${port}`,
    '-e',
    `constraint:node==${node1.name}`,
    'busybox',
  ]);
  assert.equal(
    daemonError(refused),
    unsatisfied(`port ${port}/tcp (Host mode)`, 'available container slots', `node==${node1.name}`),
  );
  assert.ok(await existsNowhere(name));
  // On a bridge network the same port is no conflict.
  const bridged = fresh();
  await m.docker.ok([
    'create',
    '--name',
    bridged,
    `--expose=${port}`,
    '-e',
    `constraint:node==${node1.name}`,
    'busybox',
  ]);
  assert.equal(await nodeOf(m, bridged), node1.name);
});

test('concurrent creates asking for one host port: one per node, the rest refused', async (t) => {
  if (!m) return t.skip('no engines');
  // The manager reserves the port on the chosen node before the engine has the container, so creates that
  // overlap see each other's ports.
  const port = String(Number(PORT) + 2);
  const names = [fresh(), fresh(), fresh(), fresh()];
  const results = await Promise.all(
    names.map((name) => m!.docker(['create', '--name', name, '-p', `${port}:80`, 'busybox'])),
  );
  const placed = names.filter((_, i) => results[i]!.code === 0);
  assert.equal(placed.length, 2, results.map((r) => r.stderr).join(''));
  const nodes = await Promise.all(placed.map((name) => nodeOf(m!, name)));
  assert.deepEqual(nodes.sort(), [node1.name, node2.name].sort());
  for (const result of results.filter((r) => r.code !== 0)) {
    assert.equal(daemonError(result), unsatisfied(`port ${port} (Bridge mode)`));
  }
});
