// The life of one Mesos task, as a phase that only moves forward:
//   queued → launching → starting → running → killing → (finished | failed | killed | error | lost)
// with one side road Mesos itself has: a running task whose agent is unreachable may come back to running.
// Duplicate or late status updates (Mesos resends until acknowledged, reconciliation repeats) therefore never move
// a container backwards.
import type { TaskState } from '../../mesos/index.js';

export type TaskPhase =
  | 'queued' // waiting for an offer that fits (mesos.tasktimeout applies here only)
  | 'launching' // placed; the ACCEPT is sent or being sent
  | 'starting' // Mesos has it (STAGING, STARTING): image pull, docker run
  | 'running'
  | 'killing'
  | 'unreachable' // its agent is partitioned away (TASK_UNREACHABLE, TASK_LOST)
  | 'finished'
  | 'failed'
  | 'killed'
  | 'error'
  | 'lost'; // gone for good (dropped, gone, unknown to Mesos)

const RANK: Record<TaskPhase, number> = {
  queued: 0,
  launching: 1,
  starting: 2,
  running: 3,
  unreachable: 3,
  killing: 4,
  finished: 5,
  failed: 5,
  killed: 5,
  error: 5,
  lost: 5,
};

export function isTerminal(phase: TaskPhase): boolean {
  return RANK[phase] === 5;
}

/** Whether a task in `from` may move to `to`. */
export function canAdvance(from: TaskPhase, to: TaskPhase): boolean {
  if (from === to || isTerminal(from)) return false;
  if (from === 'unreachable') return to === 'running' || to === 'killing' || isTerminal(to);
  if (to === 'unreachable')
    return from === 'starting' || from === 'running' || from === 'killing' || from === 'launching';
  return RANK[to] > RANK[from];
}

/** The phase a Mesos task state means. */
export function phaseOf(state: TaskState): TaskPhase {
  switch (state) {
    case 'TASK_STAGING':
    case 'TASK_STARTING':
      return 'starting';
    case 'TASK_RUNNING':
      return 'running';
    case 'TASK_KILLING':
      return 'killing';
    case 'TASK_UNREACHABLE':
    case 'TASK_LOST':
      return 'unreachable';
    case 'TASK_FINISHED':
      return 'finished';
    case 'TASK_FAILED':
      return 'failed';
    case 'TASK_KILLED':
      return 'killed';
    case 'TASK_ERROR':
      return 'error';
    default:
      return 'lost';
  }
}

/**
 * The phase an update moves a task in `current` to. TASK_UNKNOWN says the master holds no record of the task, not
 * that it ended: a master elected after a failover (its registry in memory) knows no agent until each re-registers,
 * and answers reconciliation of their tasks so. A task an agent had is therefore unreachable until that agent is
 * back (reconciliation then says TASK_RUNNING, or how it ended); one no agent ever confirmed is lost.
 */
export function phaseAfter(current: TaskPhase, state: TaskState): TaskPhase {
  const onAgent = current === 'starting' || current === 'running' || current === 'killing' || current === 'unreachable';
  return state === 'TASK_UNKNOWN' && onAgent ? 'unreachable' : phaseOf(state);
}

/** Docker's exit code for a finished task: the status in "Container exited with status N", else by phase. */
export function exitCodeOf(phase: TaskPhase, message: string | undefined): number {
  const match = /exited with status (-?\d+)/.exec(message ?? '');
  if (match) return Number(match[1]);
  if (phase === 'finished') return 0;
  if (phase === 'killed') return 137;
  return 128;
}
