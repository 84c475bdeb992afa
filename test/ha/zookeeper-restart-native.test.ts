// ZooKeeper restarted under three replicated native-mode managers, with the engines in a zk:// discovery on the same
// ZooKeeper (a private one of the test's own, stopped with SIGTERM and started again on its data dir; the engines
// registered by `mesoswarm join`): stopped past the managers' session timeout, every manager stops acting; once it
// is back there is exactly one leader, it sees both engines again, every container is still there once, the same
// one, never restarted (rescheduleable ones too: the outage is no node failure), and a create through a replica
// works; stopped and started again at once, the leader keeps leading and no manager leaves the election.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, needEngines } from '../helpers/services.js';
import { eventually, removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { systemStatus } from '../helpers/nodes.js';
import { type Replica, alive, createAndStartAll, leaderOf, pause, roleOf, startReplica } from '../helpers/replicas.js';
import { PrivateZooKeeper, privateZooKeeperMissing } from '../helpers/private-zookeeper.js';
import { swarmJoins, type Joins } from '../helpers/swarm-join.js';

const TTL_MS = 10_000;
const RESCHEDULE_MS = 3000;
const prefix = uniquePrefix('ha-zkrestart-native');
let zk: PrivateZooKeeper | undefined;
let joins: Joins | undefined;
let discovery = '';
const replicas: Replica[] = [];

const args = (advertise: string) => [
  '--replication',
  '--advertise',
  advertise,
  '--replication-ttl',
  `${TTL_MS / 1000}s`,
  '--engine-refresh-min-interval',
  '1s',
  '--engine-refresh-max-interval',
  '2s',
  '--cluster-opt',
  `swarm.rescheduletimeout=${RESCHEDULE_MS}ms`,
  discovery,
];

const addresses = ENGINES.map((e) => e.replace(/^tcp:\/\//, ''));

before(async () => {
  if (!(await needEngines())) return;
  const missing = privateZooKeeperMissing();
  if (missing) {
    if (process.env.CI) throw new Error(missing);
    return;
  }
  zk = await PrivateZooKeeper.start(1000);
  discovery = `zk://${zk.servers}/mesoswarm-test`;
  joins = swarmJoins(discovery);
  for (const address of addresses) joins.join(address);
  await joins.waitListed(addresses);
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(args));
});

after(async () => {
  for (const r of replicas) await r.manager.kill().catch(() => undefined);
  joins?.stop();
  await zk?.close();
  await removeContainersNamed(prefix);
});

const nodesOf = async (r: Replica) => Number(new Map(await systemStatus(r.manager.docker)).get('Nodes') ?? 0);

/** Straight from the engines: name → [id, state, started at] of each copy. */
async function onEngines(): Promise<Map<string, string[][]>> {
  const found = new Map<string, string[][]>();
  for (const engine of ENGINES) {
    const ids = (await dockerCli(engine).ok(['ps', '-aq', '--filter', `name=${prefix}`])).split('\n').filter(Boolean);
    if (!ids.length) continue;
    const out = await dockerCli(engine).ok([
      'inspect',
      '--format',
      '{{.Name}} {{.Id}} {{.State.Status}} {{.State.StartedAt}}',
      ...ids,
    ]);
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, ...rest] = line.replace(/^\//, '').split(' ');
      found.set(name!, [...(found.get(name!) ?? []), rest]);
    }
  }
  return found;
}

test('ZooKeeper stopped past the session timeout and started again: one leader, both engines, every container once', async (t) => {
  if (!zk) return t.skip('needs the engines and the zookeeper package');
  let leader = await leaderOf(replicas);
  await eventually(async () => (await nodesOf(leader)) === 2, 30_000);
  const plain = Array.from({ length: 3 }, (_, i) => `${prefix}plain${i}`);
  const moving = Array.from({ length: 3 }, (_, i) => `${prefix}resched${i}`);
  const run = ['-m', '16m', 'busybox', 'sleep', '600'];
  await createAndStartAll(replicas, plain, run, 120_000);
  await createAndStartAll(replicas, moving, ['-e', 'reschedule:on-node-failure', ...run], 120_000);
  const names = [...plain, ...moving];
  const before = await onEngines();
  for (const n of names) assert.equal(before.get(n)?.length, 1, `${n}: ${JSON.stringify(before.get(n))}`);

  await zk.stop();
  const stoppedAt = Date.now();
  await eventually(
    async () => (await Promise.all(replicas.map(roleOf))).every((r) => r.role === 'replica'),
    TTL_MS + 20_000,
  );
  t.diagnostic(`every manager a replica ${Date.now() - stoppedAt} ms after ZooKeeper stopped`);
  await pause(TTL_MS + 2000 - (Date.now() - stoppedAt));
  await zk.resume();
  const resumedAt = Date.now();

  leader = await leaderOf(replicas, TTL_MS * 3 + 60_000);
  await eventually(async () => (await nodesOf(leader)) === 2, 30_000);
  t.diagnostic(`a leader with both engines ${Date.now() - resumedAt} ms after ZooKeeper came back`);
  const roles = (await Promise.all(replicas.map(roleOf))).map((r) => r.role).sort();
  assert.deepEqual(roles, ['primary', 'replica', 'replica']);
  assert.ok(replicas.every(alive));
  // Well past the reschedule timeout: a node the new leader took for lost would have had its containers moved.
  await pause(RESCHEDULE_MS * 2);
  const after = await onEngines();
  for (const n of names) assert.deepEqual(after.get(n), before.get(n), `${n}: the same container, never restarted`);
  const ps = await leader.manager.docker.ok(['ps', '--filter', `name=${prefix}`, '--format', '{{.Names}}']);
  for (const n of names) assert.match(ps, new RegExp(`/${n}\\b`), `the leader lists ${n}`);

  const replica = replicas.find((r) => r !== leader)!;
  await replica.manager.docker.ok(['create', '--name', `${prefix}after`, ...run]);
  await replica.manager.docker.ok(['start', `${prefix}after`]);
  const last = await onEngines();
  assert.equal(last.get(`${prefix}after`)?.length, 1);
  assert.equal(last.get(`${prefix}after`)![0]![1], 'running');
});

test('ZooKeeper stopped and started again at once (well within the lease): the leader keeps leading', async (t) => {
  if (!zk) return t.skip('needs the engines and the zookeeper package');
  const leader = await leaderOf(replicas, 60_000);
  const logsBefore = replicas.map((r) => r.manager.log().length);
  await zk.stop();
  const stoppedAt = Date.now();
  await zk.resume();
  t.diagnostic(`ZooKeeper away ${Date.now() - stoppedAt} ms (session timeout ${TTL_MS} ms)`);
  // A lease not renewed runs out within the session timeout of the stop: past it, every manager that still takes
  // part renewed its own on the same session.
  await pause(TTL_MS - (Date.now() - stoppedAt));
  assert.equal(await leaderOf(replicas, 30_000), leader);
  replicas.forEach((r, i) =>
    assert.doesNotMatch(r.manager.log().slice(logsBefore[i]), /no longer primary|left the election/, r.advertise),
  );
  await leader.manager.docker.ok(['run', '-d', '--name', `${prefix}short`, 'busybox', 'sleep', '300']);
});
