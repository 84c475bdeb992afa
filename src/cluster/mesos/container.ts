// A container in mesos mode, as the manager owns it: its identity (manager ID, name, create config), its spec
// (compiled once), and the Mesos task currently or last carrying it. The Docker view (`docker inspect`, `docker ps`)
// is derived from these, with the inspect data Mesos reported when the task started; nothing here asks an engine.
// Its state is read-only to everyone but the store (store.ts), which writes it through `ContainerState`.
import type { ContainerDetails } from '../../engine/engine.js';
import type { CreateBody, NodeSummary } from '../cluster.js';
import { containerSummary, inspectWithNode, stateTimes, statusText, type StateTimes } from '../container-format.js';
import { exitCodeOf, isTerminal, type TaskPhase } from './task-phase.js';
import type { Findable } from '../lookup.js';
import { MESOS_NAME_LABEL, MESOS_TASK_LABEL, stopSeconds } from './task-info.js';
import { SWARM_ID_LABEL } from '../../scheduler/index.js';
import type { Filterable } from '../container-filters.js';
import { inspectPacker, type PackedJson } from './inspect-packing.js';
import { restoredSpec, type ContainerSpec } from './spec.js';
import type { ManagerError } from '../../errors.js';
import type { PlacementRequest } from '../../scheduler/index.js';
import { placementRequest } from '../placement-request.js';
import { healthState, type TaskHealth } from './health.js';

/** One launch of the container as a Mesos task. A restart is a new task; the container keeps its ID. */
export interface TaskAttempt {
  readonly taskId: string;
  phase: TaskPhase;
  agentId?: string;
  /** The agent's Docker engine, `tcp://host:port`. */
  engineAddress?: string;
  /** The node name shown in `<node>/<name>` (the engine's name, else the agent's hostname). */
  nodeName?: string;
  /** The Docker container's ID on the agent, once known (TASK_RUNNING data, or a label lookup). */
  dockerId?: string;
  /** `mesos-<uuid>`. */
  dockerName?: string;
  /** Container port (`80/tcp`) → the host port allocated from the offer. */
  ports?: Record<string, number>;
  message?: string;
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /**
   * The `docker inspect` Mesos sent with TASK_RUNNING (or one read from the engine), packed (inspect-packing.ts): held
   * as objects, these were the largest part of the manager's memory at 100,000 containers, and only `docker inspect`
   * reads them whole (`inspectOf`); `docker ps` and its filters use the few fields `details` keeps.
   */
  inspectPacked?: PackedJson;
  /** Paused on the engine (Mesos knows nothing of pause); read from the engine's inspect after a pause. */
  paused?: boolean;
  /** Docker's view of its HEALTHCHECK, from the executor's `healthy` reports (health.ts); none before the first. */
  health?: TaskHealth;
}

/** What the journal keeps of a task: all but the packed inspect, which Mesos or the engine gives again. */
export type DurableTask = Omit<TaskAttempt, 'inspectPacked'>;

/**
 * What a restart policy keeps of a container between its tasks (durable: a manager killed during a back-off
 * restarts the container on time after it recovers, and only once). Written by the restarts and rescheduling
 * stations through the store.
 */
export interface RestartState {
  /** The back-off the last policy restart waited (dockerd's restart manager timeout); 0 before the first. */
  backoffMs: number;
  /** Set by the user's stop, kill, rm and restart only; cleared by `docker start`. */
  stoppedByUser: boolean;
  /** A relaunch decided after task `after` ended or was lost, due at `at` (ms since the epoch). */
  pending?: { readonly after: string; readonly at: number; readonly kind: 'restart' | 'reschedule' };
  /** The end a pending restart follows: `docker ps` shows `Restarting (<code>) … ago` from it. */
  lastExit?: { readonly exitCode: number; readonly finishedAt: string };
  /** Tasks a reschedule replaced while their agent was away: killed if the agent comes back with them. */
  stale: readonly { readonly taskId: string; readonly agentId: string }[];
}

