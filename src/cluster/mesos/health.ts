// Docker's HEALTHCHECK in mesos mode, pure: the check a container asks for (its create's, else its image's) becomes
// Mesos' own COMMAND health check on the TaskInfo, run by the agent's docker executor (`docker exec` in the task's
// container); `--no-healthcheck` keeps dockerd from running it a second time. The executor reports each failure
// and the first success after failures as TASK_RUNNING with `healthy`; `healthAfter` turns those into Docker's
// view (starting, healthy, unhealthy, the failing streak, a log) and `healthState` shows it as `State.Health`.
// With a restart policy Mesos kills the task after Docker's retries (then the policy relaunches it, as swarm mode
// does); without one it never kills (Docker keeps an unhealthy container running).
import type { HealthCheck } from '../../mesos/index.js';
import type { CreateBody } from '../cluster.js';

/** Docker's `Config.Healthcheck`; durations in nanoseconds, 0 meaning Docker's default. */
export interface DockerHealthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

/** dockerd's defaults for a check that sets none. */
const DEFAULT_INTERVAL_NS = 30e9;
const DEFAULT_TIMEOUT_NS = 30e9;
const DEFAULT_RETRIES = 3;
/** The largest uint32: a check Mesos never acts on (Docker keeps an unhealthy container running). */
const NEVER = 2 ** 32 - 1;
/** dockerd keeps the last five probes in State.Health.Log. */
const LOG_KEPT = 5;

/** What the manager keeps of a check: Mesos' form for the TaskInfo, and the retries Docker's view counts to. */
export interface HealthSpec {
  readonly check: HealthCheck;
  readonly retries: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  readonly Start: string;
  readonly End: string;
  readonly ExitCode: number;
  readonly Output: string;
}

/** A task's health as Docker shows it; durable with the task (so a restarted manager shows it again). */
export interface TaskHealth {
  readonly status: HealthStatus;
  readonly failingStreak: number;
  readonly log: readonly HealthLogEntry[];
  /** The uuid of the last report counted: Mesos sends an update again until it is acknowledged. */
  readonly report?: string;
}

/**
 * The create's check over the image's, as dockerd merges them at create: a create without a test takes the image's
 * test, and each duration or count it leaves at 0 comes from the image.
 */
export function withImageHealthcheck(config: CreateBody, image: DockerHealthcheck | null | undefined): CreateBody {
  if (!image?.Test?.length) return config;
  const own = (config as { Healthcheck?: DockerHealthcheck }).Healthcheck;
  if (own?.Test?.length) return config;
  const merged: DockerHealthcheck = { ...image };
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'Retries'] as const) if (own?.[key]) merged[key] = own[key];
  return { ...config, Healthcheck: merged } as CreateBody;
}

/** The Mesos health check for a config's Docker check; undefined for none or `NONE`. */
export function healthSpecOf(config: CreateBody, restarts: boolean): HealthSpec | undefined {
  const health = (config as { Healthcheck?: DockerHealthcheck }).Healthcheck;
  const [kind, ...rest] = health?.Test ?? [];
  if (!kind || kind === 'NONE' || (kind !== 'CMD' && kind !== 'CMD-SHELL')) return undefined;
  if (!rest.length) return undefined;
  const retries = health?.Retries || DEFAULT_RETRIES;
  const seconds = (ns: number | undefined, fallback: number) => (ns || fallback) / 1e9;
  // The docker executor runs `docker exec <container> <value> <arguments…>` (argv form) or `sh -c <value>`.
  const command =
    kind === 'CMD-SHELL'
      ? { shell: true, value: rest.join(' ') }
      : { shell: false, value: rest[0], arguments: rest.slice(1) };
  return {
    retries,
    check: {
      type: 'COMMAND',
      command,
      // dockerd's first probe waits an interval; Mesos' grace period already keeps early failures from counting.
      delay_seconds: 0,
      interval_seconds: seconds(health?.Interval, DEFAULT_INTERVAL_NS),
      timeout_seconds: seconds(health?.Timeout, DEFAULT_TIMEOUT_NS),
      grace_period_seconds: seconds(health?.StartPeriod, 0),
      consecutive_failures: restarts ? retries : NEVER,
    },
  };
}

/**
 * The health after one of the executor's reports (TASK_RUNNING, REASON_TASK_HEALTH_CHECK_STATUS_UPDATED): each
 * failure is sent, a success only when it follows failures or is the first, so the failing streak is the count of
 * failures since the last success, and the status turns unhealthy when it reaches the retries, as dockerd's does.
 * The log is made from the reports: Mesos passes on neither a check's output nor its exit code.
 */
export function healthAfter(
  before: TaskHealth | undefined,
  healthy: boolean,
  retries: number,
  at: string,
  report?: string,
): TaskHealth {
  if (report !== undefined && before?.report === report) return before;
  const entry: HealthLogEntry = { Start: at, End: at, ExitCode: healthy ? 0 : 1, Output: '' };
  const log = [...(before?.log ?? []), entry].slice(-LOG_KEPT);
  if (healthy) return { status: 'healthy', failingStreak: 0, log, report };
  const failingStreak = (before?.failingStreak ?? 0) + 1;
  const status = failingStreak >= retries ? 'unhealthy' : (before?.status ?? 'starting');
  return { status, failingStreak, log, report };
}

/**
 * The health an update that is not a check's own report says (reconciliation after a restart: Mesos repeats the
 * last `healthy`), for a task the manager knows no health of; one it knows keeps what it knows.
 */
export function healthRecalled(before: TaskHealth | undefined, healthy: boolean, retries: number): TaskHealth {
  if (before) return before;
  return healthy
    ? { status: 'healthy', failingStreak: 0, log: [] }
    : { status: 'unhealthy', failingStreak: retries, log: [] };
}

/** `State.Health` for a task under a check: starting until the executor reports. */
export function healthState(health: TaskHealth | undefined): Record<string, unknown> {
  return {
    Status: health?.status ?? 'starting',
    FailingStreak: health?.failingStreak ?? 0,
    Log: health?.log ?? [],
  };
}
