// Reconciliation: after every (re)subscription, the recommended rounds (src/mesos/reconciler.ts) over every task
// not known to have ended; and the tasks believed unreachable, which Mesos does not push when their agent comes
// back from a partition but answers for when asked: asked when the agent offers again, and every few seconds while
// any is unreachable.
import { Reconciler, type ReconcileTask, type ReconcilerEventSource } from '../../mesos/index.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { Metrics } from '../../metrics/index.js';
import type { AgentViews } from './agent-views.js';
import type { MesosCalls } from './calls.js';
import type { ContainerStore } from './store.js';
import { isTerminal } from './task-phase.js';

const UNREACHABLE_RECONCILE_MS = 10_000;

export class Reconciliation {
  readonly #mesos: Pick<MesosCalls, 'reconcile'>;
  readonly #store: ContainerStore;
  readonly #views: AgentViews;
  readonly #clock: Clock;
  readonly #reconciler: Reconciler;
  #detach: (() => void) | undefined;
  #timer: TimerHandle | undefined;
  #subscribed = false;

  constructor(
    mesos: Pick<MesosCalls, 'reconcile'>,
    store: ContainerStore,
    views: AgentViews,
    clock: Clock,
    metrics: Metrics,
    logger: Logger,
  ) {
    this.#mesos = mesos;
    this.#store = store;
    this.#views = views;
    this.#clock = clock;
    this.#reconciler = new Reconciler({
      reconcile: (tasks) => mesos.reconcile(tasks),
      tasks: () => this.#reconcilable(),
      logger,
      onRoundComplete: (round) => metrics.mesos.reconciled(round.kind),
    });
  }

  start(source: ReconcilerEventSource): void {
    this.#detach = this.#reconciler.attach(source);
    this.#timer ??= this.#clock.setInterval(() => this.unreachable(), UNREACHABLE_RECONCILE_MS);
  }

  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
    this.#reconciler.stop();
    this.#clock.clear(this.#timer);
    this.#timer = undefined;
    this.#subscribed = false;
  }

  set subscribed(value: boolean) {
    this.#subscribed = value;
  }

  /** The agent offers again: if it was lost, or carries tasks we believe unreachable, ask how they are. */
  offered(agentId: string, returning: boolean): void {
    if (returning || this.#views.unreachableOn(agentId).length) this.unreachable(agentId);
  }

  /** Asks Mesos for the tasks believed unreachable, on one agent or all. */
  unreachable(agentId?: string): void {
    const lost = this.#views.unreachableOn(agentId);
    if (!lost.length || !this.#subscribed) return;
    void this.#mesos
      .reconcile(lost.map((c) => ({ task_id: { value: c.task!.taskId }, agent_id: { value: c.task!.agentId! } })))
      .catch(() => undefined);
  }

  /** Reconciles tasks an ACCEPT may or may not have launched: Mesos tells, and a task it never got is retried. */
  launches(tasks: readonly ReconcileTask[]): void {
    void this.#mesos.reconcile([...tasks]).catch(() => undefined);
  }

  /** Tasks Mesos should tell us about after a (re)subscription: every one not known to have ended. */
  #reconcilable(): ReconcileTask[] {
    const out: ReconcileTask[] = [];
    for (const c of this.#store.values()) {
      const task = c.task;
      if (!task || task.phase === 'queued' || isTerminal(task.phase)) continue;
      out.push({ task_id: { value: task.taskId }, ...(task.agentId ? { agent_id: { value: task.agentId } } : {}) });
    }
    return out;
  }
}
