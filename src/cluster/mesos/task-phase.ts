// The life of one Mesos task, as a phase that only moves forward:
//   queued → launching → starting → running → killing → (finished | failed | killed | error | lost)
// with one side road Mesos itself has: a running task whose agent is unreachable may come back to running.
// Duplicate or late status updates (Mesos resends until acknowledged, reconciliation repeats) therefore never move
// a container backwards. Also the one rule for what a task's state means to a Docker client (`outcomeOf`): whether
// a start succeeded, and whether its end was an error, for start, a concurrent start and wait alike.
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

/** What a task's state means to the client that started it, or waits on it. */
export type TaskOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'running' }
  /**
   * `ran`: the container ran (a start that ends like this succeeded). `error`: the end was an error (Docker's
   * `wait` Error), `failure`: why the start failed, in the words tests and scripts grep for (set when it did not run).
   */
  | { readonly kind: 'ended'; readonly ran: boolean; readonly error: string | undefined; readonly failure?: string };

export interface TaskFacts {
  readonly phase: TaskPhase;
  readonly startedAt?: string;
  readonly message?: string;
}

export function outcomeOf(task: TaskFacts): TaskOutcome {
  const { phase, message } = task;
  if (phase === 'running' || phase === 'killing' || phase === 'unreachable') return RUNNING;
  if (!isTerminal(phase)) return PENDING;
  const ran = task.startedAt !== undefined || ranBriefly(message);
  const error =
    phase === 'error' || phase === 'lost' || (!ran && message && !/exited with status/.test(message))
      ? (message ?? '')
      : undefined;
  return ran ? { kind: 'ended', ran, error } : { kind: 'ended', ran, error, failure: launchFailure(phase, message) };
}

const RUNNING = { kind: 'running' } as const;
const PENDING = { kind: 'pending' } as const;

/**
 * A task that ended before Mesos reported it running still ran, briefly, when its container exited by itself —
 * unless the status is one of `docker run`'s own failures (see dockerCouldNotStart). Launch failures (image pull,
 * run options, executor) carry other messages.
 */
function ranBriefly(message: string | undefined): boolean {
  return /^Container exited with status \d+$/.test(message ?? '') && !dockerCouldNotStart(message);
}

/** `docker run`'s own exit codes: 125, the daemon refused (a host port taken…); 126, not invocable; 127, no command. */
export function dockerCouldNotStart(message: string | undefined): boolean {
  return /^Container exited with status 12[567]$/.test(message ?? '');
}

/**
 * A task that failed before it ran, said for the client. An agent that cannot give the sandbox to the framework's
 * user fails it with "Abnormal executor termination" (the Docker executor, classic Swarm's wording) or, in Mesos
 * 1.12, drops it with "Failed to create executor directory …": classic Swarm's hint names the setting to fix.
 */
function launchFailure(phase: TaskPhase, message: string | undefined): string {
  const text = message || `task ${phase}`;
  if (/Abnormal executor termination|Failed to chown directory to/.test(text)) {
    return `${text} : please verify your SWARM_MESOS_USER is correctly set`;
  }
  return text;
}
