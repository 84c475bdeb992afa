// The manager as a Mesos framework: it keeps the subscription (through the Mesos client), holds offers, keeps the
// launch queue, runs placement passes, launches tasks in batched ACCEPTs, applies status updates to the containers
// (acknowledging each only once it is processed and durable), kills, reconciles, and adopts tasks it finds
// without a record. It is the seed's steps 1–8; the Docker-facing lifecycle is in cluster.ts.
import { randomHex } from '../../util/random.js';
import { hostname } from 'node:os';
import {
  MesosSchedulerClient,
  Reconciler,
  scalarTotals,
  type FrameworkInfo,
  type Offer,
  type TaskInfo,
  type TaskStatus,
  type TlsOptions,
} from '../../mesos/index.js';
import { SWARM_ID_LABEL, type Scheduler, type ContainerOnNode } from '../../scheduler/index.js';
import type { ContainerDetails, Engine } from '../../engine/engine.js';
import type { Logger } from '../../util/logger.js';
import type { AgentRegistry } from './agents.js';
import { OfferBook } from './offers.js';
import { PlacementBoard, type AgentSnapshot, type PlacementItem } from './placement.js';
import { MESOS_NAME_LABEL, MESOS_TASK_LABEL, buildTaskInfo } from './task-info.js';
import type { ContainerStore } from './store.js';
import { MesosContainer, dockerDetail, type TaskAttempt } from './container.js';
import { exitCodeOf, isTerminal, phaseAfter, phaseOf } from './task-phase.js';
import type { ResourceNeed } from './allocation.js';
import type { NodeView, PlacementRequest } from '../../scheduler/types.js';
import { formatDuration } from '../../util/duration.js';
import { ManagerError, serverError } from '../../errors.js';
import type { Metrics } from '../../metrics/index.js';

export interface FrameworkSettings {
  readonly master: string;
  readonly name: string;
  readonly user: string;
  readonly role: string;
  readonly checkpoint: boolean;
  readonly failoverTimeoutMs: number;
  readonly offerTimeoutMs: number;
  readonly refuseMs: number;
  readonly taskTimeoutMs: number;
  readonly credentials: { principal: string; secret: string } | undefined;
  /** HTTPS towards the master, and its client TLS settings (./mesos-link.ts). */
  readonly scheme?: 'http' | 'https';
  readonly tls?: TlsOptions;
  /** Persists a newly assigned framework ID (journal, and ZooKeeper for zk:// masters) before it is relied on. */
  readonly persistFrameworkId: (id: string) => Promise<void>;
  readonly frameworkId: string | undefined;
  /** Called when a container's task ended and the container asked to be removed then (`--rm`). */
  readonly onAutoRemove: (container: MesosContainer) => void;
  readonly metrics: Metrics;
}

interface Queued {
  readonly container: MesosContainer;
  readonly item: PlacementItem;
  readonly previous: TaskAttempt | undefined;
  readonly timer: NodeJS.Timeout;
  /** When the start joined the queue (Date.now()), for placement latency and the dashboard. */
  readonly since: number;
  lastFailure: string;
  attempts: number;
}

/** A waiting start as observers (the dashboard's overview, the queue gauges) read it. */
export type QueuedStart = Readonly<Omit<Queued, 'timer' | 'previous'>>;

/** Why a start failed, in classic Swarm's words where tests grep for them. */
export class StartError extends ManagerError {
  constructor(message: string) {
    super('START_FAILED', 500, message);
  }
}

/** How long held offers wait for new work once the queue is empty, before they go back to Mesos. */
const IDLE_HOLD_MS = 1000;
const REQUEUE_LIMIT = 5;
const RETIRED_MEMORY = 100_000;
const KILL_RESEND_MS = 10_000;
const UNREACHABLE_RECONCILE_MS = 10_000;

export class MesosFramework {
  readonly client: MesosSchedulerClient;
  readonly offers: OfferBook;
  readonly #settings: FrameworkSettings;
  readonly #store: ContainerStore;
  readonly #agents: AgentRegistry;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  readonly #reconciler: Reconciler;
  readonly #queue = new Map<string, Queued>();
  readonly #board = new PlacementBoard();
  /** Start group: every task ID a pending start used (a requeue gets a new one). */
  readonly #startTasks = new Map<string, Set<string>>();
  /** What each pending start asked placement for, kept so a dropped launch can be placed again. */
  readonly #items = new Map<string, PlacementItem>();
  readonly #retired = new Set<string>();
  readonly #orphans = new Map<string, TaskStatus>();
  readonly #onAgent = new Map<string, Map<string, ContainerOnNode>>();
  /** Which agent each tracked container is listed under, so a change touches one list, not every agent's. */
  readonly #placedOn = new Map<string, string>();
  readonly #agentVersion = new Map<string, number>();
  readonly #snapshots = new Map<
    string,
    {
      engineRevision: number;
      engineState: string;
      version: number;
      active: boolean;
      attributes: Readonly<Record<string, string>>;
      snapshot: AgentSnapshot;
    }
  >();
  #suppressed = false;
  /** We declined (or left unused) resources with a refuse filter since the last REVIVE: Mesos holds them back. */
  #filtered = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #passScheduled = false;
  #passRunning: Promise<void> | undefined;
  #passAgain = false;
  #subscribed = false;
  /** An OFFERS event came since the last SUBSCRIBED. */
  #offered = false;
  #lastError = '';
  readonly #unreachableTimer: NodeJS.Timeout;

