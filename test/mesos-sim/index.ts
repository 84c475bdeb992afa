// Entry point of the Mesos simulator fixture: `startMesosSim(options)` starts a master (HTTP on a loopback port)
// with its simulated agents, optionally publishes it in ZooKeeper as leader or standby, and returns a handle with the
// URL, the test hooks and fault switches (control.ts) and `close()`. Nothing under src/ may import this.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAttributes, buildResources, dockerClient, localUsers, type AgentSpec } from './agent-spec.js';
import { SimControl } from './control.js';
import { masterInfoZkJson } from './events.js';
import { createHttpServer, type Leader, type SimTls } from './http.js';
import { Master, type MasterConfig } from './master.js';
import { ZkMasterContender, type ZkOptions } from './zookeeper.js';

export type { AgentSpec } from './agent-spec.js';
export type { AgentView, OfferView, UnackedView } from './control.js';

export interface MesosSimOptions {
  /** Listen address (default 127.0.0.1) and port (default 0 = any free port). */
  host?: string;
  port?: number;
  /** MasterInfo.hostname, used in redirects and ZooKeeper (default: the listen address). */
  hostname?: string;
  /** Number of agents with default settings, or one spec per agent (default 1). */
  agents?: number | AgentSpec[];
  /** Settings every agent starts from. */
  agentDefaults?: AgentSpec;
  /** `docker`: real containers on each agent's engine; `sim`: no containers (default). */
  executor?: 'docker' | 'sim';
  /** Engine of agents that name none (default unix:///var/run/docker.sock). */
  dockerHost?: string;
  /** argv[0] of the recorded `docker run` and of pull failure messages (default "docker"). */
  dockerPath?: string;
  /** Agents' work dir; sandboxes live under <workDir>/slaves/<agentId>/… (default: a fresh temp dir in docker mode). */
  workDir?: string;
  heartbeatIntervalSeconds?: number;
  /** Allocation interval (default 1000 ms; 0 = allocate on every change). */
  allocationIntervalMs?: number;
  offerTimeoutMs?: number;
  /** A framework gets no offer until this long after each SUBSCRIBED (default 0): a loaded master's allocator
   * runs seconds later. */
  firstOfferDelayMs?: number;
  /** As a master run with --registry=in_memory: after a failover, reconciliation of a task on an agent that has not
   * re-registered yet is answered TASK_UNKNOWN (TASK_LOST without PARTITION_AWARE), not held back. */
  inMemoryRegistry?: boolean;
  /** First status-update retry (default 10 s; doubles up to statusUpdateRetryMaxMs, default 10 min). */
  statusUpdateRetryMs?: number;
  statusUpdateRetryMaxMs?: number;
  /** Grace period when neither the KILL nor the TaskInfo has one (default 5 s). */
  defaultKillGraceSeconds?: number;
  /** How long a disconnected agent may stay away before being marked unreachable (default 10 min). */
  agentReregisterTimeoutMs?: number;
  /** RecordIO fuzzing: records split at awkward places, non-ASCII text in agent data. */
  fuzz?: boolean | { seed?: number };
  /** HTTP framework authentication (Basic): principal → secret. */
  credentials?: Record<string, string>;
  zookeeper?: ZkOptions;
  /** Serve the master over HTTPS with this identity (`url` is then https://…). */
  tls?: SimTls;
  version?: string;
  rolesWhitelist?: string[];
  rootSubmissions?: boolean;
  /** Sim mode: images that "exist" (others fail to pull); default: every image exists. */
  simImages?: string[];
  /** Sim mode: exit code of killed tasks (default 143). */
  simKillExitCode?: number;
  /** Delay before a task's executor starts (simulates a slow fetch/pull; default 0). */
  launchDelayMs?: number;
  /** Keep the `docker run` argv of every task for the hook (default true; turn off at scale). */
  recordArgv?: boolean;
  /** Remove the containers this simulator created when it closes (default true). */
  cleanupContainers?: boolean;
  maxCompletedTasksPerFramework?: number;
  /**
   * A standby that, once it leads, takes over this (dead) leader's agents with their tasks and containers, the way
   * real agents re-register with a new leader. Pair it with `abdicate()` on the old leader.
   */
  successorOf?: MesosSim;
  /** How long the taken-over agents take to re-register with this master (default 500 ms). */
  takeoverDelayMs?: number;
}

