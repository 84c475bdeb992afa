// The Mesos a mesos-mode suite runs against, chosen by MESOSWARM_TEST_MESOS: the test double (`double`, the
// default: test/mesos-sim in docker mode on the two real engines) or real Apache Mesos (`real`: the suite's shared
// master and agents from .ci/services.sh, or, for a test that kills, restarts or partitions them, a master and agents
// of its own). Both give the manager a master address and the test the same controls; a control real Mesos has no
// equivalent for exists on the double only (`sim`), and `doubleOnly()` skips such a test on real Mesos with the reason.
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { startMesosSim, type MesosSim, type MesosSimOptions, type AgentSpec } from '../mesos-sim/index.js';
import { eventually } from './manager.js';
import { MESOS, ZOOKEEPER, needEngines, needMesos, needZooKeeper } from './services.js';
import {
  AGENT_ENGINES,
  PrivateMesos,
  masterState,
  portOf,
  type MasterState,
  type MesosProcess,
  type PrivateMesosOptions,
} from './real-mesos.js';
import { removeZkTrees } from './zookeeper.js';

export type BackendKind = 'double' | 'real';
export const BACKEND: BackendKind = process.env.MESOSWARM_TEST_MESOS === 'real' ? 'real' : 'double';
export const ON_REAL_MESOS = BACKEND === 'real';

/** An agent as the master lists it. */
export interface AgentInfo {
  id: string;
  hostname: string;
  dockerPort: number;
  cpus: number;
  mem: number;
  ports: [number, number][];
}

export interface BackendOptions {
  /** The double's master and agents (real Mesos agents are what .ci/mesos.sh makes: 4 CPUs, 4 GiB each). */
  double?: MesosSimOptions;
  /** Real Mesos: a master and agents of the test's own, to kill, restart, partition or fail over. */
  ownMesos?: boolean | PrivateMesosOptions;
  /** The master is found through ZooKeeper (the double publishes itself under a path of its own). */
  zookeeper?: boolean;
  /** HTTP framework authentication (Basic), principal → secret; on real Mesos, a master of the test's own. */
  credentials?: Record<string, string>;
}

export interface MesosBackend {
  readonly kind: BackendKind;
  /** What the manager is given as its master: host:port or zk://…. */
  readonly master: string;
  /** The double itself, for the fault switches only it has; undefined on real Mesos. */
  readonly sim: MesosSim | undefined;
  /** The leading master's /state. */
  state(): Promise<MasterState>;
  agents(): Promise<AgentInfo[]>;
  /** The agent is cut off from the master until healAgent: its tasks become unreachable. */
  partitionAgent(agentId: string): Promise<void>;
  healAgent(agentId: string): Promise<void>;
  /** The agent process dies and starts again on its work dir; resolves once it is registered again. */
  restartAgent(agentId: string): Promise<void>;
  /** The master dies and comes back (the registry forgets frameworks; agents re-register with their tasks). */
  restartMaster(): Promise<void>;
  /** A second master, standby behind ZooKeeper; killLeader() then makes it lead. */
  startStandby(): Promise<void>;
  /** The leading master dies; resolves once the standby leads with every agent back. */
  killLeader(): Promise<void>;
  close(): Promise<void>;
}

/** The double's defaults: one agent per real engine, reachable by the manager at 127.0.0.1:<docker_port>. */
export function engineAgents(perEngine = 1, spec: AgentSpec = {}): AgentSpec[] {
  const out: AgentSpec[] = [];
  for (let i = 0; i < perEngine; i++)
    for (const engine of AGENT_ENGINES)
      out.push({ cpus: 2, mem: 2048, dockerHost: `unix://${engine.socket}`, dockerPort: engine.dockerPort, ...spec });
  return out;
}

/** Checks the services this backend needs (skipping with the reason, or failing under CI=true). */
export async function needBackend(t?: TestContext, zookeeper = false): Promise<boolean> {
  if (ON_REAL_MESOS) return needMesos(t);
  return (await needEngines(t)) && (!zookeeper || (await needZooKeeper(t)));
}

/** For a test of a control only the double has: on real Mesos it skips with the reason; returns true then. */
export function doubleOnly(t: TestContext, why: string): boolean {
  if (!ON_REAL_MESOS) return false;
  t.skip(`double only: ${why}`);
  return true;
}

/** For a native-mode test in a mesos-mode file: it has no Mesos backend, so it runs in the double's pass only. */
export function oncePerRun(t: TestContext): boolean {
  if (!ON_REAL_MESOS) return false;
  t.skip('no Mesos in this test: it runs in the double pass');
  return true;
}

export async function startMesosBackend(options: BackendOptions = {}): Promise<MesosBackend> {
  if (!ON_REAL_MESOS) return startDouble(options);
  if (options.ownMesos || options.credentials) {
    const own = typeof options.ownMesos === 'object' ? options.ownMesos : {};
    return realBackend(await PrivateMesos.start({ ...own, credentials: options.credentials }));
  }
  return realBackend(undefined);
}

