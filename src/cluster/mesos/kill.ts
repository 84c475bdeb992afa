// Ending a task (`docker stop`, `kill`, `rm -f`): a start still waiting is taken out of the queue; a launched task
// gets a Mesos KILL with the grace period, sent again every few seconds until Mesos confirms the end (a KILL can be
// lost with its agent's connection, and Mesos never says it was), and the caller learns when it ended.
import { serverError } from '../../errors.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { MesosCalls } from './calls.js';
import type { MesosContainer } from './container.js';
import type { StartQueue } from './queue.js';
import type { ContainerStore } from './store.js';
import { isTerminal } from './task-phase.js';

const KILL_RESEND_MS = 10_000;

export class Killer {
  readonly #mesos: Pick<MesosCalls, 'kill'>;
  readonly #store: ContainerStore;
  readonly #queue: StartQueue;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(mesos: Pick<MesosCalls, 'kill'>, store: ContainerStore, queue: StartQueue, clock: Clock, logger: Logger) {
    this.#mesos = mesos;
    this.#store = store;
    this.#queue = queue;
    this.#clock = clock;
    this.#log = logger;
  }

  /** Resolves when the container's task has ended (at once when it had none, or had not been placed). */
  async kill(container: MesosContainer, graceSeconds: number): Promise<void> {
    const task = container.task;
    if (!task || isTerminal(task.phase)) return;
    if (task.phase === 'queued') {
      this.#queue.cancel(container.id, 'stopped before it was placed');
      return;
    }
    const send = () =>
      this.#mesos
        .kill(task.taskId, task.agentId, { grace_period: { nanoseconds: Math.round(graceSeconds * 1e9) } })
        .catch((err) => this.#log.warn({ err: (err as Error).message, task: task.taskId }, 'KILL not sent'));
    await send();
    const resend = this.#clock.setInterval(() => void send(), (graceSeconds * 1000 + KILL_RESEND_MS) | 0);
    const deadline = new AbortController();
    const giveUp = this.#clock.setTimeout(() => deadline.abort(), graceSeconds * 1000 + 6 * KILL_RESEND_MS);
    try {
      await this.#store.until(
        container.id,
        (c) => (!c || c.task !== task || isTerminal(task.phase) ? true : undefined),
        deadline.signal,
      );
    } catch {
      throw serverError(`Mesos did not confirm the end of task ${task.taskId}; the kill is still being retried`);
    } finally {
      this.#clock.clear(resend);
      this.#clock.clear(giveUp);
    }
  }
}
