// One simulated Mesos agent: its identity (ID, hostname, IP, resources, attributes, Docker host), the tasks it runs
// (one executor each, executor ID = task ID, container ID = a fresh UUID, sandbox under the work dir), the status
// updates it originates (SOURCE_AGENT) or stamps for its executors (agent_id, executor_id, timestamp, uuid,
// container_status with the agent's IP when the executor gave none), and its status update manager. What the
// master believes about the agent (registered, disconnected, unreachable…) lives in master.ts, not here.
import type Dockerode from 'dockerode';
import { DockerExecutor, type DockerExecutorConfig } from './executor-docker.js';
import type { ExecutorHost, ExecutorUpdate, TaskExecutor, TaskLaunch } from './executor-api.js';
import { SimExecutor, type SimExecutorConfig } from './executor-sim.js';
import { newUuid, newUuidBytes } from './ids.js';
import {
  isTerminal,
  summarizeTask,
  type FrameworkInfoMsg,
  type NetworkInfoMsg,
  type TaskInfoMsg,
  type TaskState,
  type TaskSummary,
} from './messages.js';
import type { ResourceBag } from './resources.js';
import { StatusUpdateManager, type QueuedUpdate } from './status-updates.js';
import { dbl, Deferred, timestampSeconds } from './wire-json.js';

export type AttributeValue =
  | { name: string; type: 'TEXT'; text: string }
  | { name: string; type: 'SCALAR'; scalar: number }
  | { name: string; type: 'RANGES'; ranges: Array<[number, number]> }
  | { name: string; type: 'SET'; set: string[] };

export interface AgentConfig {
  id: string;
  hostname: string;
  ip: string;
  port: number;
  resources: ResourceBag;
  attributes: AttributeValue[];
  mode: 'docker' | 'sim';
  /** As the agent's --docker_socket would name it: unix:///var/run/docker.sock or tcp://127.0.0.1:2385. */
  dockerHost: string;
  dockerPath: string;
  docker?: Dockerode;
  workDir: string;
  /** Users that exist on this "host" (root always does). */
  users: ReadonlySet<string>;
  statusRetryMs: number;
  statusRetryMaxMs: number;
  defaultKillGraceSeconds: number;
  simImages?: readonly string[];
  recordArgv: boolean;
  simKillExitCode: number;
  /** Extra time a launch spends before the executor registers (a slow fetch or pull); kills meanwhile hit the agent. */
  launchDelayMs: number;
}

/** What the agent needs from the master side of the simulator. */
export interface AgentLink {
  forwardStatus(agent: SimAgent, update: QueuedUpdate, latestState: TaskState): void;
  recordArgv(taskId: string, argv: string[]): void;
  onContainer(docker: Dockerode, containerId: string): void;
}

/** One task on the agent; it is also what its executor is launched with. */
export interface AgentTask extends Omit<TaskLaunch, 'task' | 'sandbox'> {
  /** The full TaskInfo until the executor has read it, then only its summary. */
  task: TaskInfoMsg | TaskSummary;
  frameworkId: string;
  resources: ResourceBag;
  executor?: TaskExecutor;
  /** container_status for updates that carry no container address (built once, shared by those updates). */
  agentContainerStatus?: Record<string, unknown>;
  phase: 'launching' | 'registered' | 'terminated';
  /** The newest state the agent generated for the task (its `latest_state`). */
  state: TaskState;
  killedDuringLaunch: boolean;
}

const taskKey = (frameworkId: string, taskId: string): string => `${frameworkId}\0${taskId}`;

export class SimAgent {
  readonly config: AgentConfig;
  private link: AgentLink;
  readonly tasks = new Map<string, AgentTask>();
  readonly updates: StatusUpdateManager;
  private bridgeIpCounter = 2;
  private simExecutorConfig?: SimExecutorConfig;
  private dockerExecutorConfig?: DockerExecutorConfig;

  /** The agent re-registers with another master (after a leader change); its tasks and containers stay as they are. */
  relink(link: AgentLink): void {
    this.link = link;
  }

  constructor(config: AgentConfig, link: AgentLink) {
    this.config = config;
    this.link = link;
    this.updates = new StatusUpdateManager({
      retryMs: config.statusRetryMs,
      retryMaxMs: config.statusRetryMaxMs,
      forward: (u, latest) => this.link.forwardStatus(this, u, latest),
    });
  }

  get id(): string {
    return this.config.id;
  }

