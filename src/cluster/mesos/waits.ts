// Waiting on a container's task, by the one rule that says how a task turned out (task-phase.ts outcomeOf): the
// outcome of a start this manager did not make (it began before a restart), and `docker wait`'s three conditions.
import type { WaitCondition, WaitResult } from '../cluster.js';
import { aborted, conflict, startFailed } from '../../errors.js';
import type { MesosContainer } from './container.js';
import type { ContainerStore } from './store.js';
import { outcomeOf } from './task-phase.js';

/** Resolves once the container's current task runs (or ran); rejects with why it could not start. */
export async function startOutcome(store: ContainerStore, c: MesosContainer): Promise<void> {
  await store.until(c.id, (now) => {
    if (!now?.task) throw conflict(`container ${c.id} was removed while starting`);
    const outcome = outcomeOf(now.task);
    if (outcome.kind === 'pending') return undefined;
    if (outcome.kind === 'ended' && !outcome.ran) throw startFailed(outcome.failure ?? 'start failed');
    return true;
  });
}

/** `docker wait`: the exit code (and the task's error) once `condition` holds. */
export async function waitFor(
  store: ContainerStore,
  c: MesosContainer,
  condition: WaitCondition,
  abort: AbortSignal,
): Promise<WaitResult> {
  const result = (x: MesosContainer): WaitResult => {
    const outcome = x.task ? outcomeOf(x.task) : undefined;
    const error = outcome?.kind === 'ended' ? outcome.error : undefined;
    return { StatusCode: x.exitCode(), Error: error === undefined ? null : { Message: error } };
  };
  let last: WaitResult = result(c);
  const initialTask = c.task?.taskId;
  const initiallyEnded = c.hasExited;
  try {
    return await store.until(
      c.id,
      (now) => {
        if (!now) return last;
        last = result(now);
        if (condition === 'removed') return undefined;
        if (condition === 'not-running') return now.isRunning || now.isStarting ? undefined : last;
        // next-exit: an end that happens after the wait began.
        const ended = now.hasExited && !(initiallyEnded && now.task?.taskId === initialTask);
        return ended ? last : undefined;
      },
      abort,
    );
  } catch (err) {
    if (abort.aborted) throw aborted();
    throw err;
  }
}