export interface MesosSim extends SimControl {
  /** http://host:port of this master. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The current master ID (changes on failoverMaster). */
  readonly masterId: string;
  readonly workDir: string;
  /** The master's internals, for tests that need to look closer. */
  readonly master: Master;
  isLeader(): boolean;
  /** The ZooKeeper node of this master, when ZooKeeper is used. */
  zkNode(): string | undefined;
  /** The leader dies (leaves ZooKeeper, stops serving); its agents live on for a `successorOf` standby. */
  abdicate(): Promise<void>;
  close(): Promise<void>;
}

const FUZZ_TEXT = 'ünïcødé ✓ 😀';

export async function startMesosSim(opts: MesosSimOptions = {}): Promise<MesosSim> {
  const host = opts.host ?? '127.0.0.1';
  const mode = opts.executor ?? 'sim';
  const ownWorkDir = opts.workDir === undefined;
  // Sim mode never writes a sandbox, so its default work dir is only a name (nothing to leave behind in /tmp).
  const workDir =
    opts.workDir ??
    (mode === 'docker'
      ? await mkdtemp(join(tmpdir(), 'mesos-sim-'))
      : join(tmpdir(), `mesos-sim-${randomUUID().slice(0, 8)}`));
  const fuzzSeed = opts.fuzz
    ? ((typeof opts.fuzz === 'object' ? opts.fuzz.seed : undefined) ?? Math.floor(Math.random() * 2 ** 31))
    : undefined;
  const config: MasterConfig = {
    hostname: opts.hostname ?? host,
    ip: host,
    version: opts.version ?? '1.12.0',
    heartbeatIntervalMs: (opts.heartbeatIntervalSeconds ?? 15) * 1000,
    allocationIntervalMs: opts.allocationIntervalMs ?? 1000,
    offerTimeoutMs: opts.offerTimeoutMs,
    firstOfferDelayMs: opts.firstOfferDelayMs ?? 0,
    inMemoryRegistry: opts.inMemoryRegistry ?? false,
    fuzzSeed,
    agentReregisterTimeoutMs: opts.agentReregisterTimeoutMs ?? 600_000,
    maxCompletedTasksPerFramework: opts.maxCompletedTasksPerFramework ?? 1000,
    maxCompletedFrameworks: 50,
    rolesWhitelist: opts.rolesWhitelist,
    rootSubmissions: opts.rootSubmissions ?? true,
    recordArgv: opts.recordArgv ?? true,
  };

  let leader: Leader = opts.zookeeper ? null : { self: true };
  // The master needs the port, which is known once the server listens; the server only calls in after that.
  const ref: { master?: Master } = {};
  const getMaster = (): Master => ref.master!;
  let agentIndex = 0;
  const addAgent = (spec: AgentSpec): string => {
    const s: AgentSpec = { ...opts.agentDefaults, ...spec };
    const i = agentIndex++;
    const dockerHost = s.dockerHost ?? opts.dockerHost ?? 'unix:///var/run/docker.sock';
    const hostname =
      s.hostname ??
      (mode === 'docker' ? '127.0.0.1' : `agent-${i}.mesos-sim${fuzzSeed !== undefined ? `-${FUZZ_TEXT}` : ''}`);
    const attributes = buildAttributes(s);
    if (fuzzSeed !== undefined) attributes.push({ name: 'fuzz_text', type: 'TEXT', text: FUZZ_TEXT });
    const agent = getMaster().addAgent({
      hostname,
      ip: s.ip ?? '127.0.0.1',
      port: s.port ?? 5051,
      resources: buildResources(s),
      attributes,
      mode,
      dockerHost,
      dockerPath: opts.dockerPath ?? 'docker',
      docker: mode === 'docker' ? dockerClient(dockerHost) : undefined,
      workDir,
      users: s.users ? new Set(['root', ...s.users]) : localUsers(),
      statusRetryMs: opts.statusUpdateRetryMs ?? 10_000,
      statusRetryMaxMs: opts.statusUpdateRetryMaxMs ?? 600_000,
      defaultKillGraceSeconds: opts.defaultKillGraceSeconds ?? 5,
      simImages: opts.simImages,
      recordArgv: config.recordArgv,
      simKillExitCode: opts.simKillExitCode ?? 143,
      launchDelayMs: opts.launchDelayMs ?? 0,
    });
    return agent.id;
  };
  const control = new SimControl(getMaster, addAgent);
  const credentials = opts.credentials ? new Map(Object.entries(opts.credentials)) : undefined;
  const server = createHttpServer({
    master: getMaster,
    leader: () => leader,
    credentials,
    control: (req, res, url, body) => control.handleHttp(req, res, url, body),
    tls: opts.tls,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const master = new Master(config, port);
  ref.master = master;

  const specs =
    typeof opts.agents === 'number' || opts.agents === undefined
      ? Array.from({ length: opts.agents ?? 1 }, () => ({}))
      : opts.agents;
  for (const spec of specs) addAgent(spec);

  let contender: ZkMasterContender | undefined;
  if (opts.zookeeper) {
    contender = new ZkMasterContender({ createLogReplicas: true, ...opts.zookeeper }, (l) => {
      if (l?.self) {
        leader = { self: true };
        if (opts.successorOf) master.adoptAgents(opts.successorOf.master, opts.takeoverDelayMs ?? 500);
        master.becomeLeader();
      } else {
        leader = l ? { self: false, hostname: l.hostname, port: l.port } : null;
      }
    });
    master.onIdentityChange = (id) => contender?.update(masterInfoZkJson(id));
    try {
      await contender.start(masterInfoZkJson(master.identity));
    } catch (e) {
      server.close();
      throw e;
    }
  } else {
    master.becomeLeader();
  }

  return new SimHandle(control, {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    host,
    port,
    workDir,
    master,
    isLeader: () => leader?.self === true,
    zkNode: () => contender?.nodePath,
    abdicate: async () => {
      contender?.close();
      master.abdicate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    close: async () => {
      contender?.close();
      master.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (opts.cleanupContainers ?? true) {
        await Promise.all(
          [...master.containers].map(([id, docker]) =>
            docker
              .getContainer(id)
              .remove({ force: true, v: true })
              .catch(() => undefined),
          ),
        );
        if (ownWorkDir && mode === 'docker') await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  });
}

interface HandleParts {
  url: string;
  host: string;
  port: number;
  workDir: string;
  master: Master;
  isLeader: () => boolean;
  zkNode: () => string | undefined;
  abdicate: () => Promise<void>;
  close: () => Promise<void>;
}

/** The handle: the control methods plus the simulator's address and lifecycle. */
class SimHandle extends SimControl implements MesosSim {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly workDir: string;
  readonly master: Master;
  private readonly parts: HandleParts;
  private closing?: Promise<void>;

  constructor(control: SimControl, parts: HandleParts) {
    super(
      () => parts.master,
      (spec) => control.addAgent(spec),
    );
    this.parts = parts;
    this.url = parts.url;
    this.host = parts.host;
    this.port = parts.port;
    this.workDir = parts.workDir;
    this.master = parts.master;
  }

  get masterId(): string {
    return this.master.id;
  }

  isLeader(): boolean {
    return this.parts.isLeader();
  }

  zkNode(): string | undefined {
    return this.parts.zkNode();
  }

  /** The leader dies: it leaves ZooKeeper and stops answering; its agents keep running for a successor. */
  abdicate(): Promise<void> {
    return this.parts.abdicate();
  }

  close(): Promise<void> {
    this.closing ??= this.parts.close();
    return this.closing;
  }
}
