// The launch queue (the seed's step 1): one PendingStart per container being started, from `docker start` until
// the updates station settles it. A start waits here for a placement pass to place it, at most mesos.tasktimeout;
// it can be cancelled (stop, rm) while it waits; a launch Mesos dropped before it reached an agent puts it back
// under a new task ID. An entry may also wait until a not-before time, saying why (a restart's back-off), before a
// pass may place it. The queue says when a start begins to wait and when none waits any more; the offer policy and
// the placement pass act on that.
import { EventEmitter } from 'node:events';
import { randomHex } from '../../util/random.js';
import { formatDuration } from '../../util/duration.js';
import { startFailed, stoppedActing } from '../../errors.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { MesosContainer, TaskAttempt } from './container.js';
import type { ContainerSpec } from './spec.js';
import type { ContainerStore } from './store.js';
import type { TaskOutcome } from './task-phase.js';

/** How many times a start whose launch Mesos dropped is placed again before it fails. */
const REQUEUE_LIMIT = 5;

/**
 * Who asked for a start: a client (`docker start`), a restart policy, or a reschedule off a lost agent. A policy's
 * start waits as long as it must (no task timeout: like dockerd and Marathon, the manager keeps trying), prefers the
 * agent the container last ran on when it fits (a restart: its image and local volumes are there), and is placed
 * after the clients' starts of the same pass, so crash-looping containers never starve new ones.
 */
export type StartOrigin = 'client' | 'restart' | 'reschedule';

/** One start, from `docker start` until it is settled. Its fields are written by the queue only. */
export class PendingStart {
  readonly container: MesosContainer;
  readonly spec: ContainerSpec;
  readonly origin: StartOrigin;
  /** The agent a restart prefers (where the container last ran). */
  readonly prefer: string | undefined;
  /** The attempt this start replaced, put back if the start is abandoned before it launches. */
  readonly previous: Readonly<TaskAttempt> | undefined;
  /** Every task ID this start used: a launch placed again gets a new one. */
  readonly taskIds = new Set<string>();
  /** Settles once: resolves when the container runs (or ran), rejects with why it could not start. */
  readonly outcome: Promise<void>;
  /** Why the last placement pass left it waiting (the scheduler's words). */
  lastRejection = '';
  /** Not placed before this time (ms since the epoch); 0 for at once. */
  notBefore: number;
  /** Why it waits, for `docker info` and logs: an offer that fits, or a back-off. */
  reason: string;
  state: 'waiting' | 'launched' | 'settled' = 'waiting';
  /** When it last began to wait (clock time): placement latency, and the dashboard's "waiting for". */
  since = 0;
  timer: TimerHandle | undefined;
  wake: TimerHandle | undefined;
  #resolve!: () => void;
  #reject!: (err: Error) => void;

  constructor(container: MesosContainer, spec: ContainerSpec, notBefore: number, reason: string, origin: StartOrigin) {
    this.container = container;
    this.spec = spec;
    this.origin = origin;
    this.previous = container.task;
    this.prefer = origin === 'restart' ? container.task?.agentId : undefined;
    this.notBefore = notBefore;
    this.reason = reason;
    this.outcome = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody may be waiting yet when it fails (a --rm cleanup runs first); the awaiting caller still sees it.
    this.outcome.catch(() => undefined);
  }

  /** Launches tried before the current one (a launch Mesos dropped is tried again). */
  get attempts(): number {
    return Math.max(0, this.taskIds.size - 1);
  }

  /** The task this start carries now. */
  get taskId(): string | undefined {
    const task = this.container.task;
    return task && this.taskIds.has(task.taskId) ? task.taskId : undefined;
  }

  settle(error: Error | undefined): void {
    if (this.state === 'settled') return;
    this.state = 'settled';
    if (error) this.#reject(error);
    else this.#resolve();
  }
}

export interface QueueSettings {
  readonly taskTimeoutMs: number;
}

export class StartQueue extends EventEmitter<{ waiting: []; drained: [] }> {
  readonly #store: ContainerStore;
  readonly #clock: Clock;
  readonly #settings: QueueSettings;
  /** Every start not settled yet, waiting or launched, by container ID. */
  readonly #starts = new Map<string, PendingStart>();
  readonly #waiting = new Set<PendingStart>();

  constructor(store: ContainerStore, clock: Clock, settings: QueueSettings) {
    super();
    this.#store = store;
    this.#clock = clock;
    this.#settings = settings;
  }

