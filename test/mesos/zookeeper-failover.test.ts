// Master failover through ZooKeeper with two masters: the leader dies while containers run and a start waits; the
// standby, elected through ZooKeeper, gets the agents back (with their tasks and containers); the manager follows
// the new leader by itself, re-subscribes as the same framework, and the waiting start completes — exactly once.
// Against the Mesos test double (a standby taking over the leader's agents) and real Mesos (a second master of the
// test's own, the leader killed -9).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/manager.js';
import { needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';

let c: MesosTestCluster | undefined;
after(async () => {
  await c?.close();
});

const leaderOf = async (cl: MesosTestCluster) =>
  `http://${(await cl.backend.state()).leader!.replace(/^master@/, '')}/`;

test('leader dies under running containers and a waiting start: the standby takes over, nothing lost or doubled', async (t) => {
  if (!(await needBackend(t, true))) return;
  c = await startMesosTestCluster({
    zookeeper: true,
    ownMesos: true,
    double: { statusUpdateRetryMs: 500 },
    clusterOpts: ['mesos.tasktimeout=30s'],
  });
  await c.backend.startStandby();
  const m = c.m;
  const info = () => m.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
  const first = await leaderOf(c);
  assert.match(await info(), new RegExp(`"Master","${first}`));

  const running = await m.docker.ok(['run', '-d', '-m', '20m', '--name', 'zk-running', 'busybox', 'sleep', '120']);
  const failover = c.backend.killLeader();
  // Started while no master leads: it waits for the new leader's offers.
  const waiting = m.docker(['run', '-d', '-m', '20m', '--name', 'zk-waiting', 'busybox', 'sleep', '120'], {
    timeoutMs: 60_000,
  });
  await failover;
  const second = await leaderOf(c);
  assert.notEqual(second, first, 'another master leads');
  const result = await waiting;
  assert.equal(result.code, 0, result.stderr);

  assert.match(await info(), new RegExp(`"Master","${second}`), 'follows the new leader');
  assert.match(await info(), new RegExp(`"Framework","${c.frameworkId}"`), 'the same framework');
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.State.Status}}', running]), 'running');
  const cl = c;
  const tasks = await eventually(async () => {
    const live = (await cl.tasks()).live;
    return live.length === 2 ? live : undefined;
  }, 15_000);
  assert.deepEqual(
    tasks.map((task) => task.id.split('.')[0]).sort(),
    ['zk-running', 'zk-waiting'],
    'one task each on the new master',
  );
  const shown = (await m.docker.ok(['ps', '--format', '{{.Names}}'])).split('\n').sort();
  assert.equal(shown.length, 2, shown.join(', '));
});