export const NO_RESTART_STATE: RestartState = { backoffMs: 0, stoppedByUser: false, stale: [] };

/** What the journal keeps of a container (its identity and last known task), enough to rebuild it. */
export interface DurableContainer {
  readonly id: string;
  name: string;
  readonly config: CreateBody;
  readonly created: string;
  /** Policy restarts since the last `docker start` (Docker's RestartCount). */
  restartCount: number;
  task?: DurableTask;
  restart?: RestartState;
}

/** What the store may change of a container (and only the store: everyone else sees these read-only). */
export interface ContainerState {
  name: string;
  restartCount: number;
  restart: RestartState;
  task: TaskAttempt | undefined;
  removing: boolean;
  lastError: string;
  compiled: ContainerSpec | ManagerError;
}

export class MesosContainer implements Findable, Filterable {
  readonly id: string;
  readonly name: string;
  readonly config: CreateBody;
  readonly created: string;
  readonly restartCount: number;
  readonly restart: Readonly<RestartState>;
  readonly task: Readonly<TaskAttempt> | undefined;
  /** Set while a removal is under way, so nothing restarts it. */
  readonly removing: boolean = false;
  /** Why the last start failed, shown as State.Error while the container is not running. */
  readonly lastError: string = '';
  /** Bumped on every change; lets views be cached. */
  #version = 0;
  /** Its spec, or why its config does not compile (compiled again only when `docker rm --link` changes it). */
  readonly compiled: ContainerSpec | ManagerError;
  #request: PlacementRequest | undefined;
  /** The `docker ps` entry as UTF-8 JSON without its Status and closing brace (see summaryParts). */
  #summary: { version: number; nodeIp: string; nodeDown: boolean; head: Buffer; times: StateTimes } | undefined;
  #details: { version: number; value: ContainerDetails } | undefined;
  #labels: { version: number; value: Record<string, string> } | undefined;
  readonly swarmId = undefined;

  /** Without a spec (restored from the journal, adopted), it is compiled from the config without defaults. */
  constructor(
    durable: DurableContainer,
    spec: ContainerSpec | ManagerError = restoredSpec(durable.config, NO_DEFAULTS),
  ) {
    this.id = durable.id;
    this.name = durable.name;
    this.config = durable.config;
    this.created = durable.created;
    this.restartCount = durable.restartCount;
    this.restart = durable.restart ?? NO_RESTART_STATE;
    this.task = durable.task ? { ...durable.task } : undefined;
    this.compiled = spec;
  }

  get version(): number {
    return this.#version;
  }

  /** What starting it needs; throws the 400 a config that no longer compiles gets (see restoredSpec). */
  get spec(): ContainerSpec {
    if (this.compiled instanceof Error) throw this.compiled;
    return this.compiled;
  }

