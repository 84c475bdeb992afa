// Master failover through ZooKeeper with two masters: the leader dies while containers run and a start waits; the
// standby, elected through ZooKeeper, gets the agents back (with their tasks and containers); the manager follows
// the new leader by itself, re-subscribes as the same framework, and the waiting start completes — exactly once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { needEngines, needZooKeeper, ZOOKEEPER } from '../helpers/services.js';
import { eventually, startTestManager, type TestManager } from '../helpers/manager.js';
import { engineAgents, masterTasks, waitForNodes } from '../helpers/mesos.js';
import { startMesosSim, type MesosSim } from '../mesos-sim/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

test('leader dies under running containers and a waiting start: the standby takes over, nothing lost or doubled', async (t) => {
  if (!(await needEngines(t)) || !(await needZooKeeper(t))) return;
  const path = `/mesoswarm-test/${randomUUID()}`;
  const common = {
    executor: 'docker' as const,
    zookeeper: { connect: ZOOKEEPER, path },
    allocationIntervalMs: 50,
    defaultKillGraceSeconds: 1,
    statusUpdateRetryMs: 500,
  };
  const leader: MesosSim = await startMesosSim({ ...common, agents: engineAgents() });
  cleanups.push(() => leader.close());
  await eventually(() => leader.isLeader(), 10_000);
  const standby: MesosSim = await startMesosSim({ ...common, agents: [], successorOf: leader, takeoverDelayMs: 1000 });
  cleanups.push(() => standby.close());

  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-zk-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const m: TestManager = await startTestManager(
    {
      clusterDriver: 'mesos-experimental',
      clusterOpt: ['mesos.user=root', `mesos.statedir=${stateDir}`, 'mesos.tasktimeout=30s'],
    },
    `zk://${ZOOKEEPER}${path}`,
  );
  cleanups.push(() => m.close());
  await waitForNodes(m, 2);
  const info = () => m.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
  const framework = JSON.parse(await info()).find(([k]: [string]) => k === 'Framework')[1] as string;
  assert.match(await info(), new RegExp(`"Master","http://127.0.0.1:${leader.port}/`));

  const running = await m.docker.ok(['run', '-d', '-m', '20m', '--name', 'zk-running', 'busybox', 'sleep', '120']);
  await leader.abdicate();
  // Started while no master leads: it waits for the new leader's offers.
  const waiting = m.docker(['run', '-d', '-m', '20m', '--name', 'zk-waiting', 'busybox', 'sleep', '120'], {
    timeoutMs: 60_000,
  });
  await eventually(() => standby.isLeader(), 20_000);
  const result = await waiting;
  assert.equal(result.code, 0, result.stderr);

  assert.match(await info(), new RegExp(`"Master","http://127.0.0.1:${standby.port}/`), 'follows the new leader');
  assert.match(await info(), new RegExp(`"Framework","${framework}"`), 'the same framework');
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.State.Status}}', running]), 'running');
  const tasks = await eventually(async () => {
    const live = (await masterTasks(standby)).live;
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
