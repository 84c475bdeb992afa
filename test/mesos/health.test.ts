// Docker HEALTHCHECKs in mesos mode, through the real docker CLI and docker-compose: the check is Mesos' own (the
// TaskInfo's COMMAND health check, run by the agent's docker executor with `docker exec`), never dockerd's; the
// manager shows it as Docker does (State.Health, `(healthy)` in ps, `--filter health=`, `health_status` events)
// from the executor's TASK_RUNNING `healthy` reports. Without a restart policy an unhealthy container keeps running;
// with one, Mesos kills it after the retries and the policy relaunches it. Against the Mesos test double and real
// Mesos (MESOSWARM_TEST_MESOS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import { dockerCli, run, type DockerCli } from '../helpers/docker-cli.js';
import { within } from '../helpers/deadline.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager-process.js';
import { managerArgs, mesosSuite, releaseFramework, subscribedFramework, waitForNodes } from '../helpers/mesos.js';

const P = uniquePrefix('hc');
const suite = mesosSuite();
const { cleanups } = suite;

/** The `docker run` of a long-running busybox with a Docker HEALTHCHECK; `extra` goes before the check's flags. */
function healthRun(
  name: string,
  check: { cmd: string; interval: string; retries?: number },
  extra: string[] = [],
): string[] {
  const retries = check.retries === undefined ? [] : ['--health-retries', String(check.retries)];
  return [
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    name,
    ...extra,
    '--health-cmd',
    check.cmd,
    '--health-interval',
    check.interval,
    ...retries,
    'busybox',
    'sleep',
    '300',
  ];
}

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}
interface Inspected {
  Id: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; Health?: Health };
  Config: { Healthcheck?: { Test: string[] } };
  Mesos: { TaskId: string; Phase: string } | null;
}

const inspect = async (docker: DockerCli, ref: string): Promise<Inspected> =>
  JSON.parse(await docker.ok(['inspect', ref]))[0] as Inspected;

const psStatus = (docker: DockerCli, name: string) =>
  docker.ok(['ps', '-a', '--filter', `name=^/?(.*/)?${name}$`, '--format', '{{.Status}}']);

const psNames = async (docker: DockerCli, filter: string) =>
  (await docker.ok(['ps', '--filter', filter, '--format', '{{.Names}}'])).split('\n').filter(Boolean);

/** The container's past events' actions, from the manager's history. */
async function actionsOf(docker: DockerCli, id: string, since: number): Promise<string[]> {
  const out = await docker.ok([
    'events',
    '--since',
    String(since / 1000),
    '--until',
    String(Date.now() / 1000 + 1),
    '--filter',
    `container=${id}`,
    '--format',
    '{{.Action}}',
  ]);
  return out.split('\n').filter(Boolean);
}

/** The Mesos task (as the master's /state lists it) that carries a container now. */
async function masterTask(id: string, docker: DockerCli) {
  const taskId = (await inspect(docker, id)).Mesos!.TaskId;
  // The master lists it once it has the task: wait for that rather than read a /state from before.
  const listed = await eventually(async () => (await suite.cluster!.tasks()).live.find((t) => t.id === taskId), 10_000);
  return listed as unknown as Record<string, unknown> & {
    health_check?: Record<string, unknown>;
    statuses?: { healthy?: boolean }[];
  };
}

/** `healthy` of the task's last status as the master lists it (one status per state in a row). */
async function masterHealthy(id: string, docker: DockerCli): Promise<boolean | undefined> {
  const statuses = ((await masterTask(id, docker))?.statuses ?? []) as { state: string; healthy?: boolean }[];
  return statuses.filter((s) => s.state === 'TASK_RUNNING').at(-1)?.healthy;
}

