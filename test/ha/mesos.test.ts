// Several mesos-mode managers in one election on the ensemble of the zk:// master (the double publishes itself in
// ZooKeeper; real Mesos is the suite's shared master): only the leader is subscribed, a new leader subscribes as the
// same framework and carries on (nothing running killed), the leader killed -9 again and again under a client
// creating and starting through any manager (exactly one container and one Mesos task per name), a leader paused
// past its session timeout that launches and kills nothing once resumed, and Mesos' "Framework failed over" taken
// as a demotion. The store is in ZooKeeper (a replicated manager never uses its state directory's journal); the
// loop's size is LOOP (test/helpers/replicas.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import { within } from '../helpers/deadline.js';
import { spawnManager } from '../helpers/manager-process.js';
import { engineAgents, startMesosBackend } from '../helpers/mesos-backend.js';
import {
  frameworkTasks,
  managerArgs,
  needBackend,
  releaseFramework,
  subscribedFramework,
  waitForNodes,
  type MesosBackend,
} from '../helpers/mesos.js';
import {
  type Replica,
  alive,
  anotherPrimary,
  createAndStartAll,
  killLeaders,
  LOOP,
  LOOP_RUN,
  leaderOf,
  pause,
  spread,
  roleOf,
  startReplica,
} from '../helpers/replicas.js';

const TTL_MS = 6000;
const prefix = uniquePrefix('ha-mesos');
const name = prefix.replace(/-$/, '');
let backend: MesosBackend | undefined;
let stateDir = '';
let frameworkId = '';
const replicas: Replica[] = [];

const args = (advertise: string) => [
  ...managerArgs(backend!, stateDir, name),
  '--replication',
  '--advertise',
  advertise,
  '--replication-ttl',
  `${TTL_MS / 1000}s`,
];

before(async () => {
  if (!(await needBackend(undefined, true))) return;
  // The loop's containers take 16 MiB each: the double's agents offer enough memory for its size.
  const agents = engineAgents(1, { mem: Math.max(2048, LOOP.names * 16) });
  backend = await startMesosBackend({ zookeeper: true, double: { statusUpdateRetryMs: 500, agents } });
  stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-ha-'));
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(args));
  const leader = await leaderOf(replicas);
  await waitForNodes(leader.manager, 2, 60_000);
  frameworkId = await subscribedFramework(leader.manager);
});

after(async () => {
  for (const r of replicas) await r.manager.kill().catch(() => undefined);
  if (backend && frameworkId) await releaseFramework(backend, frameworkId, name).catch(() => undefined);
  await backend?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const others = (r: Replica) => replicas.filter((o) => o !== r && alive(o));

/** The master's frameworks named ours: exactly one, ours, whatever happened. */
async function ourFrameworks(): Promise<string[]> {
  const state = await backend!.state();
  return state.frameworks.filter((f) => f.name === name).map((f) => f.id);
}

test('only the leader is subscribed; replicas show it as primary', async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const leader = await leaderOf(replicas);
  assert.deepEqual(await ourFrameworks(), [frameworkId], 'one framework: replicas never subscribe');
  for (const r of others(leader)) {
    const role = await roleOf(r);
    assert.equal(role.role, 'replica');
    assert.equal(role.primary, leader.advertise);
    // The replica's figures are the leader's: it shows the framework the leader subscribed.
    assert.equal(await subscribedFramework(r.manager), frameworkId);
  }
});

test('the leader killed -9 again and again: one container and one Mesos task per name, nothing killed', async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const { kills: KILLS, names: NAMES } = LOOP;
  const startedAt = Date.now();
  const names = Array.from({ length: NAMES }, (_, i) => `${prefix}loop${i}`);
  const client = createAndStartAll(replicas, names, LOOP_RUN, within(180000));
  const takeovers = await killLeaders(replicas, KILLS, () => startReplica(args), 2000);
  const outcomes = await client;
  const leader = await leaderOf(replicas, 60_000);
  await waitForNodes(leader.manager, 2, 60_000);
  assert.equal(await subscribedFramework(leader.manager), frameworkId, 'every leader subscribed as the same framework');
  assert.deepEqual(await ourFrameworks(), [frameworkId]);

  const listed = (
    await leader.manager.docker.ok(['ps', '-a', '--filter', `name=${prefix}loop`, '--format', '{{.Names}} {{.State}}'])
  )
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '));
  const taskIds: string[] = [];
  for (let i = 0; i < names.length; i += 16) {
    const ids = await Promise.all(
      names.slice(i, i + 16).map((n) => leader.manager.docker(['inspect', '--format', '{{.Mesos.TaskId}}', n])),
    );
    for (const id of ids) if (id.code === 0) taskIds.push(id.stdout.trim());
  }
  const tasks = await eventually(async () => {
    const all = await frameworkTasks(backend!, frameworkId);
    return all.live.filter((task) => task.state === 'TASK_RUNNING').length >= taskIds.length ? all : undefined;
  }, 30_000);
  const running = tasks.live.filter((task) => task.state === 'TASK_RUNNING').map((task) => task.id);
  const lost = names.filter((n) => !listed.some(([listedName]) => listedName?.endsWith(n)));
  const duplicated = names.filter(
    (n) => listed.filter(([listedName]) => listedName?.endsWith(`/${n}`) || listedName === n).length > 1,
  );
  const extraTasks = running.filter((id) => !taskIds.includes(id));
  const killed = tasks.completed.filter((task) => task.state === 'TASK_KILLED' || task.state === 'TASK_LOST');
  t.diagnostic(
    `kills=${KILLS} names=${NAMES} retried=${outcomes.filter((o) => o.errors.length).length} ` +
      `launches lost with their leader=${outcomes.reduce((n, o) => n + o.launchesLost, 0)} lost=${lost.length} ` +
      `duplicated=${duplicated.length} tasks running=${running.length} extra tasks=${extraTasks.length} ` +
      `killed=${killed.length} takeover ms min/median/max=${spread(takeovers)} (session timeout ${TTL_MS} ms) ` +
      `wall=${Math.round((Date.now() - startedAt) / 1000)} s; takeover ms=${takeovers.join(',')}`,
  );
  assert.deepEqual(lost, []);
  assert.deepEqual(duplicated, []);
  assert.equal(new Set(taskIds).size, NAMES, 'one task per name');
  assert.deepEqual(extraTasks, [], 'no task beyond one per name (no orphan, no second launch)');
  assert.deepEqual(killed, [], 'no task killed by a takeover');
  assert.ok(
    listed.every(([, state]) => state === 'running'),
    JSON.stringify(listed),
  );
  for (const ms of takeovers) assert.ok(ms <= within(TTL_MS + 5000), `takeover took ${ms} ms`);
});

