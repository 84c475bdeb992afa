// ZooKeeper restarted under three replicated mesos-mode managers (their election and their store in a ZooKeeper of
// the test's own, stopped with SIGTERM and started again on its data dir; the Mesos master is found at host:port, so
// only the managers lose ZooKeeper): stopped past the session timeout, every manager stops acting, and once it is
// back they rejoin with exactly one leader, every container created before still there once (one Mesos task per
// name), nothing killed, and a create through a replica works. (A stop shorter than the lease is not tested: under
// load a restarted ZooKeeper took longer than a 6.7 s lease to serve again, so whether the leader keeps leading
// depends on the machine, not on the manager.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import { startMesosBackend } from '../helpers/mesos-backend.js';
import {
  frameworkTasks,
  managerArgs,
  needBackend,
  releaseFramework,
  subscribedFramework,
  waitForNodes,
  type MesosBackend,
} from '../helpers/mesos.js';
import { type Replica, alive, createAndStartAll, leaderOf, pause, roleOf, startReplica } from '../helpers/replicas.js';
import { PrivateZooKeeper, privateZooKeeperMissing } from '../helpers/private-zookeeper.js';

const TTL_MS = 10_000;
const prefix = uniquePrefix('ha-zkrestart');
const name = prefix.replace(/-$/, '');
let backend: MesosBackend | undefined;
let zk: PrivateZooKeeper | undefined;
let stateDir = '';
let frameworkId = '';
const replicas: Replica[] = [];

const args = (advertise: string) => [
  ...managerArgs(backend!, stateDir, name, [`mesos.zk=zk://${zk!.servers}`]),
  '--replication',
  '--advertise',
  advertise,
  '--replication-ttl',
  `${TTL_MS / 1000}s`,
];

before(async () => {
  if (!(await needBackend())) return;
  const missing = privateZooKeeperMissing();
  if (missing) {
    if (process.env.CI) throw new Error(missing);
    return;
  }
  zk = await PrivateZooKeeper.start(1000);
  backend = await startMesosBackend({ double: { statusUpdateRetryMs: 500 } });
  stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-ha-zk-'));
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(args));
  const leader = await leaderOf(replicas);
  await waitForNodes(leader.manager, 2, 60_000);
  frameworkId = await subscribedFramework(leader.manager);
});

after(async () => {
  for (const r of replicas) await r.manager.kill().catch(() => undefined);
  if (backend && frameworkId) await releaseFramework(backend, frameworkId, name).catch(() => undefined);
  await backend?.close();
  await zk?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const RUN = ['-m', '16m', 'busybox', 'sleep', '600'];

/** Every manager's Role line, in order. */
const roles = async () => (await Promise.all(replicas.map(roleOf))).map((r) => r.role);

/** Names listed through the leader (`docker ps -a`), each with how often it is listed, and its task IDs. */
async function look(leader: Replica, names: readonly string[]) {
  const listed = (
    await leader.manager.docker.ok(['ps', '-a', '--filter', `name=${prefix}`, '--format', '{{.Names}} {{.State}}'])
  )
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string]);
  const count = (n: string) => listed.filter(([l]) => l === n || l.endsWith(`/${n}`)).length;
  const taskIds: string[] = [];
  for (const n of names) {
    const id = await leader.manager.docker(['inspect', '--format', '{{.Mesos.TaskId}}', n]);
    if (id.code === 0) taskIds.push(id.stdout.trim());
  }
  return { listed, count, taskIds };
}

test('ZooKeeper stopped past the session timeout and started again: one leader, nothing lost, nothing killed', async (t) => {
  if (!backend || !zk) return t.skip('needs a Mesos backend and the zookeeper package');
  const names = Array.from({ length: 6 }, (_, i) => `${prefix}before${i}`);
  const outcomes = await createAndStartAll(replicas, names, RUN, 120_000);
  assert.ok(
    outcomes.every((o) => o.errors.length === 0),
    JSON.stringify(outcomes),
  );
  const before = await frameworkTasks(backend, frameworkId);

  await zk.stop();
  const stoppedAt = Date.now();
  // Every manager notices: none may act on a session it cannot renew (the lease is 2/3 of the timeout).
  await eventually(async () => (await roles()).every((r) => r === 'replica'), TTL_MS + 20_000);
  t.diagnostic(`every manager a replica ${Date.now() - stoppedAt} ms after ZooKeeper stopped`);
  // Past the session timeout: ZooKeeper, when back, has their sessions to expire (it counts them from its start).
  await pause(TTL_MS + 2000 - (Date.now() - stoppedAt));
  assert.ok(replicas.every(alive), replicas.map((r) => r.manager.log().slice(-2000)).join('\n'));
  await zk.resume();
  const resumedAt = Date.now();

  const leader = await leaderOf(replicas, TTL_MS * 3 + 60_000);
  await waitForNodes(leader.manager, 2, 60_000);
  t.diagnostic(`a leader serving ${Date.now() - resumedAt} ms after ZooKeeper came back`);
  const after = await roles();
  assert.equal(after.filter((r) => r === 'primary').length, 1, `roles: ${after.join(',')}`);
  assert.equal(after.filter((r) => r === 'replica').length, 2, `roles: ${after.join(',')}`);
  assert.equal(await subscribedFramework(leader.manager), frameworkId, 'the same framework');

  const seen = await look(leader, names);
  for (const n of names) assert.equal(seen.count(n), 1, `${n} listed once: ${JSON.stringify(seen.listed)}`);
  assert.equal(new Set(seen.taskIds).size, names.length, 'one task per name');
  const now = await eventually(async () => {
    const tasks = await frameworkTasks(backend!, frameworkId);
    const running = tasks.live.filter((task) => task.state === 'TASK_RUNNING').map((task) => task.id);
    return seen.taskIds.every((id) => running.includes(id)) ? tasks : undefined;
  }, 30_000);
  assert.deepEqual(
    now.live.map((task) => task.id).sort(),
    before.live.map((task) => task.id).sort(),
    'the same tasks: none launched again, none orphaned',
  );
  assert.deepEqual(
    now.completed.filter((task) => !before.completed.some((b) => b.id === task.id)),
    [],
    'nothing killed',
  );

  // A create and start through a replica after the restart.
  const replica = replicas.find((r) => r !== leader)!;
  await replica.manager.docker.ok(['create', '--name', `${prefix}after`, ...RUN]);
  await replica.manager.docker.ok(['start', `${prefix}after`]);
  const again = await look(leader, [`${prefix}after`]);
  assert.equal(again.count(`${prefix}after`), 1);
  assert.equal(again.taskIds.length, 1);
});
