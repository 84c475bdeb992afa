// The master's state and behaviour behind the scheduler API: frameworks (subscribe, failover, disconnect, failover
// timeout, teardown), offers (creation from the allocator, decline, rescind, timeout), tasks (ACCEPT/LAUNCH with the
// master's validation, kill, acknowledge, reconciliation, status updates forwarded from agents) and the master's view
// of each agent (registered, disconnected, unreachable, gone, recovering after a master failover). HTTP-level checks
// are in http.ts; this module is reached only with a parsed, validated call for a known, subscribed framework.
import type { ServerResponse } from 'node:http';
import type Dockerode from 'dockerode';
import { SimAgent, type AgentConfig, type AgentLink } from './agent.js';
import { Allocator, type AllocationFramework } from './allocator.js';
import {
  errorEvent,
  failureEvent,
  masterStatus,
  offerJson,
  offersEvent,
  rescindEvent,
  subscribedEvent,
  updateEvent,
  type MasterIdentity,
} from './events.js';
import { newUuid, validateId } from './ids.js';
import {
  frameworkRoles,
  hasCapability,
  isTerminal,
  type CallMsg,
  summarizeTask,
  type FrameworkInfoMsg,
  type TaskInfoMsg,
  type TaskState,
  type TaskSummary,
} from './messages.js';
import { ResourceBag } from './resources.js';
import type { QueuedUpdate } from './status-updates.js';
import { SubscriptionStream } from './stream.js';
import { validateLaunchResources, validateTask } from './task-validation.js';
import { dbl, nowNanos, timestampSeconds } from './wire-json.js';

export interface MasterConfig {
  hostname: string;
  ip: string;
  version: string;
  heartbeatIntervalMs: number;
  allocationIntervalMs: number;
  /** --offer_timeout; undefined = offers never time out (the default). */
  offerTimeoutMs?: number;
  firstOfferDelayMs: number;
  /** --registry=in_memory: after a failover the master knows no agent until it re-registers. */
  inMemoryRegistry: boolean;
  /** Seed of the RecordIO fuzz splitter for streams; undefined = no fuzzing. */
  fuzzSeed?: number;
  /** How long a disconnected agent may stay away before it is marked unreachable. */
  agentReregisterTimeoutMs: number;
  maxCompletedTasksPerFramework: number;
  maxCompletedFrameworks: number;
  /** --roles; undefined = any role. */
  rolesWhitelist?: readonly string[];
  rootSubmissions: boolean;
  recordArgv: boolean;
}

export interface TaskRec {
  taskId: string;
  name: string;
  frameworkId: string;
  agentId: string;
  role: string;
  info: TaskSummary;
  resources: ResourceBag;
  /** The latest state the agent knows (what /state shows). */
  state: TaskState;
  /** The state of the update last forwarded to the framework (what reconciliation answers). */
  statusUpdateState?: TaskState;
  statusUpdateUuid?: Buffer;
  statuses: Array<{ state: TaskState; timestamp: number; containerStatus?: unknown; healthy?: boolean }>;
  containerStatus?: Record<string, unknown>;
  healthy?: boolean;
  resourcesRecovered: boolean;
  unreachableTime?: bigint;
}

export interface FrameworkRec {
  id: string;
  info: FrameworkInfoMsg;
  roles: string[];
  suppressedRoles: Set<string>;
  stream?: SubscriptionStream;
  connected: boolean;
  active: boolean;
  /** Known only from re-registering agents after a master failover; not yet re-subscribed. */
  recovered: boolean;
  registeredTime: number;
  reregisteredTime?: number;
  /** When the current subscription began (ms): config.firstOfferDelayMs counts from it. */
  subscribedAtMs?: number;
  unregisteredTime?: number;
  failoverTimer?: NodeJS.Timeout;
  tasks: Map<string, TaskRec>;
  unreachableTasks: Map<string, TaskRec>;
  completedTasks: TaskRec[];
  offers: Set<string>;
}

export type AgentState = 'pending' | 'registered' | 'disconnected' | 'unreachable' | 'gone' | 'recovering';

export interface AgentRecord {
  agent: SimAgent;
  state: AgentState;
  registeredTime?: number;
  reregisteredTime?: number;
  unreachableTime?: bigint;
  used: ResourceBag;
  offered: ResourceBag;
  tasks: Set<TaskRec>;
  offers: Set<string>;
  pendingKills: Map<string, { frameworkId: string; taskId: string; graceNanos?: number }>;
  reregisterTimer?: NodeJS.Timeout;
  availableCache?: ResourceBag;
  /** Recovering, but not in this master's registry (in memory, lost with the old leader): unknown till it returns. */
  forgotten?: boolean;
}

export interface OfferRec {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: ResourceBag;
  timer?: NodeJS.Timeout;
}

export type CallResult = { status: 202 } | { status: 200 } | { status: 400 | 403 | 409 | 501; body: string };

/** Every field set from the start: objects that keep one shape stay small (there may be 100,000 of them). */
function newTaskRec(
  frameworkId: string,
  agentId: string,
  role: string,
  info: TaskSummary,
  resources: ResourceBag,
  state: TaskState,
): TaskRec {
  return {
    taskId: info.task_id.value,
    name: info.name,
    frameworkId,
    agentId,
    role,
    info,
    resources,
    state,
    statusUpdateState: undefined,
    statusUpdateUuid: undefined,
    statuses: [],
    containerStatus: undefined,
    healthy: undefined,
    resourcesRecovered: false,
    unreachableTime: undefined,
  };
}

const isPartitionAware = (fw: FrameworkRec) => hasCapability(fw.info, 'PARTITION_AWARE');

function describeSet(items: Iterable<string>): string {
  return `{ ${[...items].join(', ')} }`;
}

/** roles::validate: the texts the master puts in "'FrameworkInfo.roles' contains invalid role: …". */
export function validateRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  const parts = role.split('/').filter((p) => p.length > 0);
  if (parts.length === 0) return 'Role names cannot be the empty string';
  for (const c of parts) {
    if (c === '.') return `Role '${role}' cannot include '.' as a component`;
    if (c === '..') return `Role '${role}' cannot include '..' as a component`;
    if (c === '*') return `Role '${role}' cannot include '*' as a component`;
    if (c.startsWith('-')) return `Role component '${c}' is invalid because it starts with a dash`;
    if ([...c].some((ch) => '\b\v\f\n\r\t '.includes(ch))) {
      return `Role component '${c}' is invalid because it contains backspace or whitespace`;
    }
  }
  return undefined;
}

