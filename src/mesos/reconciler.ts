// Task reconciliation as reference §6 (and Mesos's reconciliation.md) recommends, as a helper the owner drives:
// after every SUBSCRIBED, reconcile the owner's non-terminal tasks explicitly; re-send for the tasks still without an
// answer, with truncated exponential backoff, until every task has had an update since the round started; then
// reconcile implicitly. Never two rounds at once: a new SUBSCRIBED abandons the running round and starts over.
// Periodic implicit rounds catch anything the master knows and the owner does not.
//
// "An update since the round started" is judged by when the update arrived here, not by its `timestamp`: the
// timestamp comes from the master's or agent's clock, and clock skew would make a fresh answer look old.
// The master does not answer at all for tasks on agents it is still recovering after a failover, which is why
// resending has no attempt limit by default: those answers come once the agent re-registers or is declared lost.

import { Backoff, type BackoffOptions } from './backoff.js';
import { describe } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { ReconcileTask, TaskStatus } from './types.js';

export interface ReconcilerOptions {
  /** Sends one RECONCILE call; an empty list means implicit reconciliation. Usually `(t) => client.reconcile(t)`. */
  reconcile: (tasks: ReconcileTask[]) => Promise<unknown>;
  /** The tasks to reconcile explicitly (the owner's non-terminal tasks), read at the start of each round. */
  tasks: () => Iterable<ReconcileTask> | Promise<Iterable<ReconcileTask>>;
  /** Wait before re-sending to unanswered tasks. Default 2 s doubling to 60 s. */
  backoff?: BackoffOptions;
  /** Give up on unanswered tasks after this many sends and move on to the implicit step. Default: never. */
  maxAttempts?: number;
  /** Time between periodic implicit rounds; 0 disables them. Default 10 minutes. */
  implicitIntervalMs?: number;
  /** Tasks per RECONCILE call, so one call body stays small. Default 1000. */
  batchSize?: number;
  logger?: Logger;
  random?: () => number;
  /** Called when a round finishes (not when it is abandoned). */
  onRoundComplete?: (summary: RoundSummary) => void;
}

export interface RoundSummary {
  kind: 'explicit' | 'implicit';
  /** Tasks reconciled explicitly. */
  tasks: number;
  /** Sends of the explicit RECONCILE (1 when every task answered at once). */
  attempts: number;
  /** Tasks still unanswered when maxAttempts ran out. */
  unanswered: string[];
  durationMs: number;
}

/** The events a Reconciler listens to; MesosSchedulerClient provides them. */
export interface ReconcilerEventSource {
  on(event: 'subscribed', listener: () => void): unknown;
  on(event: 'disconnected', listener: () => void): unknown;
  on(event: 'update', listener: (status: TaskStatus) => void): unknown;
  off(event: 'subscribed', listener: () => void): unknown;
  off(event: 'disconnected', listener: () => void): unknown;
  off(event: 'update', listener: (status: TaskStatus) => void): unknown;
}

interface Round {
  readonly kind: 'explicit' | 'implicit';
  readonly startedAt: number;
  /** Task IDs seen in an update since the round started (before `pending` is known, too). */
  readonly seen: Set<string>;
  pending: Map<string, ReconcileTask> | undefined;
  cancelled: boolean;
  wake: (() => void) | undefined;
}

export class Reconciler {
  private round: Round | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private active = false;
  private readonly logger: Logger;