test('a leader paused past its session timeout launches and kills nothing once resumed, and is a replica', async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const leader = await leaderOf(replicas);
  const before = await frameworkTasks(backend, frameworkId);
  const pid = leader.manager.child.pid!;
  process.kill(pid, 'SIGSTOP');
  const stoppedAt = Date.now();
  try {
    const next = await anotherPrimary(replicas, leader, TTL_MS + 30_000);
    await waitForNodes(next.manager, 2, 60_000);
    t.diagnostic(`new primary serving after ${Date.now() - stoppedAt} ms`);
    await next.manager.docker.ok(['run', '-d', '-m', '16m', '--name', `${prefix}paused`, 'busybox', 'sleep', '300']);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await eventually(async () => (await roleOf(leader)).role === 'replica', 30_000);
  assert.match(leader.manager.log(), /no longer primary: stopped acting/);
  // Give the resumed process time to do anything it still would, then look at what Mesos saw.
  await pause(3000);
  const now = await frameworkTasks(backend, frameworkId);
  const killed = now.completed.filter((task) => !before.completed.some((b) => b.id === task.id));
  assert.deepEqual(killed, [], 'nothing killed');
  assert.equal(now.live.length, before.live.length + 1, 'only the new leader’s container was launched');
  assert.deepEqual(await ourFrameworks(), [frameworkId]);
  const ps = await leader.manager.docker.ok(['ps', '--filter', `name=${prefix}paused`, '--format', '{{.Names}}']);
  assert.match(ps, /paused/, 'the old leader, now a replica, proxies to the new one');
});

test('"Framework failed over" from Mesos demotes the leader (no crash loop); another leads on', async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const leader = await leaderOf(replicas);
  const before = await frameworkTasks(backend, frameworkId);
  // A manager outside the election, on the same framework name and state: it subscribes as our framework.
  const rogue = await spawnManager(managerArgs(backend, stateDir, name));
  try {
    await eventually(() => /Framework failed over/.test(leader.manager.log()), 30_000);
  } finally {
    await rogue.kill('SIGKILL');
  }
  await eventually(() => /no longer primary: stopped acting/.test(leader.manager.log()), 30_000);
  assert.ok(alive(leader), 'the demoted leader is still running');
  const next = await leaderOf(replicas, 60_000);
  await waitForNodes(next.manager, 2, 60_000);
  assert.equal(await subscribedFramework(next.manager), frameworkId);
  const now = await frameworkTasks(backend, frameworkId);
  assert.deepEqual(
    now.completed.filter((task) => !before.completed.some((b) => b.id === task.id)),
    [],
    'nothing killed',
  );
});