  constructor(
    settings: FrameworkSettings,
    store: ContainerStore,
    agents: AgentRegistry,
    scheduler: Scheduler,
    logger: Logger,
  ) {
    this.#settings = settings;
    this.#store = store;
    this.#agents = agents;
    this.#scheduler = scheduler;
    this.#log = logger.child({ component: 'framework' });
    this.offers = new OfferBook(settings.offerTimeoutMs, (offer) => {
      this.#log.debug({ offer: offer.id.value }, 'offer held too long; declining');
      void this.client.decline([offer.id.value]).catch(() => undefined);
    });
    const info: FrameworkInfo = {
      user: settings.user,
      name: settings.name,
      hostname: hostname(),
      failover_timeout: settings.failoverTimeoutMs / 1000,
      checkpoint: settings.checkpoint,
      role: settings.role,
      capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
      ...(settings.credentials ? { principal: settings.credentials.principal } : {}),
    };
    this.client = new MesosSchedulerClient({
      master: settings.master,
      frameworkInfo: info,
      frameworkId: settings.frameworkId,
      onFrameworkId: (id) => settings.persistFrameworkId(id),
      credentials: settings.credentials,
      scheme: settings.scheme,
      tls: settings.tls,
      logger: this.#log,
    });
    this.#reconciler = new Reconciler({
      reconcile: (tasks) => this.client.reconcile(tasks),
      tasks: () => this.#reconcilable(),
      logger: this.#log,
      onRoundComplete: (round) => settings.metrics.mesos.reconciled(round.kind),
    });
    this.#reconciler.attach(this.client);
    this.client.on('subscribed', (s) => {
      this.#subscribed = true;
      this.#lastError = '';
      this.#suppressed = false;
      this.#log.info(
        { framework: s.frameworkId, master: s.master, resubscribed: s.resubscribed },
        'subscribed to Mesos',
      );
      this.#offered = false;
      this.#schedulePass();
    });
    this.client.on('disconnected', (d) => {
      this.#subscribed = false;
      this.#lastError = d.detail;
      this.offers.clear(); // Mesos took them back; declining them now would only be refused
      this.#log.warn({ reason: d.reason, detail: d.detail }, 'Mesos subscription lost; re-subscribing');
    });
    this.client.on('offers', (offers) => this.#onOffers(offers));
    this.client.on('rescind', (id) => this.offers.remove(id));
    this.client.on('update', (status) => void this.#onUpdate(status));
    this.client.on('failure', (failure) => {
      if (failure.agent_id && !failure.executor_id) this.#agents.lost(failure.agent_id.value);
    });
    this.client.on('masterError', (message) => (this.#lastError = message));
    this.client.on('fatal', (err) => {
      this.#lastError = err.message;
      this.#log.error({ err: err.message }, 'Mesos refused the framework for good');
    });
    store.on('changed', (c) => this.#track(c));
    for (const c of store.values()) this.#track(c);
    this.#unreachableTimer = setInterval(() => {
      this.#reconcileUnreachable();
      for (const agentId of new Set([...this.#orphans.values()].map((s) => s.agent_id?.value ?? ''))) {
        this.#retryOrphans(agentId);
      }
    }, UNREACHABLE_RECONCILE_MS);
    this.#unreachableTimer.unref();
  }

  get subscribed(): boolean {
    return this.#subscribed;
  }
  get lastError(): string {
    return this.#lastError || (this.#subscribed ? '' : (this.client.lastSubscribeError ?? ''));
  }
  get queueSize(): number {
    return this.#queue.size;
  }
  get frameworkId(): string | undefined {
    return this.client.frameworkId;
  }
  /** The waiting starts, in queue order (read-only: for the overview and the gauges). */
  queued(): IterableIterator<QueuedStart> {
    return this.#queue.values();
  }
  /** The agents as the last placement pass saw them (what the queue's per-node explanations are made against). */
  get placementViews(): readonly NodeView[] {
    return this.#board.views;
  }

  start(): void {
    this.client.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#idleTimer);
    clearInterval(this.#unreachableTimer);
    for (const q of this.#queue.values()) clearTimeout(q.timer);
    this.#reconciler.stop();
    await this.client.stop();
  }

  // --- starting -------------------------------------------------------------------------------------------------

  /**
   * Queues a new task for the container. Resolves once it runs (or ran: a short-lived container may finish
   * before its start is confirmed); rejects with why it could not start.
   */
  async launch(container: MesosContainer, request: PlacementRequest, need: ResourceNeed): Promise<void> {
    const previous = container.task;
    const taskId = this.#newTaskId(container);
    const tasks = new Set([taskId]);
    this.#startTasks.set(container.id, tasks);
    if (previous) this.#retire(previous.taskId);
    await this.#store.beginTask(container, { taskId, phase: 'queued' }, false);
    const timer = setTimeout(() => this.#timeout(container.id), this.#settings.taskTimeoutMs);
    timer.unref();
    const item: PlacementItem = { key: container.id, request, need, name: container.name };
    this.#items.set(container.id, item);
    this.#queue.set(container.id, {
      container,
      item,
      previous,
      timer,
      since: Date.now(),
      lastFailure: '',
      attempts: 0,
    });
    this.#wantOffers();
    this.#schedulePass();
    try {
      await this.#store.until(container.id, (c) => this.#startOutcome(c, tasks));
    } finally {
      if (this.#startTasks.get(container.id) === tasks) {
        this.#startTasks.delete(container.id);
        this.#items.delete(container.id);
      }
    }
  }

  /** Takes a container out of the queue (stop or removal before it was placed). */
  cancel(container: MesosContainer, why: string): boolean {
    const queued = this.#queue.get(container.id);
    if (!queued) return false;
    this.#dequeue(queued, why);
    return true;
  }

  #startOutcome(c: MesosContainer | undefined, tasks: Set<string>): true | undefined {
    if (!c) throw new StartError('container removed while starting');
    const task = c.task;
    if (!task || !tasks.has(task.taskId)) throw new StartError(c.lastError || 'start abandoned');
    if (task.phase === 'running' || task.phase === 'killing' || task.phase === 'unreachable') return true;
    if (!isTerminal(task.phase)) return undefined;
    if (task.startedAt || ranBriefly(task.message)) return true;
    throw new StartError(launchFailure(task));
  }

  #timeout(containerId: string): void {
    const queued = this.#queue.get(containerId);
    if (!queued || queued.container.task?.phase !== 'queued') return;
    const why = `container failed to start after ${formatDuration(this.#settings.taskTimeoutMs)}${
      queued.lastFailure ? `: ${queued.lastFailure}` : ''
    }`;
    this.#dequeue(queued, why);
  }

  #dequeue(queued: Queued, why: string): void {
    clearTimeout(queued.timer);
    this.#queue.delete(queued.container.id);
    if (queued.container.task?.phase === 'queued') {
      this.#retire(queued.container.task.taskId);
      this.#store.abandonTask(queued.container, queued.previous, why);
    }
    if (!this.#queue.size) {
      this.#goIdle();
      // The last waiting task left (timed out, stopped, removed): the next pass gives the offers held for it back to
      // Mesos now rather than after the offer timeout (not here: a pass may be about to ACCEPT some of them).
      this.#schedulePass();
    }
  }

  // --- offers and placement -------------------------------------------------------------------------------------

  #onOffers(offers: Offer[]): void {
    this.#offered = true;
    for (const offer of offers) {
      const returning = this.#agents.get(offer.agent_id.value)?.active === false;
      const agent = this.#agents.observe(offer);
      if (returning || this.#unreachableOn(agent.id).length) this.#reconcileUnreachable(agent.id);
      void this.#store.rememberAgent(agent.id, agent.hostname, agent.engine.address).catch(() => undefined);
      this.offers.add(offer);
      if (this.#orphans.size) this.#retryOrphans(agent.id);
    }
    if (!this.#queue.size) {
      // Suppressed already (offers sent before the SUPPRESS arrived, or after a re-subscription): back at once.
      if (this.#suppressed) this.#declineHeld();
      else this.#goIdle();
    } else this.#schedulePass();
  }

  #schedulePass(): void {
    if (this.#passScheduled) return;
    this.#passScheduled = true;
    setImmediate(() => {
      this.#passScheduled = false;
      if (this.#passRunning) {
        this.#passAgain = true;
        return;
      }
      const started = performance.now();
      this.#passRunning = this.#pass()
        .then((placed) => this.#settings.metrics.placement.pass((performance.now() - started) / 1000, placed))
        .catch((err) => this.#log.error({ err: (err as Error).message }, 'placement pass failed'))
        .finally(() => {
          this.#passRunning = undefined;
          if (this.#passAgain) {
            this.#passAgain = false;
            this.#schedulePass();
          }
        });
    });
  }

  /** One placement pass; resolves to how many containers it placed. */
  async #pass(): Promise<number> {
    if (!this.#subscribed) return 0;
    const queued = [...this.#queue.values()].filter((q) => q.container.task?.phase === 'queued');
    if (!queued.length) {
      this.#goIdle();
      return 0;
    }
    const byKey = new Map(queued.map((q) => [q.item.key, q]));
    this.#board.sync(
      this.offers.agents(),
      (id) => this.offers.agentVersion(id),
      (id) => this.offers.forAgent(id),
      (id) => (this.#agents.get(id) ? this.#snapshot(id) : undefined),
    );
    const result = this.#board.pass(
      this.#scheduler,
      queued.map((q) => q.item),
    );
    for (const [item, why] of result.unplaced) {
      const q = byKey.get(item.key)!;
      q.lastFailure = why;
      this.#failFastIfImpossible(q, why);
    }
    // What we hold does not fit, and resources we turned down earlier are being held back by our own refuse filters:
    // ask for them again (REVIVE clears the filters) rather than wait for the filters to run out.
    if (result.unplaced.size && this.#filtered) this.#revive();

    const launches = new Map<string, { offerIds: Set<string>; tasks: TaskInfo[]; containers: MesosContainer[] }>();
    const durable: Promise<unknown>[] = [];
    for (const { item, agentId, allocation } of result.assignments) {
      const q = byKey.get(item.key)!;
      const container = q.container;
      const task = container.task!;
      const agent = this.#agents.get(agentId)!;
      let info: TaskInfo;
      try {
        info = buildTaskInfo({
          taskId: task.taskId,
          agentId,
          managerId: container.id,
          name: container.name,
          config: container.config,
          resources: allocation.resources,
          hostPorts: allocation.hostPorts,
          dockerNames: this.#dependencyNames(container, agentId),
        });
      } catch (err) {
        this.#dequeue(q, (err as Error).message);
        continue;
      }
      clearTimeout(q.timer);
      this.#queue.delete(container.id);
      this.#settings.metrics.placement.placed((Date.now() - q.since) / 1000);
      const launch = launches.get(agentId) ?? { offerIds: new Set<string>(), tasks: [], containers: [] };
      for (const id of allocation.offerIds) launch.offerIds.add(id);
      launch.tasks.push(info);
      launch.containers.push(container);
      launches.set(agentId, launch);
      // Durable before the ACCEPT: a manager that dies now finds the task again instead of launching it twice.
      durable.push(
        this.#store.advance(container, 'launching', {
          agentId,
          engineAddress: agent.engine.address,
          nodeName: agent.engine.name || agent.hostname,
          ports: Object.fromEntries(allocation.hostPorts),
        }),
      );
    }
    await Promise.all(durable);
    const refuseSeconds = this.#queue.size ? 0 : this.#settings.refuseMs / 1000;
    if (refuseSeconds > 0 && launches.size) this.#filtered = true;
    await Promise.all(
      [...launches.values()].map(async (launch) => {
        const offerIds = [...launch.offerIds];
        for (const id of offerIds) this.offers.remove(id);
        try {
          await this.client.launch(offerIds, launch.tasks, { refuse_seconds: refuseSeconds });
          this.#settings.metrics.mesos.launched(launch.tasks.length);
        } catch (err) {
          // Mesos may or may not have the tasks: reconciliation tells, and a task it never got is started again.
          this.#log.warn({ err: (err as Error).message, tasks: launch.tasks.length }, 'ACCEPT failed; reconciling');
          void this.client
            .reconcile(launch.tasks.map((t) => ({ task_id: t.task_id, agent_id: t.agent_id })))
            .catch(() => undefined);
        }
      }),
    );
    if (!this.#queue.size) this.#goIdle();
    return result.assignments.length;
  }

  /**
   * A container whose constraints no known agent meets, whatever its resources, would wait out its whole task
   * timeout for nothing (up to the 10 minutes of the seed's command line): refuse it now.
   */
  #failFastIfImpossible(q: Queued, why: string): void {
    if (!/^Unable to find a node|^No healthy node/.test(why)) return;
    const everyone = this.#agents.all().map((a) => this.#snapshot(a.id));
    if (!everyone.length) return;
    const unlimited = everyone.map((agent) => ({
      id: agent.id,
      name: agent.name,
      addr: agent.addr,
      labels: agent.labels,
      healthIndicator: 100,
      totalCpus: Number.MAX_SAFE_INTEGER,
      totalMemory: Number.MAX_SAFE_INTEGER,
      usedCpus: 0,
      usedMemory: 0,
      containers: agent.containers,
      images: agent.images,
    }));
    try {
      this.#scheduler.select(unlimited, q.item.request);
    } catch (err) {
      this.#dequeue(q, (err as Error).message);
    }
  }

  /** An agent as placement sees it, for placing what is not a task (a build: build.ts). */
  agentSnapshot(agentId: string): AgentSnapshot {
    return this.#snapshot(agentId);
  }

  /** An agent as placement sees it; rebuilt only when its engine, attributes or containers changed. */
  #snapshot(agentId: string): AgentSnapshot {
    const agent = this.#agents.get(agentId)!;
    const engine = agent.engine;
    const version = this.#agentVersion.get(agentId) ?? 0;
    const cached = this.#snapshots.get(agentId);
    if (
      cached &&
      cached.engineRevision === engine.revision &&
      cached.engineState === engine.state &&
      cached.version === version &&
      cached.active === agent.active &&
      cached.attributes === agent.attributeLabels
    ) {
      return cached.snapshot;
    }
    const snapshot: AgentSnapshot = {
      id: agent.id,
      name: engine.name || agent.hostname,
      addr: engine.addr,
      labels: engine.isHealthy ? { ...engine.labels, ...agent.attributeLabels } : agent.attributeLabels,
      active: agent.active,
      containers: [...(this.#onAgent.get(agentId)?.values() ?? [])],
      images: engine.images.map((i) => ({ id: i.Id, repoTags: i.RepoTags ?? [] })),
    };
    this.#snapshots.set(agentId, {
      engineRevision: engine.revision,
      engineState: engine.state,
      version,
      active: agent.active,
      attributes: agent.attributeLabels,
      snapshot,
    });
    return snapshot;
  }

  /** Docker names of the containers this one links to or shares volumes/network with, on `agentId`. */
  #dependencyNames(container: MesosContainer, agentId: string): Map<string, string> {
    const out = new Map<string, string>();
    const host = container.config.HostConfig ?? {};
    const refs = [
      ...((host.Links ?? []) as string[]).map((l) => l.split(':')[0]!.replace(/^\//, '')),
      ...((host.VolumesFrom ?? []) as string[]).map((v) => v.split(':')[0]!),
      ...(String(host.NetworkMode ?? '').startsWith('container:') ? [String(host.NetworkMode).slice(10)] : []),
    ];
    for (const ref of refs) {
      const dependency = this.#store.index.find(ref);
      if (dependency?.agentId === agentId && dependency.task?.dockerName) out.set(ref, dependency.task.dockerName);
    }
    return out;
  }

  #declineHeld(): void {
    const held = this.offers.clear();
    if (held.length) {
      this.#filtered = true;
      void this.client
        .decline(
          held.map((o) => o.id.value),
          { refuse_seconds: Math.max(this.#settings.refuseMs / 1000, 5) },
        )
        .catch(() => undefined);
    }
  }

  /**
   * Nothing waits. Offers are kept a moment longer, since under steady load the next container is a few
   * milliseconds away and a REVIVE costs it an allocation cycle; then, if nothing came, they go back to Mesos with a
   * refuse filter and offers are SUPPRESSed (classic Swarm never did either, its issues #1401 and #1888).
   */
  #goIdle(): void {
    // Agents are known from their offers, and the first ones come an allocation cycle (on a loaded master, seconds)
    // after SUBSCRIBED: SUPPRESSing before them would leave the cluster without nodes. Their arrival idles us.
    if (this.#idleTimer || !this.#subscribed || !this.#offered) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#queue.size || !this.#subscribed) return;
      this.#declineHeld();
      if (this.#suppressed) return;
      this.#suppressed = true;
      void this.client.suppress().catch(() => (this.#suppressed = false));
    }, IDLE_HOLD_MS);
    this.#idleTimer.unref();
  }

  /** A task waits: make sure Mesos offers, un-suppressing and clearing our refuse filters (REVIVE does both). */
  #wantOffers(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#suppressed || (this.#filtered && this.offers.size === 0)) this.#revive();
  }

  #revive(): void {
    const wasSuppressed = this.#suppressed;
    this.#suppressed = false;
    this.#filtered = false;
    void this.client.revive().catch(() => {
      this.#suppressed = wasSuppressed;
      this.#filtered = true;
    });
  }

  // --- status updates -------------------------------------------------------------------------------------------

  async #onUpdate(status: TaskStatus): Promise<void> {
    const taskId = status.task_id.value;
    const container = this.#store.byTask(taskId);
    try {
      if (!container) {
        if (!this.#retired.has(taskId) && !isTerminal(phaseOf(status.state))) await this.#adopt(status);
      } else await this.#apply(container, status);
    } catch (err) {
      this.#log.error({ err: (err as Error).message, task: taskId }, 'status update not applied');
      return; // not acknowledged: Mesos sends it again
    }
    await this.client.acknowledge(status).then(
      () => this.#settings.metrics.mesos.acknowledged(),
      () => undefined,
    );
  }

  async #apply(container: MesosContainer, status: TaskStatus): Promise<void> {
    const task = container.task!;
    const phase = phaseAfter(task.phase, status.state);
    const detail: Partial<TaskAttempt> = { message: status.message, reason: status.reason };
    if (status.agent_id) detail.agentId = status.agent_id.value;
    if (status.state === 'TASK_RUNNING' && status.data) {
      const inspect = parseInspect(status.data);
      if (inspect) {
        Object.assign(detail, dockerDetail(inspect));
        detail.dockerId = inspect.Id;
        detail.dockerName = String(inspect.Name ?? '').replace(/^\//, '');
        const started = (inspect.State as { StartedAt?: string } | undefined)?.StartedAt;
        if (started && !started.startsWith('0001-')) detail.startedAt = started;
      }
    }
    if (isTerminal(phase)) {
      detail.exitCode = exitCodeOf(phase, status.message);
      if (status.timestamp) detail.finishedAt = new Date(status.timestamp * 1000).toISOString();
      if (!task.startedAt && this.#requeueable(container, status)) return;
      if (!task.startedAt && dockerCouldNotStart(status.message)) {
        const why = await this.#dockerError(container);
        if (why) detail.message = `${status.message}: ${why}`;
      }
    }
    if (phase === 'running' && !detail.dockerId && !task.dockerId) void this.findDocker(container);
    await this.#store.advance(container, phase, detail);
    if (isTerminal(phase) && container.config.HostConfig?.AutoRemove) this.#settings.onAutoRemove(container);
  }

  /** A launch Mesos dropped (the offer went away under it) never ran: it is placed again, as the same start. */
  #requeueable(container: MesosContainer, status: TaskStatus): boolean {
    const transient = status.state === 'TASK_DROPPED' || status.reason === 'REASON_INVALID_OFFERS';
    const tasks = this.#startTasks.get(container.id);
    if (!transient || !tasks || tasks.size > REQUEUE_LIMIT) return false;
    const old = container.task!;
    const taskId = this.#newTaskId(container);
    tasks.add(taskId);
    this.#retire(old.taskId);
    this.#log.info(
      { container: container.id, dropped: old.taskId, task: taskId },
      'launch dropped by Mesos; placing again',
    );
    void this.#store.beginTask(container, { taskId, phase: 'queued' }, false).then(() => {
      const timer = setTimeout(() => this.#timeout(container.id), this.#settings.taskTimeoutMs);
      timer.unref();
      const item = this.#items.get(container.id);
      if (!item) return;
      this.#queue.set(container.id, {
        container,
        item,
        previous: undefined,
        timer,
        since: Date.now(),
        lastFailure: '',
        attempts: tasks.size,
      });
      this.#wantOffers();
      this.#schedulePass();
    });
    return true;
  }

  /** Why Docker could not start the task's container (the engine keeps it, created, with State.Error). */
  async #dockerError(container: MesosContainer): Promise<string | undefined> {
    const task = container.task;
    const agent = task?.agentId ? this.#agents.get(task.agentId) : undefined;
    if (!task || !agent?.engine.isHealthy) return undefined;
    try {
      const docker = await dockerOfTask(agent.engine, task.taskId);
      return docker?.inspect.State?.Error || undefined;
    } catch {
      return undefined;
    }
  }

  /** After a restart Mesos' reconciliation carries no inspect data: find the Docker container by its task label. */
  async findDocker(container: MesosContainer): Promise<void> {
    const task = container.task;
    const agent = task?.agentId ? this.#agents.get(task.agentId) : undefined;
    if (!task || !agent) return;
    try {
      const docker = await dockerOfTask(agent.engine, task.taskId);
      if (!docker || container.task !== task) return;
      const { found, inspect } = docker;
      this.#store.noteDocker(container, {
        dockerId: found.Id,
        dockerName: (found.Names?.[0] ?? '').replace(/^\//, ''),
        ...dockerDetail(inspect),
        startedAt: task.startedAt ?? inspect.State?.StartedAt,
      });
    } catch (err) {
      this.#log.debug({ err: (err as Error).message, task: task.taskId }, 'Docker container not found yet');
    }
  }

  /** A running task without a record (its journal entry lost): rebuilt from its Docker container's labels. */
  async #adopt(status: TaskStatus): Promise<void> {
    const taskId = status.task_id.value;
    const agent = status.agent_id ? this.#agents.get(status.agent_id.value) : undefined;
    if (agent && !agent.engine.isHealthy) await agent.engine.connect();
    if (!agent || !agent.engine.isHealthy) {
      this.#orphans.set(taskId, status);
      return;
    }
    const docker = await dockerOfTask(agent.engine, taskId);
    if (!docker) {
      this.#orphans.set(taskId, status);
      return;
    }
    this.#orphans.delete(taskId);
    const { found, inspect } = docker;
    const labels = inspect.Config?.Labels ?? {};
    const id = labels[SWARM_ID_LABEL];
    if (!id || this.#store.index.get(id)) return;
    const container = new MesosContainer({
      id,
      name: labels[MESOS_NAME_LABEL] || id.slice(0, 12),
      config: adoptedConfig(inspect),
      created: inspect.Created,
      restartCount: 0,
      task: {
        taskId,
        phase: phaseOf(status.state),
        agentId: agent.id,
        engineAddress: agent.engine.address,
        nodeName: agent.engine.name || agent.hostname,
        dockerId: found.Id,
        dockerName: inspect.Name.replace(/^\//, ''),
        startedAt: inspect.State?.StartedAt,
      },
    });
    await this.#store.create(container);
    this.#log.warn({ container: id, task: taskId }, 'adopted a running task the manager had no record of');
  }

  #retryOrphans(agentId: string): void {
    for (const status of this.#orphans.values()) {
      if (status.agent_id?.value === agentId) void this.#adopt(status).catch(() => undefined);
    }
  }

  /** Tasks we believe unreachable on one agent (or on any, without `agentId`). */
  #unreachableOn(agentId?: string): MesosContainer[] {
    const out: MesosContainer[] = [];
    for (const map of agentId ? [this.#onAgent.get(agentId)] : this.#onAgent.values()) {
      for (const id of map?.keys() ?? []) {
        const c = this.#store.index.get(id);
        if (c?.task?.phase === 'unreachable') out.push(c);
      }
    }
    return out;
  }

  /**
   * Mesos does not push the state of tasks whose agent comes back from a partition: it answers reconciliation.
   * Ask for them when the agent offers again, and every few seconds while any is unreachable.
   */
  #reconcileUnreachable(agentId?: string): void {
    const lost = this.#unreachableOn(agentId);
    if (!lost.length || !this.#subscribed) return;
    void this.client
      .reconcile(lost.map((c) => ({ task_id: { value: c.task!.taskId }, agent_id: { value: c.task!.agentId! } })))
      .catch(() => undefined);
  }

  // --- killing --------------------------------------------------------------------------------------------------

  /** Sends KILL (again every few seconds while Mesos has not confirmed) and resolves when the task has ended. */
  async kill(container: MesosContainer, graceSeconds: number): Promise<void> {
    const task = container.task;
    if (!task || isTerminal(task.phase)) return;
    if (task.phase === 'queued') {
      this.cancel(container, 'stopped before it was placed');
      return;
    }
    const send = () =>
      this.client
        .kill(task.taskId, task.agentId, { grace_period: { nanoseconds: Math.round(graceSeconds * 1e9) } })
        .catch((err) => this.#log.warn({ err: (err as Error).message, task: task.taskId }, 'KILL not sent'));
    await send();
    const timer = setInterval(() => void send(), (graceSeconds * 1000 + KILL_RESEND_MS) | 0);
    try {
      const deadline = AbortSignal.timeout(graceSeconds * 1000 + 6 * KILL_RESEND_MS);
      await this.#store.until(
        container.id,
        (c) => (!c || c.task !== task || isTerminal(task.phase) ? true : undefined),
        deadline,
      );
    } catch {
      throw serverError(`Mesos did not confirm the end of task ${task.taskId}; the kill is still being retried`);
    } finally {
      clearInterval(timer);
    }
  }

  // --- bookkeeping ----------------------------------------------------------------------------------------------

  /** Keeps each agent's list of our containers (for the port, affinity, dependency and slots filters). */
  #track(c: MesosContainer): void {
    const placedOn = this.#placedOn.get(c.id);
    const agentId = c.agentId;
    const here = agentId !== undefined && !c.hasExited && this.#store.index.get(c.id) !== undefined;
    if (placedOn !== undefined && (!here || placedOn !== agentId)) {
      const map = this.#onAgent.get(placedOn);
      map?.delete(c.id);
      if (map && !map.size) this.#onAgent.delete(placedOn);
      this.#placedOn.delete(c.id);
      this.#bump(placedOn);
    }
    if (!here) return;
    this.#bump(agentId);
    const map = this.#onAgent.get(agentId) ?? new Map<string, ContainerOnNode>();
    const host = c.config.HostConfig ?? {};
    const ports = c.task?.ports ?? {};
    map.set(c.id, {
      id: c.id,
      names: [`/${c.name}`],
      image: String(c.config.Image ?? ''),
      labels: c.labels,
      state: c.dockerStatus,
      cpus: 0,
      memory: 0,
      networkMode: String(host.NetworkMode ?? ''),
      portBindings: (host.PortBindings ?? {}) as ContainerOnNode['portBindings'],
      publishedPorts: Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, [{ HostPort: String(p) }]])),
      exposedPorts: Object.keys((c.config.ExposedPorts as object | undefined) ?? {}),
    });
    this.#onAgent.set(agentId, map);
    this.#placedOn.set(c.id, agentId);
  }

  #bump(agentId: string): void {
    this.#agentVersion.set(agentId, (this.#agentVersion.get(agentId) ?? 0) + 1);
  }

  /** Tasks Mesos should tell us about after a (re)subscription: every one not known to have ended. */
  #reconcilable() {
    const out: { task_id: { value: string }; agent_id?: { value: string } }[] = [];
    for (const c of this.#store.values()) {
      const task = c.task;
      if (!task || task.phase === 'queued' || isTerminal(task.phase)) continue;
      out.push({ task_id: { value: task.taskId }, ...(task.agentId ? { agent_id: { value: task.agentId } } : {}) });
    }
    return out;
  }

  #newTaskId(container: MesosContainer): string {
    return `${container.name || container.id.slice(0, 12)}.${randomHex(6)}`;
  }

  #retire(taskId: string): void {
    this.#retired.add(taskId);
    if (this.#retired.size > RETIRED_MEMORY) this.#retired.delete(this.#retired.values().next().value!);
  }

  /** For `docker info`: what the held offers add up to. */
  offerTotals(): { cpus: number; memory: number } {
    let cpus = 0;
    let mem = 0;
    for (const offer of this.offers.all()) {
      const totals = scalarTotals(offer.resources);
      cpus += totals.cpus ?? 0;
      mem += totals.mem ?? 0;
    }
    return { cpus, memory: mem * 1024 * 1024 };
  }
}