/** validation::framework::validate. */
function validateFrameworkInfo(info: FrameworkInfoMsg): string | undefined {
  const multiRole = hasCapability(info, 'MULTI_ROLE');
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multiRole && (info.roles ?? []).length > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  if (multiRole) {
    const seen = new Set<string>();
    const dups = new Set<string>();
    for (const r of info.roles ?? []) (seen.has(r) ? dups : seen).add(r);
    if (dups.size > 0) return `'FrameworkInfo.roles' contains duplicate items: ${describeSet(dups)}`;
    for (const r of info.roles ?? []) {
      const e = validateRole(r);
      if (e) return `'FrameworkInfo.roles' contains invalid role: ${e}`;
    }
  } else {
    const e = validateRole(info.role ?? '*');
    if (e) return `'FrameworkInfo.role' is not a valid role: ${e}`;
  }
  if (info.id && info.id.value !== '') {
    const e = validateId(info.id.value);
    if (e) return e;
  }
  const t = info.failover_timeout ?? 0;
  if (!Number.isFinite(t) || Math.abs(t * 1e9) > 9.2233720368547e18) {
    return `The framework failover_timeout (${t}) is invalid`;
  }
  return undefined;
}

export class Master implements AgentLink {
  readonly config: MasterConfig;
  identity: MasterIdentity;
  readonly frameworks = new Map<string, FrameworkRec>();
  readonly completedFrameworks: FrameworkRec[] = [];
  readonly completedFrameworkIds = new Set<string>();
  readonly agents = new Map<string, AgentRecord>();
  readonly offers = new Map<string, OfferRec>();
  readonly allocator: Allocator;
  readonly startTime = Date.now() / 1000;
  electedTime?: number;
  leading = false;
  /** Until this time (ms) the master answers 503 "Master has not finished recovery". */
  recoveringUntil = 0;
  private frameworkCounter = 0;
  private offerCounter = 0;
  private agentCounter = 0;
  private streamCounter = 0;

  // Test hooks.
  readonly callCounts = new Map<string, number>();
  readonly ackStats = { received: 0, matched: 0, ignored: 0 };
  readonly argv = new Map<string, string[]>();
  readonly containers = new Map<string, Dockerode>();
  readonly faults = { updateDelayMs: 0, duplicateUpdates: false };
  /** Called when the master's identity changes (failover), so ZooKeeper can be told. */
  onIdentityChange?: (id: MasterIdentity) => void;

  constructor(config: MasterConfig, port: number) {
    this.config = config;
    this.identity = { id: newUuid(), hostname: config.hostname, ip: config.ip, port, version: config.version };
    this.allocator = new Allocator(
      {
        frameworks: () => this.allocationFrameworks(),
        agents: () => this.allocationAgents(),
        available: (agentId) => this.available(this.agents.get(agentId)!),
        offer: (frameworkId, offers) => this.makeOffers(frameworkId, offers),
      },
      config.allocationIntervalMs,
    );
  }

  get id(): string {
    return this.identity.id;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Leadership and agents

  becomeLeader(): void {
    if (this.leading) return;
    this.leading = true;
    this.electedTime = Date.now() / 1000;
    for (const rec of this.agents.values()) if (rec.state === 'pending') this.registerAgent(rec);
    this.allocator.start();
    this.allocator.allocateSoon();
  }

  /**
   * A new leader takes over the agents of the master that died (they re-register with it, keeping their IDs, their
   * tasks and their containers), after `reregisterDelayMs`, as real agents do once ZooKeeper names the new leader.
   */
  adoptAgents(previous: Master, reregisterDelayMs: number): void {
    for (const [id, old] of previous.agents) {
      if (old.reregisterTimer) clearTimeout(old.reregisterTimer);
      old.agent.relink(this);
      const rec: AgentRecord = {
        agent: old.agent,
        state: 'recovering',
        used: new ResourceBag(),
        offered: new ResourceBag(),
        tasks: new Set(),
        offers: new Set(),
        pendingKills: new Map(),
        forgotten: this.config.inMemoryRegistry,
      };
      this.agents.set(id, rec);
      rec.reregisterTimer = setTimeout(() => this.restoreAgent(id), reregisterDelayMs);
      rec.reregisterTimer.unref();
    }
    previous.agents.clear();
    for (const [id, docker] of previous.containers) this.containers.set(id, docker);
    previous.containers.clear();
  }

  /** This master dies as a leader: its schedulers' streams and its offers end; its agents live on. */
  abdicate(): void {
    this.leading = false;
    this.allocator.stop();
    for (const fw of this.frameworks.values()) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.stream?.destroy();
    }
    for (const offer of this.offers.values()) if (offer.timer) clearTimeout(offer.timer);
    this.offers.clear();
  }

  newAgentId(): string {
    return `${this.id}-S${this.agentCounter++}`;
  }

  addAgent(config: Omit<AgentConfig, 'id'> & { id?: string }): SimAgent {
    const agent = new SimAgent({ ...config, id: config.id ?? this.newAgentId() }, this);
    const rec: AgentRecord = {
      agent,
      state: 'pending',
      used: new ResourceBag(),
      offered: new ResourceBag(),
      tasks: new Set(),
      offers: new Set(),
      pendingKills: new Map(),
    };
    this.agents.set(agent.id, rec);
    if (this.leading) this.registerAgent(rec);
    return agent;
  }

  private registerAgent(rec: AgentRecord): void {
    rec.state = 'registered';
    rec.registeredTime = Date.now() / 1000;
    this.touch(rec);
    this.allocator.allocateSoon();
  }

  private touch(rec: AgentRecord): void {
    rec.availableCache = undefined;
  }

  available(rec: AgentRecord): ResourceBag {
    if (!rec.availableCache) {
      rec.availableCache = rec.agent.config.resources.clone().subtract(rec.used).subtract(rec.offered);
    }
    return rec.availableCache;
  }

