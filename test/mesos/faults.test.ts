// Faults around the Mesos driver, each ending with the same audit: every container the manager shows as running
// has exactly one live Mesos task, every live task of the framework belongs to one container (nothing orphaned),
// no container appears twice, and every client got an answer. Real containers on the real engines throughout,
// against the Mesos test double and real Mesos (MESOSWARM_TEST_MESOS); on real Mesos the faults hit a master and
// agents of the suite's own. Faults only the double can stage skip on real Mesos, saying so.
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import {
  doubleOnly,
  engineAgents,
  frameworkTasks,
  managerArgs,
  needBackend,
  releaseFramework,
  startMesosTestCluster,
  subscribedFramework,
  waitForNodes,
  type MesosBackend,
  type MesosTestCluster,
} from '../helpers/mesos.js';
import { startMesosBackend } from '../helpers/mesos-backend.js';
import { spawnManager, type ManagerProcess } from '../helpers/manager-process.js';
import type { DockerCli } from '../helpers/docker-cli.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** The audit every fault test ends with. Returns the running containers' task IDs. */
async function audit(docker: DockerCli, backend: MesosBackend, frameworkId: string): Promise<Map<string, string>> {
  const ids = (await docker.ok(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
  const inspected = ids.length
    ? (JSON.parse(await docker.ok(['inspect', ...ids])) as {
        Id: string;
        Name: string;
        State: { Running: boolean };
        Mesos: { TaskId: string } | null;
      }[])
    : [];
  const names = inspected.map((c) => c.Name);
  assert.equal(new Set(names).size, names.length, `no container listed twice: ${names.join(', ')}`);
  const running = new Map<string, string>();
  for (const c of inspected) if (c.State.Running) running.set(c.Mesos!.TaskId, c.Id);
  const live = (await frameworkTasks(backend, frameworkId)).live.filter((t) => !/KILLED|FINISHED|FAILED/.test(t.state));
  const liveIds = live.map((t) => t.id).sort();
  assert.deepEqual(liveIds, [...running.keys()].sort(), 'live Mesos tasks and running containers match one to one');
  return running;
}

test('manager killed -9 in the middle of launches: restarted, it shows every container once, nothing orphaned', async (t) => {
  if (!(await needBackend(t))) return;
  // On the double launches take 1.5 s on the agents, so the crash lands while some are accepted but not yet running;
  // real Mesos' agents are that slow by themselves.
  const backend = await startMesosBackend({
    double: { agents: engineAgents(1, { cpus: 8, mem: 8192 }), statusUpdateRetryMs: 500, launchDelayMs: 1500 },
  });
  cleanups.push(() => backend.close());
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-crash-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const name = uniquePrefix('crash').replace(/-$/, '');
  const args = managerArgs(backend, stateDir, name, ['mesos.tasktimeout=30s']);
  let manager: ManagerProcess = await spawnManager(args);
  cleanups.push(() => manager.kill());
  await waitForNodes(manager, 2);
  const frameworkId = await subscribedFramework(manager);
  cleanups.push(() => releaseFramework(backend, frameworkId, name));
  const live = async () => (await frameworkTasks(backend, frameworkId)).live;

  const steady: string[] = [];
  for (let i = 0; i < 3; i++) {
    steady.push(
      await manager.docker.ok(['run', '-d', '-m', '20m', '--name', `crash-steady-${i}`, 'busybox', 'sleep', '120']),
    );
  }
  const before = (await live()).length;
  const inFlight = Array.from({ length: 6 }, (_, i) =>
    manager.docker(['run', '-d', '-m', '20m', '--name', `crash-flight-${i}`, 'busybox', 'sleep', '120'], {
      timeoutMs: 30_000,
    }),
  );
  // Crash once Mesos has some of the new tasks (accepted, still launching).
  await eventually(async () => (await live()).length > before, 10_000, 20);
  await manager.kill('SIGKILL');
  const answers = await Promise.all(inFlight);
  assert.equal(answers.length, 6, 'every client got an answer (an error is an answer)');

  manager = await spawnManager(args, Number(manager.host.split(':').pop()));
  // After reconciliation, and the launches Mesos accepted before the crash finishing, the two views agree.
  const running = await eventually(
    async () => {
      try {
        return await audit(manager.docker, backend, frameworkId);
      } catch {
        return undefined;
      }
    },
    30_000,
    250,
  );
  for (const id of steady) {
    assert.equal(await manager.docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'running');
  }
  // A container whose launch was cut off is running (Mesos had it) or not started (Mesos never got it): never both,
  // never twice.
  for (let i = 0; i < 6; i++) {
    const container = `crash-flight-${i}`;
    const tasks = (await live()).filter((task) => task.id.startsWith(`${container}.`));
    assert.ok(tasks.length <= 1, `${container} launched at most once`);
    const shown = await manager.docker(['inspect', '--format', '{{.State.Status}}', container]);
    if (tasks.length === 1) assert.equal(shown.stdout.trim(), 'running', `${container} has a task, so it runs`);
    else if (shown.code === 0)
      assert.notEqual(shown.stdout.trim(), 'running', `${container} has no task, so it does not run`);
  }
  assert.ok(running.size >= 3);
});

let c: MesosTestCluster | undefined;
async function cluster(t: TestContext): Promise<MesosTestCluster | undefined> {
  if (!(await needBackend(t))) return undefined;
  if (!c) {
    c = await startMesosTestCluster({
      double: { heartbeatIntervalSeconds: 1, agentReregisterTimeoutMs: 600_000 },
      ownMesos: true,
      clusterOpts: ['mesos.tasktimeout=30s'],
    });
    cleanups.push(() => c!.close());
  }
  return c;
}

test('an agent removed and returned: its containers show as lost, then running again, never duplicated', async (t) => {
  const cl = await cluster(t);
  if (!cl) return;
  const docker = cl.m.docker;
  const id = await docker.ok(['run', '-d', '-m', '20m', '--name', 'fault-agent', 'busybox', 'sleep', '120']);
  const agentId = await docker.ok(['inspect', '--format', '{{.Mesos.AgentId}}', id]);
  await cl.backend.partitionAgent(agentId);
  await eventually(
    async () => (await docker.ok(['ps', '--filter', 'name=fault-agent', '--format', '{{.Status}}'])) === 'Host Down',
  );
  assert.equal(await docker.ok(['inspect', '--format', '{{.Mesos.Phase}}', id]), 'unreachable');
  await cl.backend.healAgent(agentId);
  await eventually(
    async () => (await docker.ok(['inspect', '--format', '{{.Mesos.Phase}}', id])) === 'running',
    30_000,
  );
  assert.match(await docker.ok(['ps', '--filter', 'name=fault-agent', '--format', '{{.Status}}']), /^Up /);
  await audit(docker, cl.backend, cl.frameworkId);
  await docker.ok(['rm', '-f', id]);
});

test('a heartbeat stall: the manager notices, re-subscribes with its framework ID, and launches again', async (t) => {
  if (doubleOnly(t, 'the double stalls the subscription stream (no bytes, the socket open)')) return;
  const cl = await cluster(t);
  if (!cl) return;
  const docker = cl.m.docker;
  const id = await docker.ok(['run', '-d', '-m', '20m', '--name', 'fault-stall-a', 'busybox', 'sleep', '120']);
  const framework = (await docker.ok(['info', '--format', '{{json .SystemStatus}}'])).match(
    /"Framework","([^"]+)"/,
  )![1];
  cl.sim!.stallStream(true);
  // 5 heartbeat intervals of silence (1 s each here) make the client drop the stream and subscribe again.
  await eventually(
    async () => /"Mesos","not subscribed/.test(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])),
    15_000,
  );
  cl.sim!.stallStream(false);
  await waitForNodes(cl.m, 2, 20_000);
  assert.match(
    await docker.ok(['info', '--format', '{{json .SystemStatus}}']),
    new RegExp(`"Framework","${framework}"`),
  );
  assert.equal(await docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'running');
  await docker.ok(['run', '-d', '-m', '20m', '--name', 'fault-stall-b', 'busybox', 'sleep', '120']);
  await audit(docker, cl.backend, cl.frameworkId);
});