/** The Docker container that carries a task (by the task label the executor gave it), with its inspect. */
async function dockerOfTask(engine: Engine, taskId: string) {
  const [found] = await engine.docker.listContainers({
    all: true,
    filters: { label: [`${MESOS_TASK_LABEL}=${taskId}`] },
  });
  if (!found) return undefined;
  return { found, inspect: await engine.docker.getContainer(found.Id).inspect() };
}

/** The docker executor's TASK_RUNNING data: base64 of `docker inspect` output, a JSON array of one container. */
function parseInspect(data: string): ContainerDetails | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as unknown;
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return first && typeof first === 'object' && 'Id' in first ? (first as ContainerDetails) : undefined;
  } catch {
    return undefined;
  }
}

/** A create config read back from a Mesos-launched container, without what the Docker containerizer added. */
function adoptedConfig(inspect: ContainerDetails): MesosContainer['config'] {
  const config = inspect.Config as unknown as Record<string, unknown> & { Env?: string[] };
  const host = inspect.HostConfig as unknown as Record<string, unknown> & { Binds?: string[] | null };
  return {
    ...config,
    Env: (config.Env ?? []).filter((e) => !/^MESOS_(SANDBOX|CONTAINER_NAME|ALLOCATION_ROLE)=/.test(e)),
    HostConfig: { ...host, Binds: (host.Binds ?? []).filter((b) => !b.includes(':/mnt/mesos/sandbox')) },
  } as MesosContainer['config'];
}

/**
 * A task that ended before Mesos reported it running still ran, briefly, when its container exited by itself —
 * unless the status is one of `docker run`'s own failures (125: the daemon refused, e.g. a host port already taken;
 * 126: the command cannot be invoked; 127: no such command). Launch failures (image pull, run options, executor)
 * carry other messages.
 */
function ranBriefly(message: string | undefined): boolean {
  return /^Container exited with status \d+$/.test(message ?? '') && !dockerCouldNotStart(message);
}

function dockerCouldNotStart(message: string | undefined): boolean {
  return /^Container exited with status 12[567]$/.test(message ?? '');
}

function launchFailure(task: TaskAttempt): string {
  const message = task.message || `task ${task.phase}`;
  // Classic Mesos' agents said "Abnormal executor termination"; 1.12 drops the task with the chown failure.
  if (/Abnormal executor termination|Failed to chown directory to/.test(message)) {
    return `${message} : please verify your SWARM_MESOS_USER is correctly set`;
  }
  return message;
}
