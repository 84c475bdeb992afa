// Restart policies in mesos mode through the real docker CLI and docker-compose: the manager restarts (the agent's
// Docker is never given the policy), as dockerd defines them — on-failure:N stops after N restarts, always restarts
// with growing back-offs, a user's stop ends it for good, a manager killed -9 mid back-off restarts the container once
// after it recovers. Each restart is one new Mesos task for the same container. Against the Mesos test double and
// real Mesos (MESOSWARM_TEST_MESOS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import { pastEvents, run, type DockerCli } from '../helpers/docker-cli.js';
import { within } from '../helpers/deadline.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager-process.js';
import {
  frameworkTasks,
  managerArgs,
  mesosSuite,
  releaseFramework,
  subscribedFramework,
  waitForNodes,
  type MesosTestCluster,
} from '../helpers/mesos.js';

const P = uniquePrefix('rp');
const suite = mesosSuite();
const { cleanups } = suite;

interface Inspected {
  Id: string;
  RestartCount: number;
  State: { Status: string; ExitCode: number; Restarting: boolean };
  HostConfig: { RestartPolicy: { Name: string; MaximumRetryCount: number } };
  Mesos: { TaskId: string; Phase: string } | null;
}

const inspect = async (docker: DockerCli, ref: string): Promise<Inspected> =>
  JSON.parse(await docker.ok(['inspect', ref]))[0] as Inspected;

/** Every Mesos task the framework ran for a container, by its task ID prefix (`<name>.`). */
async function tasksOf(cl: { tasks(): ReturnType<MesosTestCluster['tasks']> }, name: string) {
  const { live, completed, unreachable } = await cl.tasks();
  return [...live, ...completed, ...unreachable].filter((t) => t.id.startsWith(`${name}.`));
}

/** The container's past events (action, time in ms), from the manager's history. */
async function eventsOf(docker: DockerCli, id: string, since: number): Promise<{ action: string; ms: number }[]> {
  return (await pastEvents(docker, since, [`container=${id}`], '{{.Action}} {{.TimeNano}}')).map((line) => {
    const [action, nanos] = line.split(' ');
    return { action: action!, ms: Number(BigInt(nanos!) / 1_000_000n) };
  });
}

test('docker run --restart on-failure:3 of a failing command: exactly 3 restarts, then exited, RestartCount 3', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const docker = suite.cluster.m.docker;
  const name = `${P}onfail`;
  const since = Date.now();
  const id = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--restart',
    'on-failure:3',
    '--name',
    name,
    'busybox',
    'sh',
    '-c',
    'exit 1',
  ]);
  await eventually(async () => {
    const s = await inspect(docker, id);
    return s.RestartCount === 3 && s.State.Status === 'exited' ? s : undefined;
  }, 60_000);
  const done = await inspect(docker, id);
  assert.equal(done.State.ExitCode, 1);
  assert.deepEqual(done.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal((await tasksOf(suite.cluster, name)).length, 4, 'one Mesos task per run: the first and three restarts');
  const actions = (await eventsOf(docker, id, since)).map((e) => e.action).filter((a) => a === 'start' || a === 'die');
  assert.deepEqual(
    actions,
    ['start', 'die', 'start', 'die', 'start', 'die', 'start', 'die'],
    'die then start, as dockerd',
  );
  // Nothing restarts it later: the fourth failure was the last (the next back-off would be 800 ms).
  await new Promise((resolve) => setTimeout(resolve, within(1_500)));
  assert.equal((await inspect(docker, id)).RestartCount, 3);
  assert.equal((await tasksOf(suite.cluster, name)).length, 4);
  await docker.ok(['rm', id]);
});

test('--restart always keeps restarting with growing back-offs; docker stop stops it for good; start resumes it', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const docker = suite.cluster.m.docker;
  const name = `${P}always`;
  const since = Date.now();
  const id = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--restart',
    'always',
    '--name',
    name,
    'busybox',
    'sh',
    '-c',
    'exit 2',
  ]);
  let seenRestarting = false;
  await eventually(
    async () => {
      const line = await docker.ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}']);
      if (/^Restarting \(2\) .* ago$/.test(line)) seenRestarting = true;
      return (await inspect(docker, id)).RestartCount >= 5 && seenRestarting;
    },
    90_000,
    50,
  );
  const events = await eventsOf(docker, id, since);
  const gaps: number[] = [];
  for (let i = 0; i + 1 < events.length; i++) {
    if (events[i]!.action === 'die' && events[i + 1]!.action === 'start') gaps.push(events[i + 1]!.ms - events[i]!.ms);
  }
  assert.ok(gaps.length >= 4, `restarts seen: ${gaps.join(', ')}`);
  // Each restart waited at least its back-off (100 ms, 200, 400, 800…); launches add their own time on top.
  gaps.slice(0, 4).forEach((gap, i) => assert.ok(gap >= 100 * 2 ** i - 5, `restart ${i + 1} after ${gap} ms`));

  await docker.ok(['stop', '-t', '1', id]);
  const stopped = await inspect(docker, id);
  assert.equal(stopped.State.Status, 'exited');
  const count = stopped.RestartCount;
  const tasks = (await tasksOf(suite.cluster, name)).length;
  // Past the longest back-off it could have had by now (a minute is the cap; this one is at most seconds).
  await new Promise((resolve) => setTimeout(resolve, within(2_000) + 100 * 2 ** count));
  assert.equal((await inspect(docker, id)).State.Status, 'exited', 'a user’s stop ends every policy');
  assert.equal((await tasksOf(suite.cluster, name)).length, tasks, 'no task after the stop');

  await docker.ok(['start', id]).catch(() => undefined); // it may exit before the answer: start reports a run
  await eventually(async () => (await inspect(docker, id)).RestartCount >= 1, 30_000);
  assert.ok((await inspect(docker, id)).RestartCount < count, 'docker start counts from zero again');
  await docker.ok(['rm', '-f', id]);
});

