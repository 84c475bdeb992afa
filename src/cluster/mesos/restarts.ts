// The restart policies, acting (decided by restart-policy.ts): fed the `ended` event of updates.ts, a container
// whose policy restarts it gets a new task for the same container — its back-off as the start's not-before, placed
// by the scheduler, its last agent preferred. The decision is durable (the store's `restart` entry names the task it
// follows and when it is due) before the start is queued, so a manager killed during the back-off relaunches the
// container on time after it recovers, and never twice: a relaunch whose task was already launched names a task
// that is no longer the container's last. The user's verbs mark the container stopped by the user, which no policy
// overrides until `docker start`; every other end (a crash, the manager's own kill) is the policy's.
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { Metrics } from '../../metrics/index.js';
import type { MesosContainer, TaskAttempt } from './container.js';
import type { StartQueue, StartOrigin } from './queue.js';
import type { ContainerStore } from './store.js';
import { decideRestart, type RestartPolicy } from './restart-policy.js';
import { isTerminal, outcomeOf } from './task-phase.js';

export class Restarts {
  readonly #store: ContainerStore;
  readonly #queue: StartQueue;
  readonly #clock: Clock;
  readonly #metrics: Metrics;
  readonly #log: Logger;

  constructor(store: ContainerStore, queue: StartQueue, clock: Clock, metrics: Metrics, logger: Logger) {
    this.#store = store;
    this.#queue = queue;
    this.#clock = clock;
    this.#metrics = metrics;
    this.#log = logger;
  }

  /** A task of the container ended (durable): its policy decides whether, and when, it runs again. */
  async ended(container: MesosContainer, task: Readonly<TaskAttempt>): Promise<void> {
    if (!this.#current(container, task) || container.restart.pending?.after === task.taskId) return;
    const started = task.startedAt ? Date.parse(task.startedAt) : NaN;
    const finished = task.finishedAt ? Date.parse(task.finishedAt) : NaN;
    const ranMs = Number.isFinite(started) && Number.isFinite(finished) ? Math.max(0, finished - started) : 0;
    const outcome = outcomeOf(task);
    const decision = decideRestart(policyOf(container), factsOf(container), {
      exitCode: container.exitCode(),
      ranMs,
      ran: outcome.kind === 'ended' && outcome.ran,
    });
    if (!decision.restart) {
      this.#log.debug({ container: container.id, why: decision.why }, 'not restarted');
      return;
    }
    const at = this.#clock.now() + decision.delayMs;
    const lastExit = { exitCode: container.exitCode(), finishedAt: task.finishedAt ?? new Date().toISOString() };
    await this.#store.setRestart(
      container,
      { backoffMs: decision.delayMs, pending: { after: task.taskId, at, kind: 'restart' }, lastExit },
      decision.count,
    );
    this.#metrics.mesos.restarted();
    this.#log.info({ container: container.id, count: decision.count, in: decision.delayMs }, 'restarting (policy)');
    await this.relaunch(container, at, 'restart');
  }

  /** Queues the relaunch a durable decision asked for (a restart's, or a reschedule's) at its time. */
  async relaunch(container: MesosContainer, at: number, origin: StartOrigin): Promise<void> {
    if (container.compiled instanceof Error) return;
    const reason = origin === 'restart' ? 'a restart back-off' : 'a node for a container its agent lost';
    await this.#queue.enqueue(container, container.spec, at, reason, origin);
  }

  /**
   * After the store is open: relaunches decided before the manager stopped (at their time, once), and ends no
   * manager decided on (it stopped between recording the end and the decision).
   */
  async recover(): Promise<void> {
    for (const container of [...this.#store.values()]) {
      const task = container.task;
      if (!task || !isTerminal(task.phase) || container.removing) continue;
      const pending = container.restart.pending;
      if (pending?.after === task.taskId) await this.relaunch(container, pending.at, pending.kind);
      else if (!pending && task.phase !== 'lost') await this.ended(container, task);
    }
  }

  /** The user's stop, kill, rm or restart: no policy restarts it until `docker start` (durable first). */
  async stoppedByUser(container: MesosContainer): Promise<void> {
    await this.#store.setRestart(container, { stoppedByUser: true, pending: undefined, lastExit: undefined });
  }

  /** `docker start`: the policy applies again, its count and back-off from zero (dockerd resets both). */
  async startedByUser(container: MesosContainer): Promise<void> {
    await this.#store.setRestart(
      container,
      { stoppedByUser: false, backoffMs: 0, pending: undefined, lastExit: undefined },
      0,
    );
  }

  #current(container: MesosContainer, task: Readonly<TaskAttempt>): boolean {
    return !container.removing && this.#store.index.get(container.id) === container && container.task === task;
  }
}

export function policyOf(container: MesosContainer): RestartPolicy {
  return container.compiled instanceof Error ? NO_POLICY : container.compiled.restartPolicy;
}

function factsOf(container: MesosContainer) {
  return {
    count: container.restartCount,
    backoffMs: container.restart.backoffMs,
    stoppedByUser: container.restart.stoppedByUser,
  };
}

const NO_POLICY: RestartPolicy = { name: 'no', maxRetries: 0 };
