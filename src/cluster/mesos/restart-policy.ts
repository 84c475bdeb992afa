// Docker's restart policies as the manager keeps them in mesos mode, pure: what a create or update body asks for
// (checked once, with dockerd's errors), and what a task's end means under the policy (restart or not, after what
// back-off). The restarts station (restarts.ts) acts on the decision; the agent's Docker never sees the policy,
// since a dockerd restarting the container itself would do it behind Mesos' back.
import { badParameter } from '../../errors.js';
import type { CreateBody } from '../cluster.js';

export type PolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface RestartPolicy {
  readonly name: PolicyName;
  /** on-failure's limit; 0 for none. */
  readonly maxRetries: number;
}

/** dockerd's restart manager: the first back-off, its factor, its cap, and the run that resets it. */
export const BACKOFF_FIRST_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
export const BACKOFF_RESET_RUN_MS = 10_000;

const NAMES: readonly string[] = ['no', 'always', 'unless-stopped', 'on-failure'];

/** The policy a body's `HostConfig.RestartPolicy` asks for; throws dockerd's 400 for one it would refuse. */
export function restartPolicyOf(config: Pick<CreateBody, 'HostConfig'>): RestartPolicy {
  const raw = (config.HostConfig as { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } } | undefined)
    ?.RestartPolicy;
  return checkedPolicy(raw?.Name ?? '', Number(raw?.MaximumRetryCount ?? 0), Boolean(config.HostConfig?.AutoRemove));
}

export function checkedPolicy(name: string, maxRetries: number, autoRemove: boolean): RestartPolicy {
  const policy = name === '' ? 'no' : name;
  if (!NAMES.includes(policy)) throw badParameter(`invalid restart policy '${name}'`);
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw badParameter('maximum retry count cannot be negative');
  if (maxRetries > 0 && policy !== 'on-failure') {
    throw badParameter(`maximum retry count cannot be used with restart policy '${policy}'`);
  }
  if (autoRemove && policy !== 'no') throw badParameter(`can't create 'AutoRemove' container with restart policy`);
  return { name: policy as PolicyName, maxRetries };
}

/** What the restart state of a container holds for the decision (see RestartState in container.ts). */
export interface RestartFacts {
  /** Policy restarts since the last `docker start`. */
  readonly count: number;
  /** The back-off the last restart waited; 0 before the first. */
  readonly backoffMs: number;
  /** A user's stop, kill, rm or restart ended it: no policy restarts it until `docker start`. */
  readonly stoppedByUser: boolean;
}

export interface TaskEnd {
  readonly exitCode: number;
  /** How long the task ran (ms); 0 when it never ran. */
  readonly ranMs: number;
  /** It reached its container (a launch failure is not restarted: it would fail again the same way). */
  readonly ran: boolean;
}

export type RestartDecision =
  | { readonly restart: false; readonly why: string }
  | { readonly restart: true; readonly delayMs: number; readonly count: number };

/** dockerd's `ShouldRestart`: the back-off first (reset by a 10 s run), then whether the policy restarts. */
export function decideRestart(policy: RestartPolicy, facts: RestartFacts, end: TaskEnd): RestartDecision {
  if (policy.name === 'no') return { restart: false, why: 'restart policy no' };
  if (facts.stoppedByUser) return { restart: false, why: 'stopped by the user' };
  if (!end.ran) return { restart: false, why: 'the launch failed' };
  if (policy.name === 'on-failure') {
    if (end.exitCode === 0) return { restart: false, why: 'exited 0 (on-failure)' };
    if (policy.maxRetries > 0 && facts.count >= policy.maxRetries) {
      return { restart: false, why: `restarted ${facts.count} times (on-failure:${policy.maxRetries})` };
    }
  }
  return { restart: true, delayMs: nextBackoff(facts.backoffMs, end.ranMs), count: facts.count + 1 };
}

/** 100 ms, doubling up to a minute; back to 100 ms once the container ran 10 s. */
export function nextBackoff(previousMs: number, ranMs: number): number {
  const base = ranMs >= BACKOFF_RESET_RUN_MS ? 0 : previousMs;
  return base === 0 ? BACKOFF_FIRST_MS : Math.min(base * 2, BACKOFF_MAX_MS);
}

/** Whether a task's loss to its agent (unreachable, gone, removed) relaunches the container elsewhere. */
export function reschedulesOnNodeFailure(policy: RestartPolicy, reschedulePolicy: boolean): boolean {
  return policy.name !== 'no' || reschedulePolicy;
}
