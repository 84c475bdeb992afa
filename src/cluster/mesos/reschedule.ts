// Rescheduling off lost agents (a partition-aware framework's side of TASK_UNREACHABLE and TASK_GONE…): a container
// with a restart policy other than `no`, or classic Swarm's `reschedule:on-node-failure`, whose task is lost with its
// agent is relaunched on another, after mesos.rescheduletimeout (gone, gone by operator, dropped, unknown: it will
// not come back) or mesos.unreachabletimeout (unreachable: it may, as in Marathon's unreachable strategy). The
// relaunch is the restarts station's (same container, durable decision, placed by the scheduler). A task replaced
// while unreachable is kept as stale: when its agent offers again it is reconciled, and if it still runs it is
// killed — or, if the relaunch has not been placed yet, taken back — so exactly one copy survives.
import type { TaskStatus } from '../../mesos/index.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { Metrics } from '../../metrics/index.js';
import type { MesosCalls } from './calls.js';
import type { MesosContainer, TaskAttempt } from './container.js';
import type { StartQueue } from './queue.js';
import type { Restarts } from './restarts.js';
import { policyOf } from './restarts.js';
import type { ContainerStore } from './store.js';
import { reschedulesOnNodeFailure } from './restart-policy.js';
import { isTerminal, phaseOf } from './task-phase.js';

const STALE_RECONCILE_MS = 5_000;

export interface RescheduleSettings {
  readonly rescheduleTimeoutMs: number;
  readonly unreachableTimeoutMs: number;
}

export class Rescheduler {
  readonly #mesos: Pick<MesosCalls, 'kill' | 'reconcile'>;
  readonly #store: ContainerStore;
  readonly #queue: StartQueue;
  readonly #restarts: Restarts;
  readonly #clock: Clock;
  readonly #settings: RescheduleSettings;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  /** Containers waiting out their unreachable timeout, by container ID. */
  readonly #timers = new Map<string, TimerHandle>();
  #interval: TimerHandle | undefined;
  /** When each agent's stale tasks were last reconciled. */
  readonly #asked = new Map<string, number>();
  /** The container of each stale task (see RestartState.stale). */
  readonly #staleOf = new Map<string, MesosContainer>();
  /** Applies a status again once a stale task was taken back (the updates station's `received`). */
  reapply: (status: TaskStatus) => Promise<void> = async () => undefined;

  constructor(
    mesos: Pick<MesosCalls, 'kill' | 'reconcile'>,
    store: ContainerStore,
    queue: StartQueue,
    restarts: Restarts,
    clock: Clock,
    settings: RescheduleSettings,
    metrics: Metrics,
    logger: Logger,
  ) {
    this.#mesos = mesos;
    this.#store = store;
    this.#queue = queue;
    this.#restarts = restarts;
    this.#clock = clock;
    this.#settings = settings;
    this.#metrics = metrics;
    this.#log = logger;
  }