  /** What placement knows of it (also for one whose config no longer compiles: it may still be running). */
  get request(): PlacementRequest {
    if (!(this.compiled instanceof Error)) return this.compiled.request;
    return (this.#request ??= placementRequest(this.config));
  }

  /** Seconds `docker stop` waits by default (read from the config for one whose config no longer compiles). */
  get stopSeconds(): number {
    return this.compiled instanceof Error ? stopSeconds(this.config) : this.compiled.template.stopSeconds;
  }

  /** CPUs and memory it reserves on its agent while it runs (nothing for one whose config does not compile). */
  get reserves(): { readonly cpus: number; readonly memMb: number } {
    return this.compiled instanceof Error ? NOTHING : this.compiled.need;
  }

  durable(): DurableContainer {
    return {
      id: this.id,
      name: this.name,
      config: this.config,
      created: this.created,
      restartCount: this.restartCount,
      task: this.durableTask(),
      ...(this.restart === NO_RESTART_STATE ? {} : { restart: this.restart }),
    };
  }

  durableTask(): DurableTask | undefined {
    if (!this.task) return undefined;
    const { inspectPacked: _memoryOnly, ...task } = this.task;
    return task;
  }

  get phase(): TaskPhase | undefined {
    return this.task?.phase;
  }
  get agentId(): string | undefined {
    return this.task?.agentId;
  }
  get nodeName(): string {
    return this.task?.nodeName ?? '';
  }
  /** The labels the container's Docker container carries: the client's, plus the manager's identity labels. */
  get labels(): Record<string, string> {
    if (this.#labels?.version !== this.#version) {
      const value: Record<string, string> = {
        ...(this.config.Labels ?? {}),
        [SWARM_ID_LABEL]: this.id,
        [MESOS_NAME_LABEL]: this.name,
      };
      if (this.task) value[MESOS_TASK_LABEL] = this.task.taskId;
      this.#labels = { version: this.#version, value };
    }
    return this.#labels.value;
  }
  get nodeId(): string {
    return this.task?.agentId ?? '';
  }
  get names(): string[] {
    return [`/${this.nodeName || 'pending'}/${this.name}`];
  }
  /**
   * The fields of `docker inspect` that `docker ps` and its filters read (cached until the container changes):
   * command, image, state, labels, ports, networks and mounts — not the whole inspect.
   */
  get details(): ContainerDetails {
    if (this.#details?.version !== this.#version) {
      const full = this.inspect(undefined) as unknown as ContainerDetails;
      const value = {
        Id: full.Id,
        Created: full.Created,
        Path: full.Path,
        Args: full.Args,
        Image: full.Image,
        Name: full.Name,
        State: full.State,
        Config: {
          Image: full.Config?.Image,
          Labels: full.Config?.Labels,
          ExposedPorts: full.Config?.ExposedPorts,
        },
        HostConfig: { NetworkMode: full.HostConfig?.NetworkMode },
        NetworkSettings: { Ports: full.NetworkSettings?.Ports, Networks: full.NetworkSettings?.Networks },
        Mounts: full.Mounts,
      } as unknown as ContainerDetails;
      this.#details = { version: this.#version, value };
    }
    return this.#details.value;
  }

  /** Running as far as Docker clients are concerned (an unreachable node's containers included). */
  get isRunning(): boolean {
    const phase = this.task?.phase;
    return phase === 'running' || phase === 'killing' || phase === 'unreachable';
  }
  /** A task is on its way (queued, being launched, starting). */
  get isStarting(): boolean {
    const phase = this.task?.phase;
    return phase === 'queued' || phase === 'launching' || phase === 'starting';
  }
  get hasExited(): boolean {
    return this.task !== undefined && isTerminal(this.task.phase);
  }

  /** Docker's state word. */
  get dockerStatus(): string {
    if (this.removing) return 'removing';
    const phase = this.task?.phase;
    if (!phase) return 'created';
    // A policy's relaunch (its back-off, then the new task on its way) is Docker's "restarting".
    if (this.isStarting) return this.restart.pending ? 'restarting' : 'created';
    // Pause is done on the engine (Mesos knows nothing of it); the engine's inspect after it says so.
    if (this.isRunning) return this.task?.paused ? 'paused' : 'running';
    // Decided (durably) but not yet queued: a client must not see it exited, then find it running when it acts.
    if (this.restart.pending?.after === this.task?.taskId) return 'restarting';
    return 'exited';
  }

  exitCode(): number {
    const task = this.task;
    if (!task || !isTerminal(task.phase)) return 0;
    return task.exitCode ?? exitCodeOf(task.phase, task.message);
  }

  /** The store's: marks a change, so the cached views below are rebuilt. */
  touch(): void {
    this.#version++;
  }

  /** `docker inspect` for this container: the engine's view when Mesos gave one, else built from the config. */
  inspect(node: NodeSummary | undefined): Record<string, unknown> {
    const base = (inspectOf(this.task) ?? this.#fromConfig()) as unknown as Record<string, unknown>;
    const task = this.task;
    const out: Record<string, unknown> = {
      ...base,
      Id: this.id,
      Created: this.created,
      Name: `/${this.name}`,
      RestartCount: this.restartCount,
      State: this.#state(base.State as Record<string, unknown> | undefined),
      // The manager keeps the policy: the agent's Docker container has none (see restart-policy.ts).
      HostConfig: { ...((base.HostConfig as object) ?? {}), RestartPolicy: this.#restartPolicy() },
      Config: {
        ...((base.Config as object) ?? {}),
        Labels: { ...this.labels, ...(base.Config as { Labels?: object })?.Labels },
        // The agent's container runs with `--no-healthcheck` (the check is Mesos', health.ts): the config's is shown.
        Healthcheck: (this.config as { Healthcheck?: unknown }).Healthcheck,
      },
      Mesos: task
        ? {
            TaskId: task.taskId,
            AgentId: task.agentId ?? '',
            Phase: task.phase,
            Message: task.message ?? '',
            DockerId: task.dockerId ?? '',
            DockerName: task.dockerName ?? '',
          }
        : null,
    };
    return node ? inspectWithNode(out, node) : out;
  }

  /**
   * Appends the `docker ps` entry, as UTF-8 JSON, to `out`. Serialised once per change of the container (and of its
   * node's address or health); only the Status ("Up 5 minutes", "Exited (0) 2 hours ago") moves with the clock, so
   * it is appended per call, its few distinct texts encoded once. `docker ps` of 30,000 containers otherwise built,
   * serialised and encoded 30,000 summaries every time.
   */
  summaryParts(out: Buffer[], nodeIp: string, nodeDown: boolean, now = Date.now()): void {
    let cached = this.#summary;
    if (cached?.version !== this.#version || cached.nodeIp !== nodeIp || cached.nodeDown !== nodeDown) {
      const { Status: _clock, ...value } = containerSummary(this.details, {
        id: this.id,
        names: this.names,
        nodeIp,
        nodeDown,
        labels: this.labels,
      });
      const head = Buffer.from(JSON.stringify(value).slice(0, -1));
      cached = { version: this.#version, nodeIp, nodeDown, head, times: stateTimes(this.details.State) };
      this.#summary = cached;
    }
    out.push(cached.head, statusTail(statusText(this.details.State, now, nodeDown, cached.times)));
  }

  #state(engineState: Record<string, unknown> | undefined): Record<string, unknown> {
    const task = this.task;
    const status = this.dockerStatus;
    const running = status === 'running' || status === 'paused';
    const zero = '0001-01-01T00:00:00Z';
    // Waiting for a policy's relaunch, Docker shows the end it follows (`Restarting (1) 2 seconds ago`).
    const after = status === 'restarting' ? this.restart.lastExit : undefined;
    return {
      ...(engineState ?? {}),
      Status: status,
      Running: running,
      Paused: status === 'paused',
      Restarting: status === 'restarting',
      OOMKilled: false,
      Dead: false,
      Pid: running ? Number(engineState?.Pid ?? 0) : 0,
      ExitCode: after?.exitCode ?? this.exitCode(),
      Error:
        task && (task.phase === 'failed' || task.phase === 'error' || task.phase === 'lost')
          ? (task.message ?? '')
          : running
            ? ''
            : this.lastError,
      StartedAt: task?.startedAt ?? zero,
      FinishedAt: after?.finishedAt ?? task?.finishedAt ?? zero,
      ...this.#health(task),
    };
  }

  /** `State.Health` of a container under a check, from its task's launch on (the agent's dockerd runs no check). */
  #health(task: Readonly<TaskAttempt> | undefined): { Health?: Record<string, unknown> } {
    const checked = !(this.compiled instanceof Error) && this.compiled.template.health !== undefined;
    if (!checked || !task || (!this.isRunning && !task.health)) return {};
    return { Health: healthState(task.health) };
  }

  #restartPolicy(): { Name: string; MaximumRetryCount: number } {
    const policy = (this.config.HostConfig as { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } })
      ?.RestartPolicy;
    return { Name: policy?.Name || 'no', MaximumRetryCount: Number(policy?.MaximumRetryCount ?? 0) };
  }

