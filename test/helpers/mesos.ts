// A Mesos cluster for a test: a Mesos backend (the test double or real Apache Mesos, see mesos-backend.ts) and a
// manager in mesos mode pointed at it, with its own state directory and framework name. What the master knows is
// read from its /state, narrowed to this manager's framework (real Mesos' master is shared by the suites).
import { before, after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestManager, eventually, uniquePrefix, type TestManager } from './manager.js';
import { removeContainersUnder, teardown, type StateFramework, type StateTask } from './real-mesos.js';
import { removeZkTrees } from './zookeeper.js';
import {
  ON_REAL_MESOS,
  needBackend,
  startMesosBackend,
  type AgentInfo,
  type BackendOptions,
  type MesosBackend,
} from './mesos-backend.js';
import type { ManageFlags } from '../../src/cli/options.js';
import type { DockerCli, RunningCli } from './docker-cli.js';
import type { MesosSim } from '../mesos-sim/index.js';

export { engineAgents, needBackend, doubleOnly, oncePerRun, BACKEND, ON_REAL_MESOS } from './mesos-backend.js';
export type { AgentInfo, MesosBackend } from './mesos-backend.js';
export type MasterTask = StateTask;

export interface ClusterOptions extends BackendOptions {
  /** A backend the test started (and closes) itself, instead of one of the cluster's own. */
  backend?: MesosBackend;
  /** More --cluster-opt values (they win over the helper's). */
  clusterOpts?: string[];
  flags?: Partial<ManageFlags>;
}

export interface MesosTestCluster {
  readonly backend: MesosBackend;
  /** The double (for its own fault switches), undefined on real Mesos. */
  readonly sim: MesosSim | undefined;
  readonly m: TestManager;
  readonly stateDir: string;
  /** The framework name, unique to this cluster. */
  readonly name: string;
  /** The manager's framework ID (read once subscribed). */
  readonly frameworkId: string;
  tasks(): Promise<FrameworkTasks>;
  /** The framework as the master lists it (undefined once it is gone). */
  framework(): Promise<StateFramework | undefined>;
  agents(): Promise<AgentInfo[]>;
  /** Restarts the manager in-process on the same state directory (a clean stop, not a crash). */
  restartManager(): Promise<TestManager>;
  close(): Promise<void>;
}

export interface FrameworkTasks {
  live: MasterTask[];
  unreachable: MasterTask[];
  completed: MasterTask[];
}

/** The cluster options every test manager gets: its user, state directory and framework name. */
export function managerClusterOpts(stateDir: string, name: string): string[] {
  return [
    'mesos.user=root',
    `mesos.statedir=${stateDir}`,
    `mesos.name=${name}`,
    'mesos.tasktimeout=20s',
    // A test that dies leaves a framework on the shared master; its tasks go when this runs out, not in a week.
    ...(ON_REAL_MESOS ? ['mesos.failovertimeout=15m'] : []),
  ];
}

/** `mesoswarm manage` arguments for a manager process on this backend. */
export function managerArgs(backend: MesosBackend, stateDir: string, name: string, clusterOpts: string[] = []) {
  return [
    '-c',
    'mesos-experimental',
    ...[...managerClusterOpts(stateDir, name), ...clusterOpts].flatMap((o) => ['--cluster-opt', o]),
    backend.master,
  ];
}

