// Only the leader acts in native mode: with three replicated managers over node-1 and a proxy to node-2 (in a zk://
// discovery), a `reschedule:on-node-failure` container on node-2 whose proxy is cut is recreated on node-1 exactly
// once, not once per manager; the leader killed -9 while node-2 is still away, the next leader moves nothing again
// (the copy is already on a healthy node); node-2 back, its stale copy goes: one container in the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ENGINES, needEngines, needZooKeeper, ZOOKEEPER } from '../helpers/services.js';
import { eventually, removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { removeZkTrees } from '../helpers/zookeeper.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { swarmJoins, type Joins } from '../helpers/swarm-join.js';
import { type Replica, alive, anotherPrimary, leaderOf, pause, startReplica } from '../helpers/replicas.js';

const TTL_MS = 6000;
const RESCHEDULE_MS = 2000;
const prefix = uniquePrefix('ha-leader-only');
const base = `/mesoswarm-test/${randomUUID()}`;
const discovery = `zk://${ZOOKEEPER}${base}`;
let proxy: TcpProxy | undefined;
let joins: Joins | undefined;
const replicas: Replica[] = [];

const args = (advertise: string) => [
  '--replication',
  '--advertise',
  advertise,
  '--replication-ttl',
  `${TTL_MS / 1000}s`,
  '--engine-refresh-min-interval',
  '500ms',
  '--engine-refresh-max-interval',
  '1s',
  '--engine-failure-retry',
  '1',
  '--cluster-opt',
  `swarm.rescheduletimeout=${RESCHEDULE_MS}ms`,
  discovery,
];

before(async () => {
  if (!(await needEngines()) || !(await needZooKeeper())) return;
  proxy = await tcpProxy(ENGINES[1]!);
  joins = swarmJoins(discovery);
  const addresses = [ENGINES[0]!, proxy.address].map((e) => e.replace(/^tcp:\/\//, ''));
  for (const address of addresses) joins.join(address);
  await joins.waitListed(addresses);
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(args));
});

after(async () => {
  for (const r of replicas) await r.manager.kill().catch(() => undefined);
  joins?.stop();
  await proxy?.close();
  await removeContainersNamed(prefix);
  await removeZkTrees(base).catch(() => undefined);
});

/** Straight from an engine: the IDs of the containers of this name. */
const copiesOn = async (engine: string, name: string) =>
  (await dockerCli(engine).ok(['ps', '-aq', '--no-trunc', '--filter', `name=^/${name}$`])).split('\n').filter(Boolean);

test('a lost node’s rescheduleable container is recreated once, by the leader only, and not again after a failover', async (t) => {
  if (!proxy) return t.skip('needs the engines and ZooKeeper');
  const [, node2] = (await engineNames()) as [string, string];
  let leader = await leaderOf(replicas);
  const name = `${prefix}moved`;
  await eventually(
    async () =>
      (
        await leader.manager.docker([
          'run',
          '-d',
          '--name',
          name,
          '-e',
          `constraint:node==~${node2}`,
          '-e',
          'reschedule:on-node-failure',
          'busybox',
          'sleep',
          '600',
        ])
      ).code === 0,
    30_000,
    500,
  );
  assert.equal((await copiesOn(ENGINES[1]!, name)).length, 1, 'on node-2');

  await proxy.cut();
  try {
    const moved = await eventually(async () => {
      const ids = await copiesOn(ENGINES[0]!, name);
      return ids.length ? ids : undefined;
    }, 30_000);
    // Every manager's own rescheduler would have moved it by now (each waits the same timeout): only one did.
    await pause(RESCHEDULE_MS * 3);
    assert.deepEqual(await copiesOn(ENGINES[0]!, name), moved, 'one copy on node-1, made by the leader alone');
    assert.match(leader.manager.log(), /node lost: rescheduling its containers/);
    for (const r of replicas.filter((o) => o !== leader))
      assert.doesNotMatch(r.manager.log(), /rescheduling its containers/, `${r.advertise} is a replica`);

    // The next leader, with node-2 still away, finds the container on a healthy node: nothing moves again.
    await leader.manager.kill('SIGKILL');
    const next = await anotherPrimary(
      replicas.filter((r) => r !== leader && alive(r)),
      leader,
      TTL_MS + 30_000,
    );
    leader = next;
    await eventually(async () => (await next.manager.docker(['ps', '-q'])).code === 0, 30_000);
    await pause(RESCHEDULE_MS * 3);
    assert.deepEqual(await copiesOn(ENGINES[0]!, name), moved, 'still the one copy after a failover');
  } finally {
    await proxy.restore();
  }
  // node-2 back: the leader removes the stale copy there; one container in the end.
  await eventually(async () => (await copiesOn(ENGINES[1]!, name)).length === 0, 30_000);
  assert.equal((await copiesOn(ENGINES[0]!, name)).length, 1);
  const ps = await leader.manager.docker.ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}}']);
  assert.equal(ps.split('\n').filter(Boolean).length, 1, ps);
});
