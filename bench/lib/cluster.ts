// A cluster under test in `sim` mode: the cluster double (the Mesos test double with N agents and their stand-in
// daemons, bench/lib/cluster-double.ts) and a mesos-mode manager on a fresh state directory, each its own process; and filling it with containers through the Docker API (create, then
// start, per client) — the load every mesos-mode benchmark builds on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import { startClusterDouble, startManager, waitForAgents, type ManagerProc, type SimProc } from './processes.js';
import { expectStatus, keepAliveAgent, request } from './http.js';
import { closedLoop, type LoadResult } from './load.js';

const MiB = 1024 * 1024;

export interface SimClusterOptions {
  readonly agents: number;
  /** Per agent; the brief's cluster is 4 CPUs and 16 GiB each. */
  readonly cpus?: number;
  readonly memMb?: number;
  readonly allocationIntervalMs?: number;
  readonly cpuProfDir?: string;
  readonly nodeArgs?: readonly string[];
  /** The manager's checkout or build (see ManagerOptions.root). */
  readonly managerRoot?: string;
  readonly clusterOpts?: readonly string[];
  readonly manageArgs?: readonly string[];
  readonly logDir: string;
}

export interface SimCluster {
  readonly sim: SimProc;
  manager: ManagerProc;
  readonly stateDir: string;
  readonly options: SimClusterOptions;
  /** Starts a new manager on the same state directory (after a stop or a crash of the old one). */
  restartManager(): Promise<ManagerProc>;
  close(): Promise<void>;
}

export async function startSimCluster(options: SimClusterOptions): Promise<SimCluster> {
  const sim = await startClusterDouble(
    {
      agents: options.agents,
      cpus: options.cpus ?? 4,
      memMb: options.memMb ?? 16384,
      allocationIntervalMs: options.allocationIntervalMs,
    },
    options.logDir,
  );
  const stateDir = mkdtempSync(join(tmpdir(), 'mesoswarm-bench-'));
  let restarts = 0;
  const launch = () =>
    startManager({
      driver: 'mesos-experimental',
      discovery: sim.address,
      stateDir,
      // A placement that waits behind 200 others must not time out; the latency figures show any wait.
      clusterOpts: ['mesos.tasktimeout=60s', ...(options.clusterOpts ?? [])],
      cpuProfDir: options.cpuProfDir,
      nodeArgs: options.nodeArgs,
      root: options.managerRoot,
      manageArgs: options.manageArgs,
      logDir: options.logDir,
      logName: restarts++ ? `manager-${restarts}` : 'manager',
    });
  let manager: ManagerProc;
  try {
    manager = await launch();
    await waitForAgents(manager.port, options.agents, true);
  } catch (err) {
    await sim.stop();
    throw err;
  }
  const cluster: SimCluster = {
    sim,
    manager,
    stateDir,
    options,
    async restartManager() {
      cluster.manager = await launch();
      return cluster.manager;
    },
    async close() {
      await cluster.manager.stop();
      await sim.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export interface FillOptions {
  readonly containers: number;
  readonly concurrency: number;
  /** HostConfig.Memory of each container, MiB (what placement counts against the offers). */
  readonly memMb: number;
  /** Fields that replace the benchmark body's (a restart policy, labels). */
  readonly body?: Record<string, unknown>;
  readonly progress?: (done: number, elapsedMs: number) => void;
  readonly checkpoints?: readonly number[];
  readonly onCheckpoint?: (done: number, elapsedMs: number) => void;
}

/** The create body of every benchmark container: what `docker create -m <memMb>m busybox sleep 3600` sends. */
function createBody(memMb: number): Record<string, unknown> {
  return {
    Image: 'busybox:latest',
    Cmd: ['sleep', '3600'],
    Env: [],
    Labels: {},
    HostConfig: { Memory: memMb * MiB, NetworkMode: 'default' },
  };
}

/** One client's create-then-start, the operation timed by the placement benchmarks. */
async function createAndStart(port: number, agent: http.Agent, body: unknown): Promise<void> {
  const created = expectStatus(await request(port, 'POST', '/v1.41/containers/create', body, agent), 'create', 201);
  const id = (created.json as { Id: string }).Id;
  expectStatus(await request(port, 'POST', `/v1.41/containers/${id}/start`, undefined, agent), 'start', 204);
}

/** Creates and starts `containers` containers from `concurrency` keep-alive clients. */
export async function fill(port: number, options: FillOptions): Promise<LoadResult> {
  const agent = keepAliveAgent(options.concurrency);
  const body = { ...createBody(options.memMb), ...options.body };
  try {
    return await closedLoop({
      concurrency: options.concurrency,
      total: options.containers,
      op: () => createAndStart(port, agent, body),
      progress: options.progress,
      checkpoints: options.checkpoints,
      onCheckpoint: options.onCheckpoint,
    });
  } finally {
    agent.destroy();
  }
}
