// Restarts that must kill nothing: the manager killed -9, a Mesos agent restarted, the Mesos master restarted (its
// registry in memory, so it forgets every framework). Each time the containers keep running in Docker (same
// container, same start time), the manager lists them as before, and Mesos knows one framework with the same ID.
// Also what the classic default (mesos.checkpointfailover=false) does on an agent restart: every task on it ends.
// Against the Mesos test double and real Mesos (MESOSWARM_TEST_MESOS), on a master and agents of the suite's own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import { dockerCli, type DockerCli } from '../helpers/docker-cli.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager-process.js';
import { startMesosBackend } from '../helpers/mesos-backend.js';
import {
  frameworkTasks,
  managerArgs,
  needBackend,
  releaseFramework,
  startMesosTestCluster,
  subscribedFramework,
  waitForNodes,
  type MesosBackend,
} from '../helpers/mesos.js';

let backend: MesosBackend | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  if (!(await needBackend())) return;
  backend = await startMesosBackend({ ownMesos: true, double: { statusUpdateRetryMs: 500 } });
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await backend?.close();
});

/** What a running container is in Docker: its engine-side ID and start time (a restarted one has a new time). */
async function dockerSides(docker: DockerCli, ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const [dockerId, addr, taskId] = (
      await docker.ok(['inspect', '--format', '{{.Mesos.DockerId}} {{.Node.Addr}} {{.Mesos.TaskId}}', id])
    ).split(' ');
    const engine = dockerCli(`tcp://${addr}`);
    const side = await engine.ok(['inspect', '--format', '{{.State.Running}} {{.State.StartedAt}}', dockerId!]);
    out.push(`${id} ${taskId} ${dockerId} ${side}`);
  }
  return out;
}

async function runSleepers(docker: DockerCli, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(await docker.ok(['run', '-d', '-m', '20m', '--name', `${prefix}${i}`, 'busybox', 'sleep', '300']));
  return ids;
}

const runningIds = async (docker: DockerCli) =>
  (await docker.ok(['ps', '-q', '--no-trunc'])).split('\n').filter(Boolean).sort();

test('manager killed -9 with running containers: none killed, all listed after the restart, one framework', async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-kill9-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const name = uniquePrefix('kill9').replace(/-$/, '');
  const args = managerArgs(backend, stateDir, name);
  let manager: ManagerProcess = await spawnManager(args);
  cleanups.push(() => manager.kill());
  await waitForNodes(manager, 2);
  const frameworkId = await subscribedFramework(manager);
  cleanups.push(() => releaseFramework(backend!, frameworkId, name));
  const ids = await runSleepers(manager.docker, 'kill9-', 3);
  const before = await dockerSides(manager.docker, ids);
  assert.ok(
    before.every((line) => line.includes(' true ')),
    before.join('\n'),
  );

  await manager.kill('SIGKILL');
  manager = await spawnManager(args, Number(manager.host.split(':').pop()));
  await waitForNodes(manager, 2);
  assert.equal(await subscribedFramework(manager), frameworkId, 'the same framework ID');
  assert.deepEqual(await runningIds(manager.docker), [...ids].sort(), 'every container listed, running');
  assert.deepEqual(await dockerSides(manager.docker, ids), before, 'the same Docker containers, never restarted');
  const state = await backend.state();
  const ours = state.frameworks.filter((f) => f.name === name);
  assert.deepEqual(
    ours.map((f) => [f.id, f.active, f.tasks.length]),
    [[frameworkId, true, 3]],
    'one framework in the master, active again, with its three tasks',
  );
  assert.equal((await frameworkTasks(backend, frameworkId)).completed.length, 0, 'no task ended');
});