  #fromConfig(): ContainerDetails {
    const c = this.config as Record<string, unknown>;
    const { HostConfig, NetworkingConfig, ...config } = c;
    const argv = [...listOf(c.Entrypoint), ...listOf(c.Cmd)];
    return {
      Id: this.id,
      Created: this.created,
      Path: argv[0] ?? '',
      Args: argv.slice(1),
      Image: '',
      Name: `/${this.name}`,
      HostConfig: HostConfig ?? {},
      Config: { ...config, Labels: this.labels },
      NetworkSettings: { Ports: {}, Networks: this.#configuredNetworks(HostConfig, NetworkingConfig) },
      Mounts: [],
      State: {},
    } as unknown as ContainerDetails;
  }

  /**
   * The networks a container not launched yet will join, as dockerd shows them for a created container: compose
   * reads them (with its short-ID alias on user networks) to decide whether it must still connect the container.
   */
  #configuredNetworks(host: unknown, networking: unknown): Record<string, unknown> {
    const mode = String((host as { NetworkMode?: string } | undefined)?.NetworkMode ?? '');
    const endpoints =
      (networking as { EndpointsConfig?: Record<string, { Aliases?: string[] | null } | null> } | undefined)
        ?.EndpointsConfig ?? {};
    const out: Record<string, unknown> = {};
    if (mode.startsWith('container:')) return out;
    const network = mode === '' || mode === 'default' ? 'bridge' : mode;
    const userNetwork = !['bridge', 'host', 'none'].includes(network);
    const aliases = [...(endpoints[network]?.Aliases ?? [])];
    if (userNetwork && !aliases.includes(this.id.slice(0, 12))) aliases.push(this.id.slice(0, 12));
    out[network] = { ...EMPTY_ENDPOINT, ...endpoints[network], Aliases: userNetwork ? aliases : null };
    return out;
  }
}