  /** RunTaskMessage: set up the sandbox path and the executor, then let it launch. */
  runTask(
    frameworkId: string,
    frameworkInfo: FrameworkInfoMsg,
    task: TaskInfoMsg,
    allocationRole: string,
    resources: ResourceBag,
    summary: TaskSummary = summarizeTask(task),
  ): void {
    const containerId = newUuid();
    const taskId = task.task_id.value;
    // One flat string (path.join builds a rope of a dozen pieces, kept alive per task).
    const sandbox = [
      this.config.workDir,
      'slaves',
      this.config.id,
      'frameworks',
      frameworkId,
      'executors',
      taskId,
      'runs',
      containerId,
    ].join('/');
    const at: AgentTask = {
      frameworkId,
      frameworkInfo,
      task,
      allocationRole,
      resources,
      containerId,
      containerName: `mesos-${containerId}`,
      executor: undefined,
      agentContainerStatus: undefined,
      phase: 'launching',
      state: 'TASK_STAGING',
      killedDuringLaunch: false,
    };
    this.tasks.set(taskKey(frameworkId, taskId), at);

    const user = task.command?.user ?? frameworkInfo.user;
    if (user !== 'root' && !this.config.users.has(user)) {
      // The sandbox cannot be chowned to a user the host lacks, so no executor ever starts: Mesos 1.12's agent drops
      // the task (src/slave/slave.cpp, sendTaskDroppedUpdate; TASK_LOST for frameworks that are not partition-aware).
      at.phase = 'terminated';
      const partitionAware = (frameworkInfo.capabilities ?? []).some((c) => c.type === 'PARTITION_AWARE');
      this.agentUpdate(
        at,
        partitionAware ? 'TASK_DROPPED' : 'TASK_LOST',
        `Failed to create executor directory '${sandbox}': Failed to chown directory to '${user}': No such user '${user}'`,
        'REASON_EXECUTOR_TERMINATED',
      );
      return;
    }

    const host = new TaskHost(this, at);
    const launch: TaskLaunch = { ...at, task, sandbox };
    at.executor =
      this.config.mode === 'docker'
        ? new DockerExecutor(this.dockerConfig(), host, launch)
        : new SimExecutor(this.simConfig(), host, launch);
    at.task = summary;
    const executor = at.executor;
    if (this.config.launchDelayMs > 0) setTimeout(() => executor.start(), this.config.launchDelayMs).unref();
    else executor.start();
  }

  /** KillTaskMessage. A kill before the executor registered ends the task here, as the agent does. */
  killTask(frameworkId: string, taskId: string, gracePeriodNanos?: number): void {
    const at = this.tasks.get(taskKey(frameworkId, taskId));
    if (!at) return;
    if (at.phase === 'launching') {
      if (at.killedDuringLaunch) return;
      at.killedDuringLaunch = true;
      at.phase = 'terminated';
      this.agentUpdate(at, 'TASK_KILLED', 'Killed before delivery to the executor', 'REASON_TASK_KILLED_DURING_LAUNCH');
      return;
    }
    if (at.phase !== 'registered') return;
    at.executor?.kill(this.graceSeconds(at, gracePeriodNanos));
  }

  /** ShutdownFrameworkMessage: executors are stopped, nothing more is reported for the framework. */
  shutdownFramework(frameworkId: string): void {
    for (const [key, at] of this.tasks) {
      if (at.frameworkId !== frameworkId) continue;
      if (at.phase !== 'terminated') at.executor?.shutdown(this.graceSeconds(at));
      at.phase = 'terminated';
      this.tasks.delete(key);
    }
    this.updates.removeFramework(frameworkId);
  }

  /**
   * The agent process restarts: executors of frameworks without `checkpoint` shut down as they lose the agent (the
   * Docker executor stops its container), and are forgotten with their updates; checkpointed ones are recovered.
   */
  restart(): void {
    const dropped = new Set<string>();
    for (const at of this.tasks.values()) if (!at.frameworkInfo.checkpoint) dropped.add(at.frameworkId);
    for (const frameworkId of dropped) this.shutdownFramework(frameworkId);
  }

  /** Status update acknowledgement forwarded by the master. */
  acknowledge(frameworkId: string, taskId: string, uuid: Buffer): QueuedUpdate | undefined {
    const acked = this.updates.acknowledge(frameworkId, taskId, uuid);
    if (acked && isTerminal(acked.state)) this.tasks.delete(taskKey(frameworkId, taskId));
    return acked;
  }

  /** Sim mode: the task's process exits with `code`. */
  exitTask(frameworkId: string, taskId: string, code: number): boolean {
    const at = this.tasks.get(taskKey(frameworkId, taskId));
    if (!at?.executor?.exit || at.phase !== 'registered') return false;
    at.executor.exit(code);
    return true;
  }

  findTask(taskId: string): AgentTask | undefined {
    for (const at of this.tasks.values()) if (at.task.task_id.value === taskId) return at;
    return undefined;
  }

  /** The tasks a (re-)registering agent reports, with the latest state it knows for each. */
  reportTasks(): Array<{ at: AgentTask; state: TaskState }> {
    return [...this.tasks.values()].map((at) => ({ at, state: at.state }));
  }

  close(): void {
    this.updates.close();
  }

  private graceSeconds(at: AgentTask, overrideNanos?: number): number {
    const nanos = overrideNanos ?? at.task.kill_policy?.grace_period?.nanoseconds;
    if (nanos === undefined) return this.config.defaultKillGraceSeconds;
    return Math.max(0, Math.floor(nanos / 1e9));
  }