export async function startMesosTestCluster(options: ClusterOptions = {}): Promise<MesosTestCluster> {
  const backend = options.backend ?? (await startMesosBackend(options));
  const closeBackend = options.backend ? async () => undefined : () => backend.close();
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-state-'));
  const name = uniquePrefix('fw').replace(/-$/, '');
  const agentCount = (await backend.agents()).length;
  const start = () =>
    startTestManager(
      {
        clusterDriver: 'mesos-experimental',
        clusterOpt: [...managerClusterOpts(stateDir, name), ...(options.clusterOpts ?? [])],
        ...options.flags,
      },
      backend.master,
    );
  let m: TestManager | undefined;
  let frameworkId: string;
  try {
    m = await start();
    await waitForNodes(m, agentCount).catch(async (err: Error) => {
      // Which framework holds the agents' offers, or which agent is gone, is what such a failure needs.
      const seen = await backend.state().then(
        (s) =>
          JSON.stringify({
            agents: s.slaves.map((a) => `${a.id} active=${a.active}`),
            frameworks: s.frameworks.map(
              (f) => `${f.name} active=${f.active} offers=${f.offers.length} tasks=${f.tasks.length}`,
            ),
          }),
        (e: Error) => `master state unavailable: ${e.message}`,
      );
      throw new Error(`${err.message}; the master showed ${seen}`, { cause: err });
    });
    frameworkId = await subscribedFramework(m);
  } catch (err) {
    // A manager left running would keep the test process alive after its last test.
    await m?.close().catch(() => undefined);
    await closeBackend();
    await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
  let manager = m;
  return {
    backend,
    get sim() {
      return backend.sim;
    },
    get m() {
      return manager;
    },
    stateDir,
    name,
    frameworkId,
    tasks: async () => frameworkTasks(backend, frameworkId),
    framework: async () => (await backend.state()).frameworks.find((f) => f.id === frameworkId),
    agents: () => backend.agents(),
    async restartManager() {
      await manager.close();
      manager = await start();
      await waitForNodes(manager, agentCount);
      return manager;
    },
    async close() {
      await manager.close().catch(() => undefined);
      await releaseFramework(backend, frameworkId, name);
      await closeBackend();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * What a test leaves of a framework, gone: on real Mesos the operator's TEARDOWN (every task killed, the resources
 * back), its containers removed from the engines, and the framework ID the manager kept in ZooKeeper. The double's
 * close() removes its containers itself.
 */
export async function releaseFramework(backend: MesosBackend, frameworkId: string, name: string): Promise<void> {
  if (backend.kind === 'real') {
    const state = await backend.state().catch(() => undefined);
    if (state?.frameworks.some((f) => f.id === frameworkId)) {
      const http = state.leader ? `http://${state.leader.replace(/^master@/, '')}` : undefined;
      if (http) await teardown(http, frameworkId).catch(() => undefined);
    }
    await removeContainersUnder(`/frameworks/${frameworkId}/`);
  }
  await removeZkTrees(`/mesoswarm/${name}`).catch(() => undefined);
}

/** The manager's framework ID, as `docker info` shows it. */
export async function subscribedFramework(m: { docker: TestManager['docker'] }): Promise<string> {
  const status = JSON.parse(await m.docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][];
  const id = status.find(([k]) => k === 'Framework')?.[1];
  if (!id) throw new Error('the manager shows no framework ID');
  return id;
}

/**
 * Creates a container no agent can take (64 GiB; the double's engineAgents() have 2 GiB, real Mesos' agents 4) and
 * starts it: it waits in the queue until its task timeout or its removal. Returns the `docker start`, still waiting, to stop afterwards.
 */
export async function startUnplaceable(docker: DockerCli, name: string): Promise<RunningCli> {
  await docker.ok(['create', '--name', name, '-m', '64g', 'busybox', 'sleep', '1']);
  return docker.start(['start', name]);
}

/** Waits until the manager is subscribed and knows `count` agents (their first offers arrived). */
export async function waitForNodes(m: { docker: TestManager['docker'] }, count: number, timeoutMs = 15_000) {
  let last = '';
  try {
    await eventually(async () => {
      last = await m.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
      const pairs = new Map(JSON.parse(last) as [string, string][]);
      return pairs.get('Mesos') === 'subscribed' && Number(pairs.get('Nodes')) >= count;
    }, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; waiting for ${count} nodes, docker info showed ${last}`, {
      cause: err,
    });
  }
}

/** The master's view of one framework's tasks, as an operator reads /state: live, unreachable and completed. */
export async function frameworkTasks(backend: MesosBackend, frameworkId: string): Promise<FrameworkTasks> {
  const state = await backend.state();
  const mine = [...state.frameworks, ...(state.completed_frameworks ?? [])].filter((f) => f.id === frameworkId);
  return {
    live: mine.flatMap((f) => f.tasks),
    unreachable: mine.flatMap((f) => f.unreachable_tasks ?? []),
    completed: mine.flatMap((f) => f.completed_tasks),
  };
}

/** A mesos-mode suite's shared state: its cluster (none without a Mesos backend) and what its tests leave to undo. */
export interface MesosSuite {
  cluster: MesosTestCluster | undefined;
  readonly cleanups: (() => Promise<unknown>)[];
}

/**
 * Registers the suite's hooks: one test cluster started before its tests (when a backend is there), and after them
 * the cleanups run newest first, then the cluster closed.
 */
export function mesosSuite(): MesosSuite {
  const suite: MesosSuite = { cluster: undefined, cleanups: [] };
  before(async () => {
    if (!(await needBackend())) return;
    suite.cluster = await startMesosTestCluster();
  });
  after(async () => {
    for (const cleanup of suite.cleanups.reverse()) await cleanup().catch(() => undefined);
    await suite.cluster?.close();
  });
  return suite;
}