const NO_DEFAULTS = { defaultCpus: undefined, defaultMemMb: undefined };
const NOTHING = { cpus: 0, memMb: 0 };

const EMPTY_ENDPOINT = {
  IPAMConfig: null,
  Links: null,
  Aliases: null,
  NetworkID: '',
  EndpointID: '',
  Gateway: '',
  IPAddress: '',
  IPPrefixLen: 0,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  MacAddress: '',
  DriverOpts: null,
};

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.map(String) : [];
}

/** `,"Status":"…"}` encoded, by Status text: a cluster's containers share a few hundred of them at a time. */
const statusTails = new Map<string, Buffer>();
const STATUS_TAILS_KEPT = 4096;

function statusTail(status: string): Buffer {
  let tail = statusTails.get(status);
  if (!tail) {
    if (statusTails.size >= STATUS_TAILS_KEPT) statusTails.clear();
    tail = Buffer.from(`,"Status":${JSON.stringify(status)}}`);
    statusTails.set(status, tail);
  }
  return tail;
}

/** Recently read inspects, parsed: `docker inspect` and `ps` read the same few containers again and again. */
const parsed = new Map<string, ContainerDetails>();
const PARSED_KEPT = 256;

/** The task's `docker inspect`, parsed (no copy is kept beyond a small cache of recent ones). */
function inspectOf(task: Pick<TaskAttempt, 'inspectPacked'> | undefined): ContainerDetails | undefined {
  const packed = task?.inspectPacked;
  if (!packed) return undefined;
  let value = parsed.get(packed);
  if (value) return value;
  value = JSON.parse(inspectPacker.unpack(packed)) as ContainerDetails;
  parsed.set(packed, value);
  if (parsed.size > PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  return value;
}

/** What a `docker inspect` of the task's container tells the record: kept packed, with the pause flag. */
export function dockerDetail(inspect: ContainerDetails): Pick<TaskAttempt, 'inspectPacked' | 'paused'> {
  return { inspectPacked: inspectPacker.pack(JSON.stringify(inspect)), paused: Boolean(inspect.State?.Paused) };
}
