// `sim` mode: no containers. The task goes TASK_STARTING → TASK_RUNNING at once, with a synthetic `docker inspect`
// array (fake Id, `/mesos-<cid>` name, the HostConfig the run options imply) in `data`; it ends when the test says
// so (exit code → TASK_FINISHED / TASK_FAILED), after MESOS_SIM_EXIT=<ms>:<code> from its environment, or on KILL. The run options are still built, so their failures and the
// argv hook behave as in `docker` mode. Images can be limited to a list to simulate pull failures.
import { createHash } from 'node:crypto';
import {
  createRunOptions,
  formatInspect,
  runArgv,
  toCreateOptions,
  withDefaultTag,
  type RunOptions,
} from './docker-run.js';
import type { ExecutorHost, TaskExecutor, TaskLaunch } from './executor-api.js';
import { hasCapability, type NetworkInfoMsg } from './messages.js';

export interface SimExecutorConfig {
  /** When set, images outside this list (after adding ":latest") fail to pull. */
  images?: readonly string[];
  dockerHost: string;
  dockerPath: string;
  /** Keep the argv per task (costly at 100k tasks). */
  recordArgv: boolean;
  /** Exit code of a killed task: 143 (SIGTERM honoured) or 137 (escalated to SIGKILL). */
  killExitCode: number;
  /** Container IPs on the bridge network come from this /16 prefix. */
  nextBridgeIp: () => string;
}