  /** Starts waiting, not placed yet. */
  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Waiting starts whose back-off is over: what offers are held for. A restart waiting out a minute of back-off must
   * not hold offers through it (other frameworks would get nothing of those agents); its wake asks again.
   */
  get due(): number {
    const now = this.#clock.now();
    let due = 0;
    for (const start of this.#waiting) if (start.notBefore <= now) due++;
    return due;
  }

  get(containerId: string): PendingStart | undefined {
    return this.#starts.get(containerId);
  }

  /** Every waiting start, the longest waiting first (read-only: for observers). */
  waiting(): IterableIterator<PendingStart> {
    return this.#waiting.values();
  }

  /** The starts a pass may place now, oldest first: the clients' before the policies' (see StartOrigin). */
  ready(): PendingStart[] {
    const now = this.#clock.now();
    const out: PendingStart[] = [];
    const policies: PendingStart[] = [];
    for (const start of this.#waiting) {
      if (start.notBefore > now || start.container.task?.phase !== 'queued') continue;
      (start.origin === 'client' ? out : policies).push(start);
    }
    for (const start of policies) out.push(start);
    return out;
  }

  /** Queues a new task for the container; await `outcome` on the start returned. */
  async enqueue(
    container: MesosContainer,
    spec: ContainerSpec,
    notBefore = 0,
    reason = 'an offer that fits',
    origin: StartOrigin = 'client',
  ): Promise<PendingStart> {
    const start = new PendingStart(container, spec, notBefore, reason, origin);
    const superseded = this.#starts.get(container.id);
    if (superseded) {
      this.#drop(superseded);
      superseded.settle(startFailed('start superseded'));
    }
    this.#starts.set(container.id, start);
    await this.#wait(start);
    return start;
  }

  /** Why the last placement pass left the start waiting (shown when it times out). */
  rejected(start: PendingStart, why: string): void {
    // A policy's start has no timeout to report why: the container shows it while it waits (State.Error).
    if (start.origin !== 'client' && start.lastRejection !== why) this.#store.noteWaiting(start.container, why);
    start.lastRejection = why;
  }

  /** The start left the queue for a launch (its ACCEPT is being sent). */
  launched(start: PendingStart): void {
    this.#clock.clear(start.timer);
    this.#waiting.delete(start);
    if (start.state === 'waiting') start.state = 'launched';
    if (!this.due) this.emit('drained');
  }

  /**
   * A launch Mesos dropped (the offer went away under it) never ran: it is placed again, as the same start, under a
   * new task ID. False when the start has been placed too often already, or is not this task's.
   */
  requeue(start: PendingStart, taskId: string): boolean {
    if (this.#starts.get(start.container.id) !== start || !start.taskIds.has(taskId)) return false;
    if (start.taskIds.size > REQUEUE_LIMIT) return false;
    start.state = 'waiting';
    void this.#wait(start);
    return true;
  }

  /** Takes a waiting start out (stop or removal before it was placed). */
  cancel(containerId: string, why: string): boolean {
    const start = this.#starts.get(containerId);
    if (!start || start.state !== 'waiting') return false;
    this.abandon(start, why);
    return true;
  }

  /** Gives a start up before it launched: the container goes back to what it was, and the start fails. */
  abandon(start: PendingStart, why: string): void {
    this.#drop(start);
    const task = start.container.task;
    if (task?.phase === 'queued' && start.taskIds.has(task.taskId)) {
      this.#store.abandonTask(start.container, start.previous, why);
    }
    start.settle(startFailed(why));
  }

  /** What the updates station learned of the start's task: the start succeeds, fails, or goes on waiting. */
  settle(start: PendingStart, outcome: TaskOutcome): void {
    if (outcome.kind === 'pending') return;
    this.#drop(start);
    const failed = outcome.kind === 'ended' && !outcome.ran;
    start.settle(failed ? startFailed(outcome.failure ?? 'start failed') : undefined);
  }

  /** The container went away while starting. */
  forget(containerId: string): void {
    const start = this.#starts.get(containerId);
    if (!start) return;
    this.#drop(start);
    start.settle(startFailed('container removed while starting'));
  }

  /** Acting ends: no timer fires again, and every start's waiter learns why it will not hear more (not a hang). */
  stop(): void {
    for (const start of this.#starts.values()) {
      this.#clock.clear(start.timer);
      this.#clock.clear(start.wake);
      start.settle(stoppedActing());
    }
  }

  async #wait(start: PendingStart): Promise<void> {
    const taskId = `${start.container.name || start.container.id.slice(0, 12)}.${randomHex(6)}`;
    start.taskIds.add(taskId);
    start.lastRejection = '';
    await this.#store.beginTask(start.container, { taskId, phase: 'queued' }, false);
    if (this.#starts.get(start.container.id) !== start || start.state !== 'waiting') return;
    const now = this.#clock.now();
    start.since = now;
    const delay = Math.max(0, start.notBefore - now);
    // The task timeout counts from when it may be placed, not through a back-off; a policy's start has none.
    if (start.origin === 'client') {
      start.timer = this.#clock.setTimeout(() => this.#timeout(start), delay + this.#settings.taskTimeoutMs);
    }
    this.#waiting.add(start);
    if (delay > 0) start.wake = this.#clock.setTimeout(() => this.emit('waiting'), delay);
    else this.emit('waiting');
  }

  #timeout(start: PendingStart): void {
    if (!this.#waiting.has(start) || start.container.task?.phase !== 'queued') return;
    const why = `container failed to start after ${formatDuration(this.#settings.taskTimeoutMs)}${
      start.lastRejection ? `: ${start.lastRejection}` : ''
    }`;
    this.abandon(start, why);
  }

  #drop(start: PendingStart): void {
    this.#clock.clear(start.timer);
    this.#clock.clear(start.wake);
    if (this.#starts.get(start.container.id) === start) this.#starts.delete(start.container.id);
    if (this.#waiting.delete(start) && !this.due) this.emit('drained');
  }
}