test('first offers seconds after SUBSCRIBED (a loaded master): the idle manager still learns every agent', async (t) => {
  if (doubleOnly(t, 'the double holds back a framework’s first allocation; a real master’s comes when it comes'))
    return;
  if (!(await needBackend(t))) return;
  // Longer than the manager's idle hold: a manager that SUPPRESSed before its first offers would show no nodes.
  const late = await startMesosTestCluster({ double: { firstOfferDelayMs: 3000 } });
  cleanups.push(() => late.close());
  const status = new Map(
    JSON.parse(await late.m.docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][],
  );
  assert.equal(status.get('Nodes'), '2');
  await late.m.docker.ok(['run', '--rm', '-m', '20m', 'busybox', 'true']);
});

test('a master failover while containers run and a start waits: tasks kept, the start completes, once', async (t) => {
  const cl = await cluster(t);
  if (!cl) return;
  const docker = cl.m.docker;
  const id = await docker.ok(['run', '-d', '-m', '20m', '--name', 'fault-failover-a', 'busybox', 'sleep', '120']);
  // The master restarts, forgetting frameworks; agents come back to it with their tasks (on the double after 2 s), and
  // the next start has to wait for them.
  const restarted = cl.backend.restartMaster();
  const waiting = docker(['run', '-d', '-m', '20m', '--name', 'fault-failover-b', 'busybox', 'sleep', '120'], {
    timeoutMs: 30_000,
  });
  await restarted;
  const result = await waiting;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'running');
  await eventually(async () => {
    try {
      await audit(docker, cl.backend, cl.frameworkId);
      return true;
    } catch {
      return false;
    }
  }, 15_000);
  const tasks = (await cl.tasks()).live.filter((task) => task.id.startsWith('fault-failover-b.'));
  assert.equal(tasks.length, 1);
});