test('--health-cmd without a policy: starting, then unhealthy and still running; healthy once the check passes', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const docker = suite.cluster.m.docker;
  const name = `${P}plain`;
  const since = Date.now();
  const id = await docker.ok(healthRun(name, { cmd: 'test -f /tmp/ok', interval: '1s', retries: 3 }));
  cleanups.push(() => docker(['rm', '-f', id]));
  // Three failures a second apart before it is unhealthy: it starts as `starting`.
  assert.match(await psStatus(docker, name), /^Up .* \(health: starting\)$/);
  assert.ok((await psNames(docker, 'health=starting')).some((n) => n.endsWith(name)));

  // The check is Mesos', never dockerd's: a COMMAND check on the TaskInfo that never kills (no policy).
  const task = await masterTask(id, docker);
  assert.equal(task?.health_check?.type, 'COMMAND', JSON.stringify(task));
  assert.deepEqual(task?.health_check?.command, { shell: true, value: 'test -f /tmp/ok' });
  assert.equal(task?.health_check?.consecutive_failures, 2 ** 32 - 1);
  assert.equal(task?.health_check?.interval_seconds, 1);

  await eventually(async () => /^Up .* \(unhealthy\)$/.test(await psStatus(docker, name)), 30_000);
  assert.ok((await psNames(docker, 'health=unhealthy')).some((n) => n.endsWith(name)));
  assert.ok(!(await psNames(docker, 'health=healthy')).some((n) => n.endsWith(name)));
  assert.ok(!(await psNames(docker, 'health=none')).some((n) => n.endsWith(name)));
  // Mesos knows it too: the master keeps the last report as the task's TASK_RUNNING status.
  assert.equal(await masterHealthy(id, docker), false);
  const sick = await inspect(docker, id);
  assert.equal(sick.State.Health?.Status, 'unhealthy');
  assert.ok(sick.State.Health!.FailingStreak >= 3, `FailingStreak ${sick.State.Health!.FailingStreak}`);
  assert.ok(sick.State.Health!.Log.length > 0 && sick.State.Health!.Log.every((e) => e.ExitCode === 1));
  assert.deepEqual(sick.Config.Healthcheck?.Test, ['CMD-SHELL', 'test -f /tmp/ok']);
  // Docker keeps an unhealthy container running: failures past the retries kill nothing.
  const streak = sick.State.Health!.FailingStreak;
  await eventually(async () => (await inspect(docker, id)).State.Health!.FailingStreak >= streak + 2, 30_000);
  const still = await inspect(docker, id);
  assert.equal(still.State.Running, true);
  assert.equal(still.Mesos?.TaskId, sick.Mesos?.TaskId, 'the same task');
  assert.equal(still.RestartCount, 0);

  await docker.ok(['exec', id, 'touch', '/tmp/ok']);
  await eventually(async () => /^Up .* \(healthy\)$/.test(await psStatus(docker, name)), 30_000);
  const well = await inspect(docker, id);
  assert.equal(well.State.Health?.Status, 'healthy');
  assert.equal(well.State.Health?.FailingStreak, 0);
  assert.equal(well.State.Health?.Log.at(-1)?.ExitCode, 0);
  assert.ok((await psNames(docker, 'health=healthy')).some((n) => n.endsWith(name)));
  const actions = (await actionsOf(docker, id, since)).filter((a) => a.startsWith('health_status'));
  assert.deepEqual(actions, ['health_status: unhealthy', 'health_status: healthy'], 'one event per change');
  assert.equal(await masterHealthy(id, docker), true);
  await docker.ok(['rm', '-f', id]);
});

test('--restart always with a failing check: Mesos kills it unhealthy, the policy relaunches it, starting again', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const docker = suite.cluster.m.docker;
  const name = `${P}restart`;
  const since = Date.now();
  const id = await docker.ok(
    healthRun(name, { cmd: 'exit 1', interval: '2s', retries: 2 }, ['--restart', 'always', '--stop-timeout', '1']),
  );
  cleanups.push(() => docker(['rm', '-f', id]));
  const first = await inspect(docker, id);
  assert.equal((await masterTask(id, docker))?.health_check?.consecutive_failures, 2, "Docker's retries");
  const restarted = await eventually(async () => {
    const s = await inspect(docker, id);
    return s.RestartCount >= 1 && s.State.Running && s.Mesos?.TaskId !== first.Mesos?.TaskId ? s : undefined;
  }, 60_000);
  // The new task is checked from the start again (its first failure is below the retries).
  assert.notEqual(restarted.State.Health?.Status, 'healthy');
  const actions = await actionsOf(docker, id, since);
  const order = actions.filter((a) => ['start', 'die', 'health_status: unhealthy'].includes(a));
  assert.deepEqual(order.slice(0, 4), ['start', 'health_status: unhealthy', 'die', 'start'], actions.join(', '));
  // And it goes unhealthy again, a change of its own (health restarts at `starting` with each task).
  await eventually(async () => {
    const all = await actionsOf(docker, id, since);
    return all.filter((a) => a === 'health_status: unhealthy').length >= 2;
  }, 60_000);
  await docker.ok(['rm', '-f', id]);
});