  constructor(private readonly options: ReconcilerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Wires the reconciler to a client: start on `subscribed`, stop on `disconnected`, observe every `update`. */
  attach(source: ReconcilerEventSource): () => void {
    const onSubscribed = (): void => this.start();
    const onDisconnected = (): void => this.stop();
    const onUpdate = (status: TaskStatus): void => this.observe(status);
    source.on('subscribed', onSubscribed);
    source.on('disconnected', onDisconnected);
    source.on('update', onUpdate);
    return () => {
      source.off('subscribed', onSubscribed);
      source.off('disconnected', onDisconnected);
      source.off('update', onUpdate);
    };
  }

  /** Call after every SUBSCRIBED: abandons any running round and starts an explicit one; (re)arms periodic rounds. */
  start(): void {
    this.active = true;
    this.cancelRound();
    this.schedulePeriodic();
    void this.runRound('explicit');
  }

  /** Call when the stream is lost or the owner shuts down: abandons the round and periodic rounds until start(). */
  stop(): void {
    this.active = false;
    this.cancelRound();
    clearTimeout(this.periodic);
    this.periodic = undefined;
  }

  /** Feed every task status update here (answers to reconciliation and all others alike). */
  observe(status: TaskStatus): void {
    const round = this.round;
    if (!round || round.cancelled) return;
    const id = status.task_id?.value;
    if (id === undefined) return;
    round.seen.add(id);
    if (round.pending?.delete(id) && round.pending.size === 0) round.wake?.();
  }

  /** Runs an implicit round now, unless a round is already running. Resolves when it has been sent. */
  async implicit(): Promise<void> {
    if (!this.active || this.round) return;
    await this.runRound('implicit');
  }

  get running(): boolean {
    return this.round !== undefined;
  }

  /** Task IDs the running explicit round is still waiting for. */
  get pendingTasks(): string[] {
    return [...(this.round?.pending?.keys() ?? [])];
  }

  private cancelRound(): void {
    const round = this.round;
    if (!round) return;
    round.cancelled = true;
    round.wake?.();
    this.round = undefined;
  }

  private schedulePeriodic(): void {
    clearTimeout(this.periodic);
    const interval = this.options.implicitIntervalMs ?? 10 * 60_000;
    if (interval <= 0) return;
    this.periodic = setTimeout(() => {
      this.periodic = undefined;
      if (!this.active) return;
      this.schedulePeriodic();
      if (!this.round) void this.runRound('implicit');
    }, interval);
  }

  private async runRound(kind: 'explicit' | 'implicit'): Promise<void> {
    const round: Round = {
      kind,
      startedAt: performance.now(),
      seen: new Set(),
      pending: undefined,
      cancelled: false,
      wake: undefined,
    };
    this.round = round;
    const backoff = new Backoff(this.options.backoff ?? { initialMs: 2_000, maxMs: 60_000 }, this.options.random);
    let tasks = 0;
    let attempts = 0;
    let unanswered: string[] = [];
    try {
      if (kind === 'explicit') {
        const pending = new Map<string, ReconcileTask>();
        for (const task of await this.options.tasks()) {
          if (!round.seen.has(task.task_id.value)) pending.set(task.task_id.value, task);
        }
        if (round.cancelled) return;
        round.pending = pending;
        tasks = pending.size;
        const maxAttempts = this.options.maxAttempts ?? Infinity;
        while (pending.size > 0 && attempts < maxAttempts) {
          attempts++;
          try {
            await this.sendBatches([...pending.values()]);
            this.logger.debug({ tasks: pending.size, attempt: attempts }, 'explicit reconciliation sent');
          } catch (err) {
            this.logger.warn({ err: describe(err), attempt: attempts }, 'explicit reconciliation failed to send');
          }
          if (round.cancelled) return;
          if (pending.size === 0) break;
          await this.wait(round, backoff.next());
          if (round.cancelled) return;
        }
        unanswered = [...pending.keys()];
        if (unanswered.length > 0) {
          this.logger.warn({ unanswered: unanswered.length }, 'explicit reconciliation gave up on unanswered tasks');
        }
      }
      // The implicit step: keep trying until the master has taken it (or the round is abandoned).
      const retry = new Backoff(this.options.backoff ?? { initialMs: 2_000, maxMs: 60_000 }, this.options.random);
      for (;;) {
        try {
          await this.options.reconcile([]);
          break;
        } catch (err) {
          this.logger.warn({ err: describe(err) }, 'implicit reconciliation failed to send');
          if (round.cancelled) return;
          await this.wait(round, retry.next());
          if (round.cancelled) return;
        }
      }
      if (round.cancelled) return;
      const summary: RoundSummary = {
        kind,
        tasks,
        attempts,
        unanswered,
        durationMs: Math.round(performance.now() - round.startedAt),
      };
      this.logger.info({ ...summary, unanswered: unanswered.length }, 'reconciliation round complete');
      this.options.onRoundComplete?.(summary);
    } catch (err) {
      this.logger.error({ err: describe(err) }, 'reconciliation round failed');
    } finally {
      if (this.round === round) this.round = undefined;
    }
  }

  private async sendBatches(tasks: ReconcileTask[]): Promise<void> {
    const size = Math.max(1, this.options.batchSize ?? 1000);
    for (let i = 0; i < tasks.length; i += size) await this.options.reconcile(tasks.slice(i, i + size));
  }

  /** Sleeps, but wakes as soon as every task has answered or the round is abandoned. */
  private wait(round: Round, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        round.wake = undefined;
        resolve();
      }
      round.wake = done;
    });
  }
}