test('offers rescinded under a launch: Mesos drops the task, the manager places it again, once', async (t) => {
  if (doubleOnly(t, 'the double rescinds offers on demand, here between our ACCEPT and its arrival')) return;
  const cl = await cluster(t);
  if (!cl) return;
  const docker = cl.m.docker;
  const framework = (
    cl.m.manager.cluster as unknown as { framework: { client: { launch: (...args: unknown[]) => Promise<void> } } }
  ).framework;
  const original = framework.client.launch.bind(framework.client);
  let rescinded = 0;
  framework.client.launch = async (...args: unknown[]) => {
    // The race of the protocol reference: the offer is rescinded after we sent ACCEPT for it.
    if (rescinded === 0) rescinded = cl.sim!.rescindOffers({}).length;
    return original(...args);
  };
  try {
    const id = await docker.ok(['run', '-d', '-m', '20m', '--name', 'fault-rescind', 'busybox', 'sleep', '120']);
    assert.ok(rescinded > 0, 'the offers were rescinded under the first ACCEPT');
    assert.equal(await docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'running');
    const all = await cl.tasks();
    const live = all.live.filter((task) => task.id.startsWith('fault-rescind.'));
    assert.equal(live.length, 1, 'one live task');
    await audit(docker, cl.backend, cl.frameworkId);
  } finally {
    framework.client.launch = original;
  }
});

test('a journal that lost its container records: running tasks are rebuilt from their Docker labels', async (t) => {
  const cl = await cluster(t);
  if (!cl) return;
  const id = await cl.m.docker.ok(['run', '-d', '-m', '20m', '--name', 'fault-adopt', 'busybox', 'sleep', '120']);
  const taskId = await cl.m.docker.ok(['inspect', '--format', '{{.Mesos.TaskId}}', id]);
  await cl.m.close();
  // Keep the framework ID and agents, drop every container: as if the records had never been written.
  const path = join(cl.stateDir, cl.name, 'state.jsonl');
  const kept = (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line.startsWith('{"t":"framework"') || line.startsWith('{"t":"agent"'));
  await writeFile(path, `${kept.join('\n')}\n`);
  const m = await cl.restartManager();
  // Implicit reconciliation reports the task; the manager finds its container by the task label.
  const adopted = await eventually(
    async () => {
      const found = await m.docker([
        'inspect',
        '--format',
        '{{.Id}} {{.Name}} {{.State.Status}} {{.Mesos.TaskId}}',
        'fault-adopt',
      ]);
      return found.code === 0 ? found.stdout.trim() : undefined;
    },
    20_000,
    250,
  );
  assert.equal(adopted, `${id} /fault-adopt running ${taskId}`);
  await audit(m.docker, cl.backend, cl.frameworkId);
});
