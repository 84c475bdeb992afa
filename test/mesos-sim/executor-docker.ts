// `docker` mode: a task run on a real Docker engine the way the Docker containerizer and mesos-docker-executor do it.
// Image inspect then pull if missing (or always with force_pull_image); a failed pull is the agent's TASK_FAILED with
// no TASK_STARTING. Then TASK_STARTING, the run options (failures: TASK_FAILED "Failed to create docker run options:
// …"), `docker run` through the Engine API (argv kept for the test hooks), TASK_RUNNING with the pretty-printed
// `docker inspect` array, the task's COMMAND health check (health-checker.ts) with TASK_RUNNING `healthy` reports and
// a kill at consecutive_failures, and on exit TASK_FINISHED / TASK_FAILED / TASK_KILLED "Container exited with status N".
// Containers are left in place when they exit, as with --docker_remove_delay.
import { mkdir } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import {
  containerNetworkInfos,
  createRunOptions,
  formatInspect,
  runArgv,
  toCreateOptions,
  withDefaultTag,
} from './docker-run.js';
import type { ExecutorHost, TaskExecutor, TaskLaunch } from './executor-api.js';
import { hasCapability } from './messages.js';
import { HealthChecker } from './health-checker.js';

/** The executor's `--shutdown_grace_period` default, used by a health kill when the task has no kill policy. */
const SHUTDOWN_GRACE_SECONDS = 5;

export interface DockerExecutorConfig {
  docker: Dockerode;
  /** What the agent's `--docker_socket`/`-H` would say, e.g. unix:///var/run/docker.sock; used in argv and messages. */
  dockerHost: string;
  dockerPath: string;
  /** Called with each container the executor creates, so the simulator can clean up. */
  onContainer: (docker: Dockerode, id: string) => void;
}

export class DockerExecutor implements TaskExecutor {
  private readonly cfg: DockerExecutorConfig;
  private readonly host: ExecutorHost;
  private readonly launch: TaskLaunch;
  private container?: Dockerode.Container;
  private killed = false;
  private silent = false;
  private stopRequested?: number;
  private health?: HealthChecker;
  private killedByHealthCheck = false;

  constructor(cfg: DockerExecutorConfig, host: ExecutorHost, launch: TaskLaunch) {
    this.cfg = cfg;
    this.host = host;
    this.launch = launch;
  }

  start(): void {
    void this.run().catch((e: unknown) => {
      // An engine failure after the container was set up: report it the way a dying `docker run` would show.
      if (!this.silent)
        this.host.update({ state: 'TASK_FAILED', message: `Failed to run docker container: ${String(e)}` });
      this.host.exited();
    });
  }

  kill(graceSeconds: number): void {
    if (this.killed) return;
    this.killed = true;
    this.health?.stop();
    if (hasCapability(this.launch.frameworkInfo, 'TASK_KILLING_STATE')) this.host.update({ state: 'TASK_KILLING' });
    this.stop(graceSeconds);
  }

  shutdown(graceSeconds: number): void {
    this.health?.stop();
    this.silent = true;
    this.killed = true;
    this.stop(graceSeconds);
  }

  private stop(graceSeconds: number): void {
    this.stopRequested = graceSeconds;
    if (this.container) void this.container.stop({ t: graceSeconds }).catch(() => undefined);
  }

  private async pull(image: string): Promise<string | undefined> {
    const docker = this.cfg.docker;
    try {
      const stream = await docker.pull(image);
      await new Promise<void>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
      return undefined;
    } catch (e) {
      const err = e as { json?: { message?: string }; message?: string };
      return err.json?.message ?? err.message ?? String(e);
    }
  }

