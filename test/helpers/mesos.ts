// A Mesos cluster for a test: the Mesos test double (master and agents, in `docker` mode on the two real engines,
// or `sim` mode without containers) and a manager in mesos mode pointed at it, with its own state directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMesosSim, type MesosSim, type MesosSimOptions, type AgentSpec } from '../mesos-sim/index.js';
import { startTestManager, eventually, type TestManager } from './manager.js';
import type { ManageFlags } from '../../src/cli/options.js';
import type { DockerCli, RunningCli } from './docker-cli.js';

export interface MesosTestCluster {
  readonly sim: MesosSim;
  readonly m: TestManager;
  readonly stateDir: string;
  /** Restarts the manager in-process on the same state directory (a clean stop, not a crash). */
  restartManager(): Promise<TestManager>;
  close(): Promise<void>;
}

/** One agent per real engine, reachable by the manager at 127.0.0.1:<docker_port>. */
export function engineAgents(perEngine = 1, spec: AgentSpec = {}): AgentSpec[] {
  const engines = [
    { dockerHost: 'unix:///var/run/docker.sock', dockerPort: 2375 },
    { dockerHost: 'unix:///var/run/docker-node2.sock', dockerPort: 2385 },
  ];
  const out: AgentSpec[] = [];
  for (let i = 0; i < perEngine; i++)
    for (const engine of engines) out.push({ cpus: 2, mem: 2048, ...engine, ...spec });
  return out;
}

export async function startMesosTestCluster(
  simOptions: MesosSimOptions = {},
  flags: Partial<ManageFlags> = {},
  clusterOpts: string[] = [],
): Promise<MesosTestCluster> {
  const sim = await startMesosSim({
    executor: 'docker',
    agents: engineAgents(),
    allocationIntervalMs: 50,
    defaultKillGraceSeconds: 1,
    statusUpdateRetryMs: 1000,
    ...simOptions,
  });
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-state-'));
  const start = () =>
    startTestManager(
      {
        clusterDriver: 'mesos-experimental',
        clusterOpt: ['mesos.user=root', `mesos.statedir=${stateDir}`, 'mesos.tasktimeout=20s', ...clusterOpts],
        ...flags,
      },
      `127.0.0.1:${sim.port}`,
    );
  let m = await start();
  await waitForNodes(m, sim.agents().length);
  return {
    sim,
    get m() {
      return m;
    },
    stateDir,
    async restartManager() {
      await m.close();
      m = await start();
      await waitForNodes(m, sim.agents().length);
      return m;
    },
    async close() {
      await m.close().catch(() => undefined);
      await sim.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates a container no agent of the double can take (64 GiB; engineAgents() have 2 GiB) and starts it: it waits
 * in the queue until its task timeout or its removal. Returns the `docker start`, still waiting, to stop afterwards.
 */
export async function startUnplaceable(docker: DockerCli, name: string): Promise<RunningCli> {
  await docker.ok(['create', '--name', name, '-m', '64g', 'busybox', 'sleep', '1']);
  return docker.start(['start', name]);
}

/** Waits until the manager is subscribed and knows `count` agents (their first offers arrived). */
export async function waitForNodes(m: TestManager, count: number, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => {
    const info = await m.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
    const pairs = new Map(JSON.parse(info) as [string, string][]);
    return pairs.get('Mesos') === 'subscribed' && Number(pairs.get('Nodes')) >= count;
  }, timeoutMs);
}

export interface MasterTask {
  id: string;
  state: string;
  slave_id: string;
}

/** The master's /state, as an operator reads it: every framework's live and completed tasks. */
export async function masterTasks(sim: MesosSim): Promise<{ live: MasterTask[]; completed: MasterTask[] }> {
  const state = (await (await fetch(`${sim.url}/state`)).json()) as {
    frameworks: { tasks: MasterTask[]; completed_tasks: MasterTask[] }[];
  };
  return {
    live: state.frameworks.flatMap((f) => f.tasks),
    completed: state.frameworks.flatMap((f) => f.completed_tasks),
  };
}