test('docker update --restart changes the policy the manager follows; manual restarts are not counted', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const docker = suite.cluster.m.docker;
  const name = `${P}update`;
  const id = await docker.ok(['run', '-d', '-m', '20m', '--name', name, 'busybox', 'sh', '-c', 'sleep 2; exit 4']);
  await docker.ok(['restart', '-t', '0', id]);
  assert.equal((await inspect(docker, id)).RestartCount, 0, 'a docker restart is not a policy restart');
  await docker.ok(['update', '--restart', 'on-failure:1', id]);
  assert.deepEqual((await inspect(docker, id)).HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 1 });
  await eventually(async () => {
    const s = await inspect(docker, id);
    return s.RestartCount === 1 && s.State.Status === 'exited';
  }, 60_000);
  const bad = await docker(['update', '--restart', 'sometimes', id]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /restart policy/);
  await docker.ok(['rm', id]);
});

test('compose restart: always — the service is restarted by the manager', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const work = await mkdtemp(join(tmpdir(), 'mst-restart-compose-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const file = join(work, 'docker-compose.yml');
  await writeFile(
    file,
    [
      'version: "2"',
      'services:',
      '  flaky:',
      '    image: busybox',
      '    mem_limit: 32m',
      '    restart: always',
      '    command: sh -c "sleep 1; exit 3"',
      '',
    ].join('\n'),
  );
  const project = `${P}compose`.replace(/[^a-z0-9_-]/g, '');
  const compose = (args: string[]) =>
    run('docker-compose', ['-p', project, '-f', file, ...args], suite.cluster!.m.host, { timeoutMs: within(90_000) });
  cleanups.push(() => compose(['down', '-t', '0']));
  const up = await compose(['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  const ids = (await compose(['ps', '-q'])).stdout.split('\n').filter(Boolean);
  assert.equal(ids.length, 1);
  await eventually(async () => (await inspect(suite.cluster!.m.docker, ids[0]!)).RestartCount >= 2, 60_000);
  assert.equal((await inspect(suite.cluster.m.docker, ids[0]!)).HostConfig.RestartPolicy.Name, 'always');
});

test('the manager killed -9 mid back-off restarts the container once it recovers, and only once', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-restart-crash-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const fw = uniquePrefix('rpcrash').replace(/-$/, '');
  const args = managerArgs(suite.cluster.backend, stateDir, fw);
  let manager: ManagerProcess = await spawnManager(args);
  cleanups.push(() => manager.kill());
  await waitForNodes(manager, (await suite.cluster.backend.agents()).length);
  const frameworkId = await subscribedFramework(manager);
  cleanups.push(() => releaseFramework(suite.cluster!.backend, frameworkId, fw));
  const cl = { tasks: () => frameworkTasks(suite.cluster!.backend, frameworkId) };
  const name = `${P}crash`;
  // Six restarts reach a 3.2 s back-off (100 ms doubling); the seventh is the last on-failure:7 allows.
  const id = await manager.docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--restart',
    'on-failure:7',
    '--name',
    name,
    'busybox',
    'sh',
    '-c',
    'exit 5',
  ]);
  await eventually(
    async () => {
      const s = await inspect(manager.docker, id);
      return s.RestartCount === 6 && s.Mesos?.Phase === 'queued';
    },
    90_000,
    50,
  );
  await manager.kill('SIGKILL');
  const tasksAtCrash = (await tasksOf(cl, name)).length;
  assert.equal(tasksAtCrash, 6, 'six runs so far; the seventh restart was waiting its back-off');
  manager = await spawnManager(args);
  await eventually(async () => {
    const s = await inspect(manager.docker, id);
    return s.RestartCount === 7 && s.State.Status === 'exited';
  }, 60_000);
  await new Promise((resolve) => setTimeout(resolve, within(1_000)));
  assert.equal(
    (await tasksOf(cl, name)).length,
    8,
    'one task for each of the 7 restarts and the first run: none twice',
  );
  await manager.docker.ok(['rm', id]);
});