test('an agent restarted under running containers: recovered, still running and listed (checkpointing on)', async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const c = await startMesosTestCluster({ backend });
  cleanups.push(() => c.close());
  assert.equal((await c.framework())?.checkpoint, true, 'the default registers with checkpoint: true');
  const ids = await runSleepers(c.m.docker, 'agent-rs-', 2);
  const agentId = await c.m.docker.ok(['inspect', '--format', '{{.Mesos.AgentId}}', ids[0]!]);
  const before = await dockerSides(c.m.docker, ids);
  const tasksBefore = (await c.tasks()).live.map((task) => `${task.id} ${task.slave_id} ${task.state}`).sort();

  await backend.restartAgent(agentId);
  assert.ok(
    (await backend.agents()).some((a) => a.id === agentId),
    'the agent is back with its ID',
  );
  await waitForNodes(c.m, 2);
  assert.deepEqual(await runningIds(c.m.docker), [...ids].sort(), 'both listed, running');
  assert.deepEqual(await dockerSides(c.m.docker, ids), before, 'the same Docker containers, never restarted');
  const tasksAfter = await eventually(async () => {
    const live = (await c.tasks()).live.map((task) => `${task.id} ${task.slave_id} ${task.state}`).sort();
    return live.join() === tasksBefore.join() ? live : undefined;
  }, 20_000);
  assert.deepEqual(tasksAfter, tasksBefore, 'the master has the same tasks, running');
  assert.deepEqual((await c.tasks()).completed, []);
  // The restarted agent takes new work.
  await c.m.docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '-e',
    `constraint:node==${await nodeOf(c.m.docker, ids[0]!)}`,
    'busybox',
    'true',
  ]);
});

test("an agent restarted with mesos.checkpointfailover=false (classic Swarm's default): its tasks are lost", async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const c = await startMesosTestCluster({ backend, clusterOpts: ['mesos.checkpointfailover=false'] });
  cleanups.push(() => c.close());
  assert.equal((await c.framework())?.checkpoint, false);
  const [id] = await runSleepers(c.m.docker, 'agent-nocp-', 1);
  const agentId = await c.m.docker.ok(['inspect', '--format', '{{.Mesos.AgentId}}', id!]);
  const [, , dockerId] = (await dockerSides(c.m.docker, [id!]))[0]!.split(' ');
  const addr = await c.m.docker.ok(['inspect', '--format', '{{.Node.Addr}}', id!]);

  await backend.restartAgent(agentId);
  // The agent gone, its executor stops the container; the master reports the task lost.
  const ended = await eventually(
    async () => (await c.tasks()).completed.find((task) => task.id.startsWith('agent-nocp-0.')),
    30_000,
  );
  assert.equal(ended.state, 'TASK_LOST');
  await eventually(
    async () =>
      (await dockerCli(`tcp://${addr}`)(['inspect', '--format', '{{.State.Running}}', dockerId!])).stdout.trim() !==
      'true',
    30_000,
  );
  await eventually(
    async () => (await c.m.docker.ok(['inspect', '--format', '{{.State.Running}}', id!])) === 'false',
    15_000,
  );
});

test('the master restarted (registry in memory): agents and the framework re-register, nothing is killed', async (t) => {
  if (!backend) return t.skip('no Mesos backend');
  const c = await startMesosTestCluster({ backend, clusterOpts: ['mesos.tasktimeout=30s'] });
  cleanups.push(() => c.close());
  const ids = await runSleepers(c.m.docker, 'master-rs-', 2);
  const before = await dockerSides(c.m.docker, ids);
  const agentsBefore = (await backend.agents()).map((a) => a.id).sort();
  const oldMaster = (await backend.state()).id;

  await backend.restartMaster();
  await eventually(async () => (await c.framework())?.active === true, 30_000);
  const state = await backend.state();
  assert.notEqual(state.id, oldMaster, 'a new master (a new master ID)');
  assert.deepEqual(state.slaves.map((a) => a.id).sort(), agentsBefore, 'the same agents re-registered');
  assert.deepEqual(
    state.frameworks.filter((f) => f.name === c.name).map((f) => f.id),
    [c.frameworkId],
    'the framework re-subscribed with its ID, once',
  );
  await eventually(async () => (await c.tasks()).live.length === 2, 20_000);
  assert.deepEqual(await runningIds(c.m.docker), [...ids].sort());
  assert.deepEqual(await dockerSides(c.m.docker, ids), before, 'the same Docker containers, never restarted');
  // And the restarted master gives offers: a new container starts.
  await c.m.docker.ok(['run', '-d', '-m', '20m', 'busybox', 'true']);
});

async function nodeOf(docker: DockerCli, id: string): Promise<string> {
  return docker.ok(['inspect', '--format', '{{.Node.Name}}', id]);
}