const imageIds = new Map<string, string>();
const networkIds = new Map<string, string>();
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A plausible `docker inspect` object; IDs are derived from the container ID (hashing 100,000 of them costs). */
function syntheticInspect(
  containerId: string,
  o: RunOptions,
  ip: string | undefined,
  now: string,
): Record<string, unknown> {
  const hex = containerId.replace(/-/g, '');
  const id = (hex + [...hex].reverse().join('')).slice(0, 64);
  const networks: Record<string, unknown> = {};
  let networkId = networkIds.get(o.network);
  if (!networkId) networkIds.set(o.network, (networkId = sha256(o.network)));
  let imageId = imageIds.get(o.image);
  if (!imageId) imageIds.set(o.image, (imageId = sha256(o.image)));
  networks[o.network] = {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: networkId,
    EndpointID: ip ? [...id].reverse().join('') : '',
    Gateway: ip ? ip.replace(/\.\d+$/, '.1') : '',
    IPAddress: ip ?? '',
    IPPrefixLen: ip ? 16 : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: '',
    DriverOpts: null,
  };
  const api = toCreateOptions(o);
  const create = 'create' in api ? api.create : undefined;
  return {
    Id: id,
    Created: now,
    Path: o.entrypoint ?? o.arguments[0] ?? 'sh',
    Args: o.entrypoint ? o.arguments : o.arguments.slice(1),
    State: {
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 10_000 + (parseInt(id.slice(0, 6), 16) % 50_000),
      ExitCode: 0,
      Error: '',
      StartedAt: now,
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    Image: `sha256:${imageId}`,
    Name: `/${o.name}`,
    RestartCount: 0,
    Driver: 'vfs',
    HostConfig: { ...(create?.HostConfig ?? {}), NetworkMode: o.network },
    Mounts: o.volumes.map((v) => {
      const [source, destination, mode] = v.split(':');
      return {
        Type: 'bind',
        Source: source,
        Destination: destination,
        Mode: mode ?? '',
        RW: mode !== 'ro',
        Propagation: 'rprivate',
      };
    }),
    Config: {
      Hostname: o.hostname ?? id.slice(0, 12),
      Env: create?.Env ?? [],
      Cmd: o.arguments.length > 0 ? o.arguments : null,
      Image: o.image,
      Entrypoint: o.entrypoint ? [o.entrypoint] : null,
      Labels: create?.Labels ?? {},
    },
    NetworkSettings: { IPAddress: o.network === 'bridge' ? (ip ?? '') : '', Networks: networks },
  };
}

export class SimExecutor implements TaskExecutor {
  private readonly cfg: SimExecutorConfig;
  private readonly host: ExecutorHost;
  // Only needed until start(): 100,000 running sim tasks should not each keep a full TaskInfo.
  private launch?: TaskLaunch;
  private readonly killingState: boolean;
  private state: 'launching' | 'running' | 'done' = 'launching';
  private killed = false;

  constructor(cfg: SimExecutorConfig, host: ExecutorHost, launch: TaskLaunch) {
    this.cfg = cfg;
    this.host = host;
    this.launch = launch;
    this.killingState = hasCapability(launch.frameworkInfo, 'TASK_KILLING_STATE');
  }

  start(): void {
    const launch = this.launch!;
    this.launch = undefined;
    const { task, containerName, sandbox, allocationRole } = launch;
    const image = task.container?.docker?.image ?? '';
    const pulled = withDefaultTag(image);
    if (this.cfg.images && !this.cfg.images.includes(pulled)) {
      const repo = pulled.replace(/:[^:/]*$/, '');
      this.host.launchFailed(
        `Failed to run '${this.cfg.dockerPath} -H ${this.cfg.dockerHost} pull ${pulled}': exited with status 1; ` +
          `stderr='Error response from daemon: pull access denied for ${repo}, repository does not exist or may ` +
          `require 'docker login': denied: requested access to the resource is denied\n'`,
      );
      return;
    }
    if (!this.host.registered()) return;
    this.host.update({ state: 'TASK_STARTING' });
    const built = createRunOptions(task, { containerName, sandboxDirectory: sandbox, allocationRole });
    if ('error' in built) {
      this.finish(undefined, `Failed to create docker run options: ${built.error}`);
      return;
    }
    if (this.cfg.recordArgv) this.host.recordArgv(runArgv(built.options, this.cfg.dockerPath, this.cfg.dockerHost));
    if ('cliError' in toCreateOptions(built.options)) {
      this.finish(125);
      return;
    }
    const net = built.options.network;
    const ip = net !== 'host' && net !== 'none' ? this.cfg.nextBridgeIp() : undefined;
    let networkInfos: NetworkInfoMsg[] | undefined;
    if (ip) {
      const base = task.container?.network_infos?.[0];
      networkInfos = [{ ...(base ?? {}), ip_addresses: [{ protocol: 'IPv4', ip_address: ip }] }];
    }
    this.state = 'running';
    // Captured alone, so the TaskInfo is not kept alive until TASK_RUNNING is first sent.
    const containerId = launch.containerId;
    const options = built.options;
    const startedAt = new Date().toISOString();
    this.host.update({
      state: 'TASK_RUNNING',
      data: () => formatInspect(syntheticInspect(containerId, options, ip, startedAt)),
      networkInfos,
    });
    // A sim-mode container that ends by itself: MESOS_SIM_EXIT=<ms>:<code> in its environment (crash loops at scale).
    const exit = /^(\d+):(\d+)$/.exec(
      task.command?.environment?.variables?.find((v) => v.name === 'MESOS_SIM_EXIT')?.value ?? '',
    );
    if (exit) setTimeout(() => this.exit(Number(exit[2])), Number(exit[1])).unref();
  }

  exit(code: number): void {
    if (this.state !== 'running') return;
    this.finish(code);
  }

  kill(): void {
    if (this.killed || this.state === 'done') return;
    this.killed = true;
    if (this.killingState) this.host.update({ state: 'TASK_KILLING' });
    this.finish(this.cfg.killExitCode);
  }

  shutdown(): void {
    this.state = 'done';
    this.host.exited();
  }

  private finish(code: number | undefined, failure?: string): void {
    if (this.state === 'done') return;
    this.state = 'done';
    if (failure !== undefined) {
      this.host.update({ state: 'TASK_FAILED', message: failure });
    } else {
      const state = this.killed ? 'TASK_KILLED' : code === 0 ? 'TASK_FINISHED' : 'TASK_FAILED';
      this.host.update({ state, message: `Container exited with status ${code}` });
    }
    this.host.exited();
  }
}