  private nextBridgeIp(): string {
    const n = this.bridgeIpCounter++;
    return `172.17.${(n >> 8) & 0xff}.${n & 0xff}`;
  }

  private simConfig(): SimExecutorConfig {
    return (this.simExecutorConfig ??= {
      images: this.config.simImages,
      dockerHost: this.config.dockerHost,
      dockerPath: this.config.dockerPath,
      recordArgv: this.config.recordArgv,
      killExitCode: this.config.simKillExitCode,
      nextBridgeIp: () => this.nextBridgeIp(),
    });
  }

  private dockerConfig(): DockerExecutorConfig {
    return (this.dockerExecutorConfig ??= {
      docker: this.config.docker!,
      dockerHost: this.config.dockerHost,
      dockerPath: this.config.dockerPath,
      onContainer: (d, id) => this.link.onContainer(d, id),
    });
  }

  /** @internal TaskHost: the containerizer could not launch. */
  launchFailed(at: AgentTask, message: string): void {
    if (at.killedDuringLaunch) return;
    at.phase = 'terminated';
    this.agentUpdate(at, 'TASK_FAILED', `Failed to launch container: ${message}`, 'REASON_CONTAINER_LAUNCH_FAILED');
  }

  /** @internal TaskHost: argv of the task's `docker run`. */
  recordArgv(at: AgentTask, argv: string[]): void {
    this.link.recordArgv(at.task.task_id.value, argv);
  }

  private containerStatus(at: AgentTask, networkInfos?: NetworkInfoMsg[]): Record<string, unknown> {
    if (!networkInfos) {
      // The agent fills in its own address when the executor reported none.
      return (at.agentContainerStatus ??= {
        container_id: { value: at.containerId },
        network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.config.ip }] }],
      });
    }
    return {
      container_id: { value: at.containerId },
      network_infos: networkInfos.map((n) => {
        const out: Record<string, unknown> = {
          ip_addresses: n.ip_addresses?.map((a) => ({ protocol: a.protocol ?? 'IPv4', ip_address: a.ip_address })),
        };
        if (n.name !== undefined) out.name = n.name;
        if (n.groups?.length) out.groups = n.groups;
        if (n.labels) out.labels = n.labels;
        if (n.port_mappings?.length) out.port_mappings = n.port_mappings;
        return out;
      }),
    };
  }

  /** @internal TaskHost: an update from the executor. */
  executorUpdate(at: AgentTask, u: ExecutorUpdate): void {
    this.enqueue(at, {
      state: u.state,
      message: u.message,
      source: 'SOURCE_EXECUTOR',
      reason: u.reason,
      data: u.data,
      healthy: u.healthy,
      networkInfos: u.networkInfos,
    });
  }

  private agentUpdate(at: AgentTask, state: TaskState, message: string, reason: string): void {
    this.enqueue(at, { state, message, source: 'SOURCE_AGENT', reason });
  }

  private enqueue(
    at: AgentTask,
    f: {
      state: TaskState;
      message?: string;
      source: string;
      reason?: string;
      data?: Buffer | (() => Buffer);
      healthy?: boolean;
      networkInfos?: NetworkInfoMsg[];
    },
  ): void {
    const uuid = newUuidBytes();
    const taskId = at.task.task_id.value;
    at.state = f.state;
    // Field order is TaskStatus' declaration order, as the master writes it.
    const status: Record<string, unknown> = {
      task_id: { value: taskId },
      state: f.state,
      message: f.message,
      source: f.source,
      reason: f.reason,
      data: typeof f.data === 'function' ? new Deferred(f.data) : f.data,
      agent_id: { value: this.config.id },
      executor_id: { value: taskId },
      timestamp: dbl(timestampSeconds()),
      uuid,
      healthy: f.healthy,
      container_status: this.containerStatus(at, f.networkInfos),
    };
    this.updates.update({ frameworkId: at.frameworkId, taskId, state: f.state, uuid, status });
  }
}

/** The executor's handle on its agent, one per task (a class rather than closures: there may be 100,000 tasks). */
class TaskHost implements ExecutorHost {
  private readonly agent: SimAgent;
  private readonly at: AgentTask;

  constructor(agent: SimAgent, at: AgentTask) {
    this.agent = agent;
    this.at = at;
  }

  launchFailed(message: string): void {
    this.agent.launchFailed(this.at, message);
  }

  registered(): boolean {
    if (this.at.killedDuringLaunch) return false;
    this.at.phase = 'registered';
    return true;
  }

  update(u: ExecutorUpdate): void {
    this.agent.executorUpdate(this.at, u);
  }

  recordArgv(argv: string[]): void {
    this.agent.recordArgv(this.at, argv);
  }

  exited(): void {
    this.at.phase = 'terminated';
    this.at.executor = undefined;
  }
}