test("an image's HEALTHCHECK is run with no flags: healthy", async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const docker = suite.cluster.m.docker;
  const image = `${P}hcimage:1`.toLowerCase();
  // Built on every agent's engine, so whichever Mesos picks has it (Mesos would pull it from a registry otherwise).
  for (const agent of await suite.cluster.agents()) {
    const engine = dockerCli(`tcp://127.0.0.1:${agent.dockerPort}`);
    await engine.ok(['build', '-q', '-t', image, '-'], {
      input: 'FROM busybox\nHEALTHCHECK --interval=1s CMD true\n',
      env: { DOCKER_BUILDKIT: '0' },
    });
    cleanups.push(() => engine(['rmi', '-f', image]));
  }
  const name = `${P}image`;
  const id = await docker.ok(['run', '-d', '-m', '20m', '--name', name, image, 'sleep', '300']);
  cleanups.push(() => docker(['rm', '-f', id]));
  await eventually(async () => /^Up .* \(healthy\)$/.test(await psStatus(docker, name)), 30_000);
  const s = await inspect(docker, id);
  assert.deepEqual(s.Config.Healthcheck?.Test, ['CMD-SHELL', 'true']);
  assert.equal(s.State.Health?.Status, 'healthy');
  // `--no-healthcheck` turns the image's off: nothing to show.
  const off = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--no-healthcheck',
    '--name',
    `${name}off`,
    image,
    'sleep',
    '300',
  ]);
  cleanups.push(() => docker(['rm', '-f', off]));
  assert.equal((await inspect(docker, off)).State.Health, undefined);
  assert.equal((await masterTask(off, docker))?.health_check, undefined);
  assert.match(await psStatus(docker, `${name}off`), /^Up [^(]*$/);
  await docker.ok(['rm', '-f', id, off]);
});

test('compose depends_on condition: service_healthy starts the dependent after the healthy one', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const work = await mkdtemp(join(tmpdir(), 'mst-health-compose-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const file = join(work, 'docker-compose.yml');
  await writeFile(
    file,
    [
      'version: "2.1"',
      'services:',
      '  db:',
      '    image: busybox',
      '    mem_limit: 32m',
      '    command: sh -c "sleep 3; touch /tmp/ready; sleep 300"',
      '    healthcheck:',
      '      test: ["CMD", "test", "-f", "/tmp/ready"]',
      '      interval: 1s',
      '      retries: 30',
      '  app:',
      '    image: busybox',
      '    mem_limit: 32m',
      '    command: sleep 300',
      '    depends_on:',
      '      db:',
      '        condition: service_healthy',
      '',
    ].join('\n'),
  );
  const project = `${P}compose`.replace(/[^a-z0-9_-]/g, '');
  const compose = (args: string[]) =>
    run('docker-compose', ['-p', project, '-f', file, ...args], suite.cluster!.m.host, { timeoutMs: within(120_000) });
  cleanups.push(() => compose(['down', '-t', '0']));
  const up = await compose(['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  const id = async (service: string) => (await compose(['ps', '-q', service])).stdout.trim();
  const db = await inspect(suite.cluster.m.docker, await id('db'));
  const app = await inspect(suite.cluster.m.docker, await id('app'));
  assert.equal(db.State.Health?.Status, 'healthy');
  const healthyAt = Date.parse(db.State.Health!.Log.find((e) => e.ExitCode === 0)!.End);
  const appStarted = Date.parse((app.State as unknown as { StartedAt: string }).StartedAt);
  assert.ok(appStarted >= healthyAt - 1000, `app started ${appStarted - healthyAt} ms after db was healthy`);
  assert.equal(app.State.Running, true);
});

test('a manager killed -9 shows the running task healthy again after it recovers', async (t) => {
  if (!suite.cluster) return t.skip('no Mesos backend');
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-health-crash-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const fw = uniquePrefix('hccrash').replace(/-$/, '');
  const args = managerArgs(suite.cluster.backend, stateDir, fw);
  let manager: ManagerProcess = await spawnManager(args);
  cleanups.push(() => manager.kill());
  await waitForNodes(manager, (await suite.cluster.backend.agents()).length);
  const frameworkId = await subscribedFramework(manager);
  cleanups.push(() => releaseFramework(suite.cluster!.backend, frameworkId, fw));
  const id = await manager.docker.ok(healthRun(`${P}crash`, { cmd: 'true', interval: '1s' }));
  await eventually(async () => (await inspect(manager.docker, id)).State.Health?.Status === 'healthy', 30_000);
  await manager.kill('SIGKILL');
  manager = await spawnManager(args);
  // A passing check reports nothing more: what is shown comes from the journal (and reconciliation's `healthy`).
  await eventually(async () => (await inspect(manager.docker, id)).State.Health?.Status === 'healthy', 30_000);
  assert.ok((await psNames(manager.docker, 'health=healthy')).some((n) => n.endsWith(`${P}crash`)));
  await manager.docker.ok(['rm', '-f', id]);
});