  private async run(): Promise<void> {
    const { docker, dockerHost, dockerPath } = this.cfg;
    const { task, sandbox, containerName } = this.launch;
    const dockerInfo = task.container?.docker;
    const imageRef = dockerInfo?.image ?? '';

    // The Docker containerizer prepares the image before any executor exists.
    let pullError: string | undefined;
    let pulled = imageRef;
    if (dockerInfo?.force_pull_image) {
      pullError = await this.pull(imageRef);
    } else {
      pulled = withDefaultTag(imageRef);
      const present = await docker
        .getImage(pulled)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (!present) pullError = await this.pull(pulled);
    }
    if (pullError !== undefined) {
      this.host.launchFailed(
        `Failed to run '${dockerPath} -H ${dockerHost} pull ${pulled}': exited with status 1; ` +
          `stderr='Error response from daemon: ${pullError}\n'`,
      );
      return;
    }
    await mkdir(sandbox, { recursive: true });
    if (!this.host.registered()) return;

    this.host.update({ state: 'TASK_STARTING' });
    const built = createRunOptions(task, {
      containerName,
      sandboxDirectory: sandbox,
      allocationRole: this.launch.allocationRole,
    });
    if ('error' in built) {
      this.host.update({ state: 'TASK_FAILED', message: `Failed to create docker run options: ${built.error}` });
      this.host.exited();
      return;
    }
    this.host.recordArgv(runArgv(built.options, dockerPath, dockerHost));
    const api = toCreateOptions(built.options);
    if ('cliError' in api) {
      // `docker run` refuses the flag and exits 125 before any container exists.
      this.terminal(125);
      return;
    }
    let container: Dockerode.Container;
    try {
      container = await docker.createContainer(api.create);
    } catch {
      this.terminal(125);
      return;
    }
    this.container = container;
    this.cfg.onContainer(docker, container.id);
    try {
      await container.start();
    } catch {
      this.terminal(125);
      return;
    }
    // Asked after the start has returned (the process exists by then), `not-running` also answers at once for a
    // container that has already finished; a `next-exit` wait sent before the start can reach the daemon after a
    // quick container's exit and then never answer.
    const exited = container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>;
    if (this.stopRequested !== undefined) this.stop(this.stopRequested);
    if (!this.killed) {
      const inspect = await container.inspect();
      if (!this.killed && !this.silent) {
        const networkInfos = containerNetworkInfos(inspect, task);
        this.host.update({ state: 'TASK_RUNNING', data: formatInspect(inspect), networkInfos });
        this.checkHealth(container, networkInfos);
      }
    }
    const result = await exited;
    this.health?.stop();
    this.terminal(result.StatusCode);
  }

  /**
   * The executor's health checker, started once the container runs (after its inspect). Each report is a
   * TASK_RUNNING with `healthy` (none once the task is being killed); the one that reaches consecutive_failures
   * kills the task with its kill policy's grace period, and its TASK_KILLED says healthy false.
   */
  private checkHealth(container: Dockerode.Container, networkInfos: ReturnType<typeof containerNetworkInfos>): void {
    const check = this.launch.task.health_check;
    if (!check || check.type !== 'COMMAND') return;
    this.health = new HealthChecker(container, check, ({ healthy, kill }) => {
      if (this.killed || this.silent) return;
      this.host.update({
        state: 'TASK_RUNNING',
        healthy,
        reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
        networkInfos,
      });
      if (kill) {
        this.killedByHealthCheck = true;
        this.health?.stop();
        const nanos = this.launch.task.kill_policy?.grace_period?.nanoseconds;
        this.kill(nanos !== undefined ? Number(nanos) / 1e9 : SHUTDOWN_GRACE_SECONDS);
      }
    });
    this.health.start();
  }

  private terminal(code: number): void {
    this.health?.stop();
    if (!this.silent) {
      const state = this.killed ? 'TASK_KILLED' : code === 0 ? 'TASK_FINISHED' : 'TASK_FAILED';
      this.host.update({
        state,
        message: `Container exited with status ${code}`,
        ...(this.killed && this.killedByHealthCheck ? { healthy: false } : {}),
      });
    }
    this.host.exited();
  }
}