  private *allocationAgents(): Iterable<{ id: string; hasGpus: boolean }> {
    for (const rec of this.agents.values()) {
      if (rec.state === 'registered')
        yield { id: rec.agent.id, hasGpus: rec.agent.config.resources.scalar('gpus') > 0 };
    }
  }

  private allocationFrameworks(): AllocationFramework[] {
    const out: AllocationFramework[] = [];
    for (const fw of this.frameworks.values()) {
      if (!fw.connected || !fw.active) continue;
      if (Date.now() - (fw.subscribedAtMs ?? 0) < this.config.firstOfferDelayMs) continue;
      out.push({
        id: fw.id,
        roles: fw.roles,
        suppressedRoles: fw.suppressedRoles,
        gpuCapable: hasCapability(fw.info, 'GPU_RESOURCES'),
      });
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Streams and sending

  private send(fw: FrameworkRec, event: unknown): void {
    if (fw.connected && fw.stream && !fw.stream.closed) fw.stream.send(event);
  }

  private newStream(res: ServerResponse): SubscriptionStream {
    const seed = this.config.fuzzSeed;
    return new SubscriptionStream(res, {
      streamId: newUuid(),
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      fuzzSeed: seed === undefined ? undefined : seed + this.streamCounter++,
      onClose: (s) => this.onStreamClosed(s),
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // SUBSCRIBE

  subscribe(res: ServerResponse, sub: NonNullable<CallMsg['subscribe']>, principal?: string): void {
    const stream = this.newStream(res);
    const info = sub.framework_info;
    if (principal !== undefined && info.principal === undefined) info.principal = principal;
    const refuse = (message: string) => {
      stream.send(errorEvent(message));
      stream.end();
    };

    const invalid = validateFrameworkInfo(info);
    if (invalid) return refuse(invalid);
    const roles = frameworkRoles(info);
    if (this.config.rolesWhitelist) {
      const bad = roles.filter((r) => r !== '*' && !this.config.rolesWhitelist!.includes(r));
      if (bad.length > 0) return refuse(`Roles ${describeSet(new Set(bad))} are not present in the master's --roles`);
    }
    if (info.user === 'root' && !this.config.rootSubmissions) {
      return refuse("User 'root' is not allowed to run frameworks without --root_submissions set");
    }
    const id = info.id?.value ?? '';
    if (id !== '' && this.completedFrameworkIds.has(id)) return refuse('Framework has been removed');
    const suppressed = new Set(sub.suppressed_roles ?? []);
    const outside = [...suppressed].filter((r) => !roles.includes(r)).sort();
    if (outside.length > 0)
      return refuse(`Suppressed roles ${describeSet(outside)} are not contained in the set of roles`);

    let fw: FrameworkRec;
    if (id === '') {
      const newId = `${this.id}-${String(this.frameworkCounter++).padStart(4, '0')}`;
      fw = {
        id: newId,
        info: { ...info, id: { value: newId } },
        roles,
        suppressedRoles: suppressed,
        connected: false,
        active: false,
        recovered: false,
        registeredTime: Date.now() / 1000,
        tasks: new Map(),
        unreachableTasks: new Map(),
        completedTasks: [],
        offers: new Set(),
      };
      this.frameworks.set(newId, fw);
    } else {
      const existing = this.frameworks.get(id) ?? this.recoverFramework(id, info);
      // Re-subscribing cannot change these; a different principal is refused, user and checkpoint are kept.
      if ((existing.info.principal ?? null) !== (info.principal ?? null) && !existing.recovered) {
        return refuse("Changing framework's principal is not allowed.");
      }
      fw = existing;
      const keptUser = fw.recovered ? info.user : fw.info.user;
      const keptCheckpoint = fw.recovered ? info.checkpoint : fw.info.checkpoint;
      fw.info = { ...info, user: keptUser, checkpoint: keptCheckpoint };
      fw.roles = roles;
      fw.suppressedRoles = suppressed;
      fw.recovered = false;
      fw.reregisteredTime = Date.now() / 1000;
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.failoverTimer = undefined;
      const old = fw.stream;
      fw.stream = undefined;
      if (old && !old.closed) {
        old.send(errorEvent('Framework failed over'));
        old.end();
      }
      // Outstanding offers become invalid without a RESCIND.
      for (const offerId of [...fw.offers]) this.removeOffer(this.offers.get(offerId)!, { rescind: false });
    }

    fw.stream = stream;
    fw.connected = true;
    fw.active = true;
    fw.subscribedAtMs = Date.now();
    if (this.config.firstOfferDelayMs > 0)
      setTimeout(() => this.allocator.allocateSoon(), this.config.firstOfferDelayMs).unref();
    fw.unregisteredTime = undefined;
    stream.send(subscribedEvent(fw.id, this.config.heartbeatIntervalMs / 1000, this.identity));
    stream.startHeartbeats();
    // UpdateFrameworkMessage to every agent: they resend what is unacknowledged, right away.
    for (const rec of this.agents.values()) if (rec.state === 'registered') rec.agent.updates.flush(fw.id);
    this.allocator.allocateSoon();
  }

  /** A framework the master learns of without a subscription (after its own failover). */
  private recoverFramework(id: string, info: FrameworkInfoMsg): FrameworkRec {
    const fw: FrameworkRec = {
      id,
      info: { ...info, id: { value: id } },
      roles: frameworkRoles(info),
      suppressedRoles: new Set(),
      connected: false,
      active: false,
      recovered: true,
      registeredTime: Date.now() / 1000,
      tasks: new Map(),
      unreachableTasks: new Map(),
      completedTasks: [],
      offers: new Set(),
    };
    this.frameworks.set(id, fw);
    return fw;
  }

  private onStreamClosed(stream: SubscriptionStream): void {
    for (const fw of this.frameworks.values()) {
      if (fw.stream !== stream) continue;
      this.disconnectFramework(fw);
      return;
    }
  }

  private disconnectFramework(fw: FrameworkRec): void {
    fw.stream = undefined;
    fw.connected = false;
    fw.active = false;
    fw.unregisteredTime = Date.now() / 1000;
    // Offers are taken back; the RESCINDs could not be delivered anyway.
    for (const offerId of [...fw.offers]) this.removeOffer(this.offers.get(offerId)!, { rescind: false });
    // As the hierarchical allocator's deactivateFramework: a framework that comes back starts without refuse filters.
    this.allocator.clearFilters(fw.id);
    const timeout = fw.info.failover_timeout ?? 0;
    if (!(timeout > 0)) {
      this.removeFramework(fw);
      return;
    }
    fw.failoverTimer = setTimeout(() => this.removeFramework(fw), Math.min(timeout * 1000, 2 ** 31 - 1));
    fw.failoverTimer.unref();
  }

  /** TEARDOWN, or the failover timeout ran out: tasks killed on the agents, moved to completed without updates. */
  removeFramework(fw: FrameworkRec): void {
    if (this.frameworks.get(fw.id) !== fw) return;
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    for (const offerId of [...fw.offers]) this.removeOffer(this.offers.get(offerId)!, { rescind: false });
    for (const task of [...fw.tasks.values()]) {
      if (!isTerminal(task.state)) {
        task.state = 'TASK_KILLED';
        task.statuses.push({ state: 'TASK_KILLED', timestamp: timestampSeconds() });
      }
      this.removeTask(task, 'completed');
    }
    for (const rec of this.agents.values()) rec.agent.shutdownFramework(fw.id);
    for (const rec of this.agents.values())
      for (const [k, v] of rec.pendingKills) if (v.frameworkId === fw.id) rec.pendingKills.delete(k);
    this.allocator.removeFramework(fw.id);
    this.frameworks.delete(fw.id);
    this.completedFrameworkIds.add(fw.id);
    this.completedFrameworks.push(fw);
    if (this.completedFrameworks.length > this.config.maxCompletedFrameworks) this.completedFrameworks.shift();
    const stream = fw.stream;
    fw.stream = undefined;
    fw.connected = false;
    fw.active = false;
    stream?.end();
    this.allocator.allocateSoon();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Calls

  handleCall(fw: FrameworkRec, call: CallMsg): CallResult {
    switch (call.type) {
      case 'TEARDOWN':
        this.removeFramework(fw);
        return { status: 202 };
      case 'ACCEPT':
        this.accept(fw, call.accept!);
        return { status: 202 };
      case 'DECLINE':
        this.decline(fw, call.decline!.offer_ids ?? [], call.decline!.filters?.refuse_seconds);
        return { status: 202 };
      case 'REVIVE':
        this.revive(fw, call.revive?.roles ?? []);
        return { status: 202 };
      case 'SUPPRESS':
        this.suppress(fw, call.suppress?.roles ?? []);
        return { status: 202 };
      case 'KILL':
        this.kill(fw, call.kill!);
        return { status: 202 };
      case 'ACKNOWLEDGE':
        this.acknowledge(fw, call.acknowledge!);
        return { status: 202 };
      case 'RECONCILE':
        this.reconcile(fw, call.reconcile!.tasks ?? []);
        return { status: 202 };
      case 'UPDATE_FRAMEWORK':
        return this.updateFramework(fw, call.update_framework!);
      case 'UNKNOWN':
        return { status: 501, body: '' };
      default:
        // SHUTDOWN (no custom executors here), MESSAGE (the docker executor ignores them), REQUEST (the allocator
        // ignores it), inverse offers and operation calls: accepted and dropped, as far as a framework can tell.
        return { status: 202 };
    }
  }

  private accept(fw: FrameworkRec, accept: NonNullable<CallMsg['accept']>): void {
    const ids = (accept.offer_ids ?? []).map((o) => o.value);
    const operations = accept.operations ?? [];
    let error: string | undefined;
    if (ids.length === 0) error = 'No offers specified';
    else error = this.validateOffers(fw, ids);

    if (error !== undefined) {
      for (const id of ids) {
        const offer = this.offers.get(id);
        if (offer && offer.frameworkId === fw.id) this.removeOffer(offer, { rescind: false });
      }
      const state: TaskState = isPartitionAware(fw) ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const op of operations) {
        const tasks =
          op.type === 'LAUNCH'
            ? op.launch?.task_infos
            : op.type === 'LAUNCH_GROUP'
              ? op.launch_group?.task_group.tasks
              : undefined;
        for (const t of tasks ?? []) {
          this.send(
            fw,
            updateEvent(
              masterStatus({
                taskId: t.task_id.value,
                state,
                message: `Task launched with invalid offers: ${error}`,
                reason: 'REASON_INVALID_OFFERS',
                agentId: t.agent_id.value,
              }),
            ),
          );
        }
      }
      return;
    }

    const first = this.offers.get(ids[0]!)!;
    const rec = this.agents.get(first.agentId)!;
    const role = first.role;
    const offered = new ResourceBag();
    for (const id of ids) {
      const offer = this.offers.get(id)!;
      offered.add(offer.resources);
      this.removeOffer(offer, { rescind: false, recover: false });
    }

    const taskError = (t: TaskInfoMsg, message: string, reason: string) =>
      this.send(
        fw,
        updateEvent(
          masterStatus({ taskId: t.task_id.value, state: 'TASK_ERROR', message, reason, agentId: t.agent_id.value }),
        ),
      );

    for (const op of operations) {
      if (op.type === 'LAUNCH_GROUP') {
        for (const t of op.launch_group?.task_group.tasks ?? []) {
          taskError(t, 'Task groups (LAUNCH_GROUP) are not supported by mesos-sim', 'REASON_TASK_GROUP_INVALID');
        }
        continue;
      }
      if (op.type !== 'LAUNCH') continue; // reservations and volumes are not simulated
      const tasks = op.launch?.task_infos ?? [];
      const resourceError = validateLaunchResources(tasks);
      if (resourceError !== undefined) {
        for (const t of tasks) taskError(t, resourceError, 'REASON_TASK_INVALID');
        continue;
      }
      if (op.id !== undefined) {
        for (const t of tasks) taskError(t, 'The `id` field cannot be set on LAUNCH operations', 'REASON_TASK_INVALID');
        continue;
      }
      for (const t of tasks) {
        if (rec.state !== 'registered') {
          const removed = rec.state !== 'disconnected';
          this.send(
            fw,
            updateEvent(
              masterStatus({
                taskId: t.task_id.value,
                state: isPartitionAware(fw) ? 'TASK_DROPPED' : 'TASK_LOST',
                message: removed ? 'Agent removed' : 'Agent disconnected',
                reason: removed ? 'REASON_AGENT_REMOVED' : 'REASON_AGENT_DISCONNECTED',
                agentId: t.agent_id.value,
              }),
            ),
          );
          continue;
        }
        const v = validateTask(t, {
          agentId: rec.agent.id,
          offerRole: role,
          offered,
          isKnownTask: (id) => fw.tasks.has(id),
          isUnreachableTask: (id) => fw.unreachableTasks.has(id),
        });
        if ('error' in v) {
          taskError(t, v.error, 'REASON_TASK_INVALID');
          continue;
        }
        offered.subtract(v.bag);
        this.launchTask(fw, rec, t, role, v.bag);
      }
    }
    // Unused resources go back with the ACCEPT's filter (default 5 s).
    this.allocator.refuse(fw.id, rec.agent.id, role, offered, accept.filters?.refuse_seconds);
    this.allocator.changed();
  }

  private validateOffers(fw: FrameworkRec, ids: string[]): string | undefined {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) return `Duplicate offer ${id} in offer list`;
      seen.add(id);
    }
    for (const id of ids) if (!this.offers.has(id)) return `Offer ${id} is no longer valid`;
    for (const id of ids) {
      const o = this.offers.get(id)!;
      if (o.frameworkId !== fw.id) {
        return `Offer ${id} has invalid framework ${o.frameworkId} while framework ${fw.id} is expected`;
      }
    }
    let role: string | undefined;
    for (const id of ids) {
      const o = this.offers.get(id)!;
      if (role === undefined) role = o.role;
      else if (o.role !== role) {
        return `Aggregated offers must be allocated to the same role. Offer ${id} uses role '${o.role} but another is using role '${role}`;
      }
    }
    let agentId: string | undefined;
    for (const id of ids) {
      const o = this.offers.get(id)!;
      if (agentId === undefined) agentId = o.agentId;
      else if (o.agentId !== agentId) {
        return `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${o.agentId} and agent ${agentId}`;
      }
    }
    return undefined;
  }

  private launchTask(fw: FrameworkRec, rec: AgentRecord, t: TaskInfoMsg, role: string, bag: ResourceBag): void {
    const summary = summarizeTask(t);
    const task = newTaskRec(fw.id, rec.agent.id, role, summary, bag, 'TASK_STAGING');
    fw.tasks.set(task.taskId, task);
    rec.tasks.add(task);
    rec.used.add(bag);
    this.touch(rec);
    const agent = rec.agent;
    const info = fw.info;
    // RunTaskMessage travels to the agent: never inside the ACCEPT request itself.
    setImmediate(() => {
      if (this.agents.get(agent.id)?.agent !== agent || !fw.tasks.has(task.taskId)) return;
      agent.runTask(fw.id, info, t, role, bag, summary);
    });
  }

  private decline(fw: FrameworkRec, offerIds: { value: string }[], refuseSeconds: number | undefined): void {
    for (const { value } of offerIds) {
      const offer = this.offers.get(value);
      if (!offer || offer.frameworkId !== fw.id) continue; // stale or foreign offers are ignored quietly
      this.removeOffer(offer, { rescind: false });
      this.allocator.refuse(fw.id, offer.agentId, offer.role, offer.resources, refuseSeconds);
    }
    this.allocator.changed();
  }

  /** Roles a REVIVE/SUPPRESS may name; any other role makes the master drop the whole call. */
  private rolesValid(fw: FrameworkRec, roles: string[]): boolean {
    return roles.every((r) => validateRole(r) === undefined && fw.roles.includes(r));
  }

  private revive(fw: FrameworkRec, roles: string[]): void {
    if (!this.rolesValid(fw, roles)) return;
    const affected = roles.length === 0 ? fw.roles : roles;
    this.allocator.clearFilters(fw.id, roles.length === 0 ? undefined : roles);
    for (const r of affected) fw.suppressedRoles.delete(r);
    this.allocator.allocateSoon();
  }

  private suppress(fw: FrameworkRec, roles: string[]): void {
    if (!this.rolesValid(fw, roles)) return;
    for (const r of roles.length === 0 ? fw.roles : roles) fw.suppressedRoles.add(r);
  }

  private kill(fw: FrameworkRec, kill: NonNullable<CallMsg['kill']>): void {
    const taskId = kill.task_id.value;
    const task = fw.tasks.get(taskId);
    if (!task) {
      this.reconcile(fw, [{ task_id: kill.task_id, agent_id: kill.agent_id }]);
      return;
    }
    if (kill.agent_id && kill.agent_id.value !== task.agentId) return; // known task, other agent: ignored
    const rec = this.agents.get(task.agentId);
    if (!rec) return;
    const grace = kill.kill_policy?.grace_period?.nanoseconds;
    if (rec.state === 'registered') {
      const agent = rec.agent;
      setImmediate(() => agent.killTask(fw.id, taskId, grace));
    } else {
      rec.pendingKills.set(`${fw.id}\0${taskId}`, { frameworkId: fw.id, taskId, graceNanos: grace });
    }
  }

  private acknowledge(fw: FrameworkRec, ack: NonNullable<CallMsg['acknowledge']>): void {
    this.ackStats.received++;
    const rec = this.agents.get(ack.agent_id.value);
    if (!rec || rec.state !== 'registered') {
      this.ackStats.ignored++;
      return;
    }
    const task = fw.tasks.get(ack.task_id.value);
    if (task?.statusUpdateState && isTerminal(task.statusUpdateState) && task.statusUpdateUuid?.equals(ack.uuid)) {
      this.removeTask(task, 'completed');
    }
    const acked = rec.agent.acknowledge(fw.id, ack.task_id.value, ack.uuid);
    if (acked) this.ackStats.matched++;
    else this.ackStats.ignored++;
  }

  private reconcileStatus(task: TaskRec): Record<string, unknown> {
    return masterStatus({
      taskId: task.taskId,
      state: task.statusUpdateState ?? task.state,
      message: 'Reconciliation: Latest task state',
      reason: 'REASON_RECONCILIATION',
      agentId: task.agentId,
      executorId: task.info.executor?.executor_id.value,
      healthy: task.healthy,
      containerStatus: task.containerStatus,
    });
  }

  private reconcile(
    fw: FrameworkRec,
    tasks: Array<{ task_id: { value: string }; agent_id?: { value: string } }>,
  ): void {
    if (tasks.length === 0) {
      for (const task of fw.tasks.values()) this.send(fw, updateEvent(this.reconcileStatus(task)));
      return;
    }
    const pa = isPartitionAware(fw);
    // Only a master that recovered its registry knows which agents may still report a task.
    const recovering = (r: AgentRecord | undefined) => r?.state === 'recovering' && !r.forgotten;
    const anyRecovering = [...this.agents.values()].some(recovering);
    for (const t of tasks) {
      const taskId = t.task_id.value;
      const agentId = t.agent_id?.value;
      const known = fw.tasks.get(taskId);
      if (known) {
        this.send(fw, updateEvent(this.reconcileStatus(known)));
        continue;
      }
      const rec = agentId === undefined ? undefined : this.agents.get(agentId);
      if ((agentId !== undefined && recovering(rec)) || (agentId === undefined && anyRecovering)) {
        continue; // the agent may still report it: no answer until it re-registers
      }
      const answer = (state: TaskState, message: string, unreachableTime?: bigint) =>
        this.send(
          fw,
          updateEvent(
            masterStatus({ taskId, state, message, reason: 'REASON_RECONCILIATION', agentId, unreachableTime }),
          ),
        );
      if (rec && (rec.state === 'registered' || rec.state === 'disconnected')) {
        answer(pa ? 'TASK_GONE' : 'TASK_LOST', 'Reconciliation: Task is unknown to the agent');
      } else if (rec?.state === 'unreachable') {
        answer(pa ? 'TASK_UNREACHABLE' : 'TASK_LOST', 'Reconciliation: Task is unreachable', rec.unreachableTime);
      } else if (rec?.state === 'gone') {
        answer(pa ? 'TASK_GONE_BY_OPERATOR' : 'TASK_LOST', 'Reconciliation: Task is gone');
      } else {
        answer(pa ? 'TASK_UNKNOWN' : 'TASK_LOST', 'Reconciliation: Task is unknown');
      }
    }
  }

  private updateFramework(fw: FrameworkRec, u: NonNullable<CallMsg['update_framework']>): CallResult {
    const info = u.framework_info;
    const invalid = validateFrameworkInfo(info);
    if (invalid) return { status: 400, body: `Supplied FrameworkInfo is not valid: ${invalid}` };
    if ((fw.info.principal ?? null) !== (info.principal ?? null)) {
      return { status: 400, body: "FrameworkInfo update is not valid: Changing framework's principal is not allowed." };
    }
    if (info.user !== fw.info.user) {
      return {
        status: 400,
        body: `FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${fw.info.user}' to '${info.user}'`,
      };
    }
    if ((info.checkpoint ?? false) !== (fw.info.checkpoint ?? false)) {
      return {
        status: 400,
        body: `FrameworkInfo update is not valid: Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${fw.info.checkpoint ?? false}' to '${info.checkpoint ?? false}'`,
      };
    }
    const roles = frameworkRoles(info);
    const suppressed = new Set(u.suppressed_roles ?? []);
    const outside = [...suppressed].filter((r) => !roles.includes(r)).sort();
    if (outside.length > 0) {
      return {
        status: 400,
        body: `'UpdateFramework' call is not valid: Suppressed roles ${describeSet(outside)} are not contained in the set of roles`,
      };
    }
    const removedRoles = fw.roles.filter((r) => !roles.includes(r));
    const unsuppressed = [...fw.suppressedRoles].filter((r) => !suppressed.has(r));
    fw.info = { ...info, id: { value: fw.id } };
    fw.roles = roles;
    fw.suppressedRoles = suppressed;
    for (const offerId of [...fw.offers]) {
      const offer = this.offers.get(offerId)!;
      if (removedRoles.includes(offer.role)) this.removeOffer(offer, { rescind: true });
    }
    if (unsuppressed.length > 0) this.allocator.clearFilters(fw.id, unsuppressed);
    this.allocator.allocateSoon();
    return { status: 200 };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Offers

  private makeOffers(
    frameworkId: string,
    batch: Array<{ agentId: string; role: string; resources: ResourceBag }>,
  ): void {
    const fw = this.frameworks.get(frameworkId);
    if (!fw?.connected) return;
    const multiRole = hasCapability(fw.info, 'MULTI_ROLE');
    const refinement = hasCapability(fw.info, 'RESERVATION_REFINEMENT');
    const out: Record<string, unknown>[] = [];
    for (const { agentId, role, resources } of batch) {
      const rec = this.agents.get(agentId)!;
      const offer: OfferRec = {
        id: `${this.id}-O${this.offerCounter++}`,
        frameworkId,
        agentId,
        role,
        resources: resources.clone(),
      };
      this.offers.set(offer.id, offer);
      fw.offers.add(offer.id);
      rec.offers.add(offer.id);
      rec.offered.add(offer.resources);
      this.touch(rec);
      if (this.config.offerTimeoutMs !== undefined) {
        offer.timer = setTimeout(() => this.rescindOffer(offer), this.config.offerTimeoutMs);
        offer.timer.unref();
      }
      const a = rec.agent.config;
      out.push(
        offerJson({
          id: offer.id,
          frameworkId,
          agent: { id: a.id, hostname: a.hostname, ip: a.ip, port: a.port, attributes: a.attributes },
          role,
          resources: offer.resources,
          multiRole,
          reservationRefinement: refinement,
        }),
      );
    }
    if (out.length > 0) this.send(fw, offersEvent(out));
  }

  /** Takes an offer out; its resources go back to the allocator unless `recover` is false (ACCEPT uses them). */
  private removeOffer(offer: OfferRec, opts: { rescind: boolean; recover?: boolean }): void {
    if (!this.offers.delete(offer.id)) return;
    if (offer.timer) clearTimeout(offer.timer);
    const fw = this.frameworks.get(offer.frameworkId);
    fw?.offers.delete(offer.id);
    const rec = this.agents.get(offer.agentId);
    if (rec) {
      rec.offers.delete(offer.id);
      rec.offered.subtract(offer.resources);
      this.touch(rec);
    }
    if (opts.rescind && fw) this.send(fw, rescindEvent(offer.id));
    if (opts.recover !== false) this.allocator.changed();
  }

  rescindOffer(offer: OfferRec): void {
    this.removeOffer(offer, { rescind: true });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Tasks

  private recoverTaskResources(task: TaskRec): void {
    if (task.resourcesRecovered) return;
    task.resourcesRecovered = true;
    const rec = this.agents.get(task.agentId);
    if (rec?.tasks.has(task)) {
      rec.used.subtract(task.resources);
      this.touch(rec);
      // Freed resources are offered again without waiting for the next allocation cycle.
      this.allocator.allocateSoon();
    }
  }

  /** Takes the task out of the framework's live tasks (to completed, or to unreachable) and off its agent. */
  private removeTask(task: TaskRec, to: 'completed' | 'unreachable' | 'forget'): void {
    const fw = this.frameworks.get(task.frameworkId);
    this.recoverTaskResources(task);
    const rec = this.agents.get(task.agentId);
    rec?.tasks.delete(task);
    if (!fw) return;
    fw.tasks.delete(task.taskId);
    if (to === 'unreachable') {
      fw.unreachableTasks.set(task.taskId, task);
    } else if (to === 'completed') {
      fw.completedTasks.push(task);
      if (fw.completedTasks.length > this.config.maxCompletedTasksPerFramework) fw.completedTasks.shift();
    }
  }

  /** An update from an agent's status update manager (first delivery or a retry). */
  forwardStatus(agent: SimAgent, update: QueuedUpdate, latestState: TaskState): void {
    const rec = this.agents.get(agent.id);
    if (!rec || rec.agent !== agent || rec.state !== 'registered') return; // lost on the way; the agent retries
    const fw = this.frameworks.get(update.frameworkId);
    const task = fw?.tasks.get(update.taskId);
    if (task) {
      task.state = latestState;
      task.statusUpdateState = update.state;
      if (!task.statusUpdateUuid?.equals(update.uuid)) {
        // A retry of the update last forwarded adds no status; one in the same state as the last (a health report)
        // takes its place, as the master keeps one status per state in a row.
        if (task.statuses.at(-1)?.state === update.state) task.statuses.pop();
        task.statuses.push({
          state: update.state,
          timestamp: (update.status.timestamp as { value: number }).value,
          containerStatus: update.status.container_status,
          healthy: update.status.healthy as boolean | undefined,
        });
      }
      task.statusUpdateUuid = update.uuid;
      if (update.status.container_status)
        task.containerStatus = update.status.container_status as Record<string, unknown>;
      if (update.status.healthy !== undefined) task.healthy = update.status.healthy as boolean;
      if (isTerminal(latestState)) this.recoverTaskResources(task);
    }
    if (!fw?.connected) return;
    const deliver = () => {
      if (!fw.connected) return;
      this.send(fw, updateEvent(update.status));
      if (this.faults.duplicateUpdates) this.send(fw, updateEvent(update.status));
    };
    if (this.faults.updateDelayMs > 0) setTimeout(deliver, this.faults.updateDelayMs).unref();
    else deliver();
  }

  recordArgv(taskId: string, argv: string[]): void {
    if (this.config.recordArgv) this.argv.set(taskId, argv);
  }

  onContainer(docker: Dockerode, containerId: string): void {
    this.containers.set(containerId, docker);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Agent faults

  /**
   * The agent stops answering pings (unreachable) or an operator marks it gone: its tasks are reported
   * TASK_LOST (or TASK_UNREACHABLE / TASK_GONE_BY_OPERATOR to PARTITION_AWARE frameworks), its offers are rescinded
   * and every framework gets FAILURE. A partitioned agent keeps running its containers.
   */
  removeAgent(agentId: string, opts: { gone?: boolean } = {}): void {
    const rec = this.agents.get(agentId);
    if (!rec || (rec.state !== 'registered' && rec.state !== 'disconnected')) return;
    if (rec.reregisterTimer) clearTimeout(rec.reregisterTimer);
    const gone = opts.gone ?? false;
    const unreachableTime = gone ? undefined : nowNanos();
    const message = gone ? 'Agent has been marked gone' : 'health check timed out';
    rec.state = gone ? 'gone' : 'unreachable';
    rec.unreachableTime = unreachableTime;
    for (const task of [...rec.tasks]) {
      const fw = this.frameworks.get(task.frameworkId);
      if (!fw) continue;
      const pa = isPartitionAware(fw);
      const state: TaskState = !pa ? 'TASK_LOST' : gone ? 'TASK_GONE_BY_OPERATOR' : 'TASK_UNREACHABLE';
      const reason = pa && gone ? 'REASON_AGENT_REMOVED_BY_OPERATOR' : 'REASON_AGENT_REMOVED';
      task.state = state;
      task.statusUpdateState = state;
      task.unreachableTime = unreachableTime;
      task.statuses.push({ state, timestamp: timestampSeconds() });
      this.removeTask(task, gone ? 'completed' : 'unreachable');
      this.send(
        fw,
        updateEvent(
          masterStatus({
            taskId: task.taskId,
            state,
            message,
            reason,
            agentId,
            executorId: task.info.executor?.executor_id.value,
            unreachableTime,
          }),
        ),
      );
    }
    for (const offerId of [...rec.offers]) this.rescindOffer(this.offers.get(offerId)!);
    rec.used = new ResourceBag();
    this.touch(rec);
    this.allocator.removeAgent(agentId);
    for (const fw of this.frameworks.values()) this.send(fw, failureEvent(agentId));
    if (gone)
      for (const fwId of new Set([...rec.agent.tasks.values()].map((t) => t.frameworkId)))
        rec.agent.shutdownFramework(fwId);
  }

  /**
   * The agent's connection to the master breaks. Tasks of frameworks that do not checkpoint are lost right away
   * ("Agent <host> disconnected"); the others wait for the agent to come back or be marked unreachable.
   */
  disconnectAgent(agentId: string): void {
    const rec = this.agents.get(agentId);
    if (!rec || rec.state !== 'registered') return;
    rec.state = 'disconnected';
    for (const offerId of [...rec.offers]) this.rescindOffer(this.offers.get(offerId)!);
    for (const task of [...rec.tasks]) {
      const fw = this.frameworks.get(task.frameworkId);
      if (!fw || fw.info.checkpoint) continue;
      task.state = 'TASK_LOST';
      task.statusUpdateState = 'TASK_LOST';
      task.statuses.push({ state: 'TASK_LOST', timestamp: timestampSeconds() });
      this.removeTask(task, 'completed');
      this.send(
        fw,
        updateEvent(
          masterStatus({
            taskId: task.taskId,
            state: 'TASK_LOST',
            message: `Agent ${rec.agent.config.hostname} disconnected`,
            reason: 'REASON_AGENT_DISCONNECTED',
            agentId,
            executorId: task.info.executor?.executor_id.value,
          }),
        ),
      );
    }
    rec.reregisterTimer = setTimeout(() => this.removeAgent(agentId), this.config.agentReregisterTimeoutMs);
    rec.reregisterTimer.unref();
  }

  /**
   * The agent process dies and starts again on its work dir. The master sees it disconnect; the executors of
   * frameworks that do not checkpoint end with it (their containers killed, nothing reported: the restarted agent
   * knows nothing of them), the others are recovered, and the agent re-registers with them after `delayMs`.
   */
  restartAgent(agentId: string, delayMs = 500): void {
    const rec = this.agents.get(agentId);
    if (!rec || rec.state !== 'registered') return;
    this.disconnectAgent(agentId);
    rec.agent.restart();
    if (rec.reregisterTimer) clearTimeout(rec.reregisterTimer);
    rec.reregisterTimer = setTimeout(() => this.restoreAgent(agentId), delayMs);
    rec.reregisterTimer.unref();
  }

  /** The agent (re-)registers: the tasks it still has come back with their latest state, unacked updates are resent. */
  restoreAgent(agentId: string): void {
    const rec = this.agents.get(agentId);
    if (!rec || rec.state === 'registered' || rec.state === 'pending') return;
    if (rec.reregisterTimer) clearTimeout(rec.reregisterTimer);
    rec.reregisterTimer = undefined;
    rec.state = 'registered';
    rec.forgotten = false;
    rec.reregisteredTime = Date.now() / 1000;
    rec.unreachableTime = undefined;
    rec.used = new ResourceBag();
    for (const task of rec.tasks) if (!task.resourcesRecovered) rec.used.add(task.resources);
    for (const { at, state } of rec.agent.reportTasks()) {
      if (this.completedFrameworkIds.has(at.frameworkId)) {
        rec.agent.shutdownFramework(at.frameworkId);
        continue;
      }
      const taskId = at.task.task_id.value;
      const fw = this.frameworks.get(at.frameworkId) ?? this.recoverFramework(at.frameworkId, at.frameworkInfo);
      fw.unreachableTasks.delete(taskId);
      const existing = fw.tasks.get(taskId);
      if (existing) {
        existing.state = state;
        continue;
      }
      const idx = fw.completedTasks.findIndex((t) => t.taskId === taskId);
      if (idx >= 0) fw.completedTasks.splice(idx, 1);
      const task = newTaskRec(fw.id, agentId, at.allocationRole, at.task, at.resources, state);
      task.statuses.push({ state, timestamp: timestampSeconds() });
      task.resourcesRecovered = isTerminal(state);
      fw.tasks.set(taskId, task);
      rec.tasks.add(task);
      if (!task.resourcesRecovered) rec.used.add(task.resources);
    }
    this.touch(rec);
    for (const k of rec.pendingKills.values()) {
      if (this.frameworks.has(k.frameworkId)) rec.agent.killTask(k.frameworkId, k.taskId, k.graceNanos);
    }
    rec.pendingKills.clear();
    rec.agent.updates.flush();
    this.allocator.allocateSoon();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Master failover

  /**
   * A new master takes over: new master ID, every scheduler stream cut, frameworks and offers forgotten. Agents stay
   * "recovering" (explicit reconciliation about them gets no answer) until they re-register after the delay.
   */
  failover(opts: { agentReregisterDelayMs?: number; recoveryMs?: number } = {}): void {
    const frameworks = [...this.frameworks.values()];
    this.frameworks.clear();
    for (const fw of frameworks) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.connected = false;
      fw.stream?.destroy();
    }
    this.completedFrameworkIds.clear();
    this.completedFrameworks.length = 0;
    for (const offer of this.offers.values()) if (offer.timer) clearTimeout(offer.timer);
    this.offers.clear();
    for (const fw of frameworks) this.allocator.removeFramework(fw.id);

    this.identity = { ...this.identity, id: newUuid() };
    this.frameworkCounter = 0;
    this.offerCounter = 0;
    this.agentCounter = 0;
    this.electedTime = Date.now() / 1000;
    this.recoveringUntil = Date.now() + (opts.recoveryMs ?? 0);
    this.onIdentityChange?.(this.identity);

    const delay = opts.agentReregisterDelayMs ?? 0;
    for (const rec of this.agents.values()) {
      rec.tasks.clear();
      rec.offers.clear();
      rec.used = new ResourceBag();
      rec.offered = new ResourceBag();
      rec.pendingKills.clear();
      if (rec.reregisterTimer) clearTimeout(rec.reregisterTimer);
      this.touch(rec);
      if (rec.state === 'registered' || rec.state === 'disconnected') {
        rec.state = 'recovering';
        rec.forgotten = this.config.inMemoryRegistry;
        rec.reregisterTimer = setTimeout(() => this.restoreAgent(rec.agent.id), delay);
        rec.reregisterTimer.unref();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Stream faults and hooks

  findTask(taskId: string): TaskRec | undefined {
    for (const fw of this.frameworks.values()) {
      const t = fw.tasks.get(taskId) ?? fw.unreachableTasks.get(taskId);
      if (t) return t;
    }
    return undefined;
  }

  close(): void {
    this.allocator.stop();
    for (const fw of this.frameworks.values()) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.stream?.destroy();
    }
    for (const offer of this.offers.values()) if (offer.timer) clearTimeout(offer.timer);
    for (const rec of this.agents.values()) {
      if (rec.reregisterTimer) clearTimeout(rec.reregisterTimer);
      rec.agent.close();
    }
  }

  statusForState(t: TaskRec): Array<Record<string, unknown>> {
    return t.statuses.map((s) => ({
      state: s.state,
      timestamp: dbl(s.timestamp),
      container_status: s.containerStatus,
      healthy: s.healthy,
    }));
  }
}
