// `docker` mode: a task's COMMAND health check as mesos-docker-executor runs it (src/checks/health_checker.cpp,
// checker_process.cpp, src/docker/executor.cpp). The first check after delay_seconds, the next interval_seconds after
// each one ends; the command through `docker exec` in the task's container (`sh -c <value>` for a shell command,
// else `<value> <arguments…>`); a non-zero exit or timeout_seconds passing (0: none) is a failure. Failures before
// the first success and within grace_period_seconds are ignored. Every failure is reported (healthy false), a
// success only when it is the first or follows failures; after consecutive_failures in a row the task is killed.
// HTTP and TCP checks are not run here (a Docker client cannot ask for them).
import type Dockerode from 'dockerode';
import type { HealthCheckMsg } from './messages.js';

export interface HealthReport {
  readonly healthy: boolean;
  /** consecutive_failures reached: the executor kills the task. */
  readonly kill: boolean;
}

type Timing = Required<Omit<HealthCheckMsg, 'type' | 'command' | 'http' | 'tcp'>>;

/** The proto's defaults (include/mesos/v1/mesos.proto, HealthCheck). */
function timingOf(check: HealthCheckMsg): Timing {
  return {
    delay_seconds: check.delay_seconds ?? 15,
    interval_seconds: check.interval_seconds ?? 10,
    timeout_seconds: check.timeout_seconds ?? 20,
    consecutive_failures: check.consecutive_failures ?? 3,
    grace_period_seconds: check.grace_period_seconds ?? 10,
  };
}

export class HealthChecker {
  private readonly container: Dockerode.Container;
  private readonly argv: string[];
  private readonly timing: Timing;
  private readonly report: (r: HealthReport) => void;
  private readonly startedAt = Date.now();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private initializing = true;
  private failures = 0;

  constructor(container: Dockerode.Container, check: HealthCheckMsg, report: (r: HealthReport) => void) {
    this.container = container;
    this.timing = timingOf(check);
    const command = check.command ?? {};
    this.argv =
      (command.shell ?? true)
        ? ['sh', '-c', command.value ?? '']
        : [...(command.value !== undefined ? [command.value] : []), ...(command.arguments ?? [])];
    this.report = report;
  }

  start(): void {
    this.schedule(this.timing.delay_seconds);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(seconds: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check(), seconds * 1000);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    const passed = await this.exec().catch(() => false);
    if (this.stopped) return;
    if (passed) this.success();
    else this.failure();
    this.schedule(this.timing.interval_seconds);
  }

  /** `docker exec <container> <argv>`: true when it exits 0 within the timeout. */
  private async exec(): Promise<boolean> {
    const exec = await this.container.exec({ Cmd: this.argv, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const ended = new Promise<boolean>((resolve) => {
      stream.on('end', () => resolve(true));
      stream.on('close', () => resolve(true));
      stream.on('error', () => resolve(false));
      stream.resume();
    });
    const timeout = this.timing.timeout_seconds;
    let timer: NodeJS.Timeout | undefined;
    const timedOut =
      timeout > 0
        ? new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeout * 1000);
          })
        : new Promise<boolean>(() => undefined);
    const finished = await Promise.race([ended, timedOut]);
    if (timer) clearTimeout(timer);
    if (!finished) {
      stream.destroy();
      return false;
    }
    const { ExitCode } = await exec.inspect();
    return ExitCode === 0;
  }

  private failure(): void {
    const grace = this.timing.grace_period_seconds;
    if (this.initializing && grace > 0 && (Date.now() - this.startedAt) / 1000 <= grace) return;
    this.failures++;
    this.report({ healthy: false, kill: this.failures >= this.timing.consecutive_failures });
  }

  private success(): void {
    if (this.initializing || this.failures > 0) {
      this.report({ healthy: true, kill: false });
      this.initializing = false;
    }
    this.failures = 0;
  }
}