  /**
   * After the store is open: a relaunch decided for an unreachable task is queued at its time; other unreachable
   * tasks wait out their timeout again, from now.
   */
  async recover(): Promise<void> {
    for (const c of [...this.#store.values()]) {
      for (const s of c.restart.stale) this.#staleOf.set(s.taskId, c);
      const task = c.task;
      if (task?.phase !== 'unreachable') continue;
      const pending = c.restart.pending;
      if (pending?.after === task.taskId) await this.#restarts.relaunch(c, pending.at, pending.kind);
      else this.unreachable(c, task);
    }
  }

  /**
   * Stale tasks are asked after every few seconds, not only when their agent offers: a framework with nothing to
   * place is suppressed, and gets no offers to notice the agent by.
   */
  start(): void {
    this.#interval ??= this.#clock.setInterval(() => this.#reconcileStale(), STALE_RECONCILE_MS);
  }

  stop(): void {
    for (const timer of this.#timers.values()) this.#clock.clear(timer);
    this.#timers.clear();
    this.#clock.clear(this.#interval);
    this.#interval = undefined;
  }

  /** The container's task went unreachable: relaunched elsewhere if it is still so after the timeout. */
  unreachable(container: MesosContainer, task: Readonly<TaskAttempt>): void {
    if (!eligible(container)) return;
    // Each time it goes unreachable the wait starts again (it may have been back in between).
    this.#clock.clear(this.#timers.get(container.id));
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(container.id);
      if (container.task !== task || task.phase !== 'unreachable' || !eligible(container)) return;
      void this.#relaunch(container, task, 'unreachable', this.#clock.now());
    }, this.#settings.unreachableTimeoutMs);
    this.#timers.set(container.id, timer);
  }

  /** The container's task is gone with its agent (terminal): relaunched elsewhere after the reschedule timeout. */
  async lost(container: MesosContainer, task: Readonly<TaskAttempt>): Promise<void> {
    if (!eligible(container) || container.task !== task || container.restart.pending?.after === task.taskId) return;
    await this.#relaunch(container, task, 'lost', this.#clock.now() + this.#settings.rescheduleTimeoutMs);
  }

  /** An agent offers: ask Mesos how the stale tasks it had are (at most every few seconds per agent). */
  offered(agentId: string): void {
    if (!this.#staleOf.size) return;
    const now = this.#clock.now();
    if ((this.#asked.get(agentId) ?? -Infinity) > now - STALE_RECONCILE_MS) return;
    this.#asked.set(agentId, now);
    this.#reconcileStale(agentId);
  }

  #reconcileStale(agentId?: string): void {
    const tasks = [];
    for (const [taskId, c] of this.#staleOf) {
      const stale = c.restart.stale.find((s) => s.taskId === taskId);
      if (stale && (agentId === undefined || stale.agentId === agentId)) tasks.push(stale);
    }
    if (!tasks.length) return;
    void this.#mesos
      .reconcile(tasks.map((s) => ({ task_id: { value: s.taskId }, agent_id: { value: s.agentId } })))
      .catch(() => undefined);
  }

  /**
   * An update for a task the manager no longer tracks. A stale copy still running is killed, unless its container's
   * relaunch is still waiting to be placed: then the old copy is taken back and the relaunch cancelled.
   */
  async retired(status: TaskStatus): Promise<void> {
    const taskId = status.task_id.value;
    const owner = this.#staleOwner(taskId);
    if (!owner) return;
    const { container, stale } = owner;
    const rest = container.restart.stale.filter((s) => s !== stale);
    if (isTerminal(phaseOf(status.state))) {
      this.#staleOf.delete(taskId);
      await this.#store.setRestart(container, { stale: rest });
      return;
    }
    if (status.state !== 'TASK_RUNNING') return;
    const start = this.#queue.get(container.id);
    if (start?.state === 'waiting' && start.previous?.taskId === taskId) {
      this.#staleOf.delete(taskId);
      this.#queue.abandon(start, 'its agent came back with it');
      await this.#store.setRestart(container, { stale: rest, pending: undefined, lastExit: undefined });
      this.#store.event(container, 'reschedule-cancelled', { task: taskId });
      this.#log.info({ container: container.id, task: taskId }, 'agent back before the relaunch was placed: kept');
      await this.reapply(status);
      return;
    }
    this.#store.event(container, 'kill', { signal: 'SIGKILL', reason: 'duplicate after reschedule', task: taskId });
    this.#log.warn({ container: container.id, task: taskId }, 'stale copy of a rescheduled container: killed');
    await this.#mesos.kill(taskId, stale.agentId).catch(() => undefined);
  }

  async #relaunch(c: MesosContainer, task: Readonly<TaskAttempt>, why: string, at: number): Promise<void> {
    const stale = task.phase === 'unreachable' && task.agentId ? [{ taskId: task.taskId, agentId: task.agentId }] : [];
    for (const s of stale) this.#staleOf.set(s.taskId, c);
    await this.#store.setRestart(c, {
      pending: { after: task.taskId, at, kind: 'reschedule' },
      stale: [...c.restart.stale, ...stale],
    });
    this.#metrics.mesos.rescheduled(why);
    this.#log.info({ container: c.id, task: task.taskId, agent: task.agentId, why }, 'rescheduling off its agent');
    await this.#restarts.relaunch(c, at, 'reschedule');
  }

  #staleOwner(taskId: string) {
    const container = this.#staleOf.get(taskId);
    const stale = container?.restart.stale.find((s) => s.taskId === taskId);
    if (!container || !stale || this.#store.index.get(container.id) !== container) {
      this.#staleOf.delete(taskId);
      return undefined;
    }
    return { container, stale };
  }
}

function eligible(container: MesosContainer): boolean {
  if (container.removing || container.restart.stoppedByUser || container.compiled instanceof Error) return false;
  return reschedulesOnNodeFailure(policyOf(container), container.compiled.reschedule);
}