function agentsOf(state: MasterState): AgentInfo[] {
  return state.slaves
    .filter((a) => a.active)
    .map((a) => ({
      id: a.id,
      hostname: a.hostname,
      dockerPort: Number(a.attributes.docker_port),
      cpus: a.resources.cpus,
      mem: a.resources.mem,
      ports: [...(a.resources.ports ?? '').matchAll(/(\d+)-(\d+)/g)].map((m): [number, number] => [
        Number(m[1]),
        Number(m[2]),
      ]),
    }))
    .sort((a, b) => a.dockerPort - b.dockerPort || a.id.localeCompare(b.id));
}

function realBackend(own: PrivateMesos | undefined): MesosBackend {
  const http = () => own?.http ?? MESOS.http;
  const needOwn = (what: string): PrivateMesos => {
    if (!own) throw new Error(`${what} needs a Mesos of the test's own: startMesosBackend({ ownMesos: true })`);
    return own;
  };
  const stopped = new Map<string, MesosProcess>();
  const agentProcess = async (agentId: string) => {
    const cluster = needOwn('an agent control');
    const agent = (await cluster.leaderState()).slaves.find((a) => a.id === agentId);
    if (!agent) throw new Error(`agent ${agentId} is not registered`);
    return cluster.agentByPort(portOf(agent.pid));
  };
  return {
    kind: 'real',
    master: own?.master ?? MESOS.master,
    sim: undefined,
    state: () => masterState(http()),
    agents: async () => agentsOf(await masterState(http())),
    async partitionAgent(agentId) {
      const agent = await agentProcess(agentId);
      // A stopped agent answers no pings: the master marks it unreachable after its ping timeouts.
      agent.signal('SIGSTOP');
      stopped.set(agentId, agent);
      await eventually(async () => !(await masterState(http())).slaves.some((a) => a.id === agentId), 60_000, 250);
    },
    async healAgent(agentId) {
      const agent = stopped.get(agentId);
      if (!agent) throw new Error(`agent ${agentId} was not partitioned`);
      stopped.delete(agentId);
      agent.signal('SIGCONT');
      await needOwn('healAgent').waitForAgents();
    },
    async restartAgent(agentId) {
      const agent = await agentProcess(agentId);
      await agent.kill('SIGKILL');
      agent.start();
      await needOwn('restartAgent').waitForAgents();
    },
    async restartMaster() {
      const cluster = needOwn('restartMaster');
      const master = cluster.masters[0]!;
      await master.kill('SIGKILL');
      master.start();
      await cluster.waitForAgents();
    },
    async startStandby() {
      await needOwn('startStandby').startMaster();
    },
    async killLeader() {
      const cluster = needOwn('killLeader');
      await cluster.killLeader();
      await cluster.waitForAgents();
    },
    close: async () => own?.close(),
  };
}

async function startDouble(options: BackendOptions): Promise<MesosBackend> {
  const zkPath = options.zookeeper ? `/mesoswarm-test/${randomUUID()}` : undefined;
  const common: MesosSimOptions = {
    executor: 'docker',
    allocationIntervalMs: 50,
    defaultKillGraceSeconds: 1,
    statusUpdateRetryMs: 1000,
    // As the suite's real masters (.ci/mesos.sh): a new leader learns the agents only as they re-register.
    inMemoryRegistry: true,
    ...(zkPath ? { zookeeper: { connect: ZOOKEEPER, path: zkPath } } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const first = await startMesosSim({ agents: engineAgents(), ...common, ...options.double });
  const sims: MesosSim[] = [first];
  let leader = first;
  /** Resolves once the leader lists `count` active agents (as real Mesos' controls wait for them). */
  const agentsBack = (count: number) =>
    eventually(async () => (await masterState(leader.url)).slaves.filter((a) => a.active).length >= count, 20_000);
  return {
    kind: 'double',
    master: zkPath ? `zk://${ZOOKEEPER}${zkPath}` : `127.0.0.1:${first.port}`,
    get sim() {
      return leader;
    },
    state: async () => masterState(leader.url),
    agents: async () => agentsOf(await masterState(leader.url)),
    async partitionAgent(agentId) {
      leader.removeAgent(agentId);
    },
    async healAgent(agentId) {
      leader.restoreAgent(agentId);
    },
    async restartAgent(agentId) {
      const count = leader.agents().length;
      leader.restartAgent(agentId);
      await agentsBack(count);
    },
    async restartMaster() {
      const count = leader.agents().length;
      // Agents find the new master after a while (real ones through ZooKeeper and their back-off).
      leader.failoverMaster({ agentReregisterDelayMs: 2000 });
      await agentsBack(count);
    },
    async startStandby() {
      if (!zkPath) throw new Error('startStandby needs startMesosBackend({ zookeeper: true })');
      sims.push(await startMesosSim({ ...common, agents: [], successorOf: leader, takeoverDelayMs: 1000 }));
    },
    async killLeader() {
      const old = leader;
      await old.abdicate();
      leader = await eventually(() => sims.find((s) => s !== old && s.isLeader()), 20_000);
      await agentsBack(old.agents().length);
    },
    async close() {
      for (const sim of sims.reverse()) await sim.close();
      if (zkPath) await removeZkTrees(zkPath).catch(() => undefined);
    },
  };
}
