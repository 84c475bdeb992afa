// The docker executor's `docker run` for a TaskInfo, without running anything: Docker::RunOptions::create (with its
// failure texts, which become "Failed to create docker run options: …"), the argv the executor would exec, and the
// equivalent Docker Engine API create options. DockerInfo.parameters become `--key=value` flags; the ones the API
// mapping understands are translated, any other fails the way the docker CLI does ("unknown flag", exit 125).
import { posix as path } from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import type { NetworkInfoMsg, TaskInfoMsg } from './messages.js';
import { fromMilli, toMilli, type Range } from './resources.js';

export const MAPPED_SANDBOX = '/mnt/mesos/sandbox';
const MIN_CPU_SHARES = 2;
const MIN_MEMORY = 32 * 1024 * 1024;

export interface RunContext {
  containerName: string;
  sandboxDirectory: string;
  allocationRole: string;
}

export interface RunOptions {
  privileged: boolean;
  cpuShares?: number;
  cpuQuota?: number;
  memoryReservation?: number;
  memory?: number;
  env: Array<[string, string]>;
  volumes: string[];
  volumeDriver?: string;
  network: string;
  hostname?: string;
  portMappings: Array<{ hostPort: number; containerPort: number; protocol?: string }>;
  entrypoint?: string;
  name: string;
  additionalOptions: string[];
  image: string;
  arguments: string[];
}

/** Docker::RunOptions::create for a command task, using the task's own resources (as the executor does). */
export function createRunOptions(task: TaskInfoMsg, ctx: RunContext): { options: RunOptions } | { error: string } {
  const container = task.container;
  const docker = container?.docker;
  if (!container || !docker) return { error: 'No docker info found in container info' };
  const command = task.command ?? {};

  let cpusMilli: number | undefined;
  let memMilli: number | undefined;
  let ports: Range[] | undefined;
  for (const r of task.resources ?? []) {
    if (r.name === 'cpus' && r.type === 'SCALAR') cpusMilli = (cpusMilli ?? 0) + toMilli(r.scalar?.value ?? 0);
    if (r.name === 'mem' && r.type === 'SCALAR') memMilli = (memMilli ?? 0) + toMilli(r.scalar?.value ?? 0);
    if (r.name === 'ports' && r.type === 'RANGES') {
      ports = [...(ports ?? []), ...(r.ranges?.range ?? []).map((x) => [x.begin, x.end] as Range)];
    }
  }
  const cpus = cpusMilli === undefined ? undefined : fromMilli(cpusMilli);
  const memMb = memMilli === undefined ? undefined : fromMilli(memMilli);
  const hasResources = (task.resources ?? []).length > 0;
  const cpuLimit = task.limits?.cpus?.value;
  const memLimit = task.limits?.mem?.value;

  const o: RunOptions = {
    privileged: docker.privileged ?? false,
    env: [],
    volumes: [],
    network: 'host',
    portMappings: [],
    name: ctx.containerName,
    additionalOptions: [],
    image: docker.image,
    arguments: [],
  };
  if (cpus !== undefined) o.cpuShares = Math.max(Math.floor(1024 * cpus), MIN_CPU_SHARES);
  if (cpuLimit !== undefined && Number.isFinite(cpuLimit)) o.cpuQuota = Math.floor(Math.max(100_000 * cpuLimit, 1000));
  if (memLimit !== undefined) {
    if (Number.isFinite(memLimit)) o.memory = Math.max(Math.floor(memLimit) * 1024 * 1024, MIN_MEMORY);
    if (memMb !== undefined) o.memoryReservation = Math.max(Math.floor(memMb * 1024 * 1024), MIN_MEMORY);
  } else if (memMb !== undefined) {
    o.memory = Math.max(Math.floor(memMb * 1024 * 1024), MIN_MEMORY);
  }

  const env = new Map<string, string>();
  for (const v of command.environment?.variables ?? []) env.set(v.name, v.value ?? '');
  env.set('MESOS_SANDBOX', MAPPED_SANDBOX);
  env.set('MESOS_CONTAINER_NAME', ctx.containerName);
  if (hasResources) env.set('MESOS_ALLOCATION_ROLE', ctx.allocationRole);
  o.env = [...env.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  let volumeDriver: string | undefined;
  for (const volume of container.volumes ?? []) {
    let config = path.isAbsolute(volume.container_path)
      ? volume.container_path
      : path.join(MAPPED_SANDBOX, volume.container_path);
    const mode = volume.mode === 'RO' ? ':ro' : ':rw';
    if (volume.host_path !== undefined) {
      if (!path.isAbsolute(volume.host_path) && !path.isAbsolute(volume.container_path)) {
        return {
          error: `Both host_path '${volume.host_path}' and container_path '${volume.container_path}' of a volume are relative`,
        };
      }
      const host =
        !path.isAbsolute(volume.host_path) && docker.volume_driver === undefined
          ? path.join(ctx.sandboxDirectory, volume.host_path)
          : volume.host_path;
      config = `${host}:${config}${mode}`;
    } else if (volume.source) {
      if (volume.source.type !== 'DOCKER_VOLUME') continue; // only docker volumes make sense to docker
      const dv = volume.source.docker_volume;
      config = `${dv?.name ?? ''}:${config}${mode}`;
      if (dv?.driver !== undefined) {
        if (volumeDriver !== undefined && volumeDriver !== dv.driver)
          return { error: 'Only one volume driver is supported' };
        volumeDriver = dv.driver;
      }
    } else {
      return { error: 'Host path or volume source is required' };
    }
    o.volumes.push(config);
  }
  o.volumes.push(`${ctx.sandboxDirectory}:${MAPPED_SANDBOX}`);
  if (docker.volume_driver !== undefined) {
    if (volumeDriver !== undefined && volumeDriver !== docker.volume_driver) {
      return { error: 'Only one volume driver per task is supported' };
    }
    volumeDriver = docker.volume_driver;
  }
  o.volumeDriver = volumeDriver;

  switch (docker.network ?? 'HOST') {
    case 'HOST':
      o.network = 'host';
      break;
    case 'BRIDGE':
      o.network = 'bridge';
      break;
    case 'NONE':
      o.network = 'none';
      break;
    case 'USER': {
      const infos = container.network_infos ?? [];
      if (infos.length === 0) return { error: 'No network info found in container info' };
      if (infos.length > 1) return { error: 'Only a single network can be defined in Docker run' };
      if (infos[0]!.name === undefined) return { error: 'No network name found in network info' };
      o.network = infos[0]!.name;
      break;
    }
  }

  if (container.hostname !== undefined) {
    if (o.network === 'host') return { error: 'Unable to set hostname with host network mode' };
    o.hostname = container.hostname;
  }

  const mappings = docker.port_mappings ?? [];
  if (mappings.length > 0) {
    if (o.network === 'host' || o.network === 'none') {
      return { error: 'Port mappings are only supported for bridge and user-defined networks' };
    }
    if (!hasResources) return { error: 'Port mappings require resources' };
    if (!ports) return { error: 'Port mappings require port resources' };
    for (const m of mappings) {
      if (!ports.some(([b, e]) => m.host_port >= b && m.host_port <= e)) {
        return { error: `Port [${m.host_port}] not included in resources` };
      }
      o.portMappings.push({ hostPort: m.host_port, containerPort: m.container_port, protocol: m.protocol });
    }
  }

  let networkSpecified = false;
  for (const p of docker.parameters ?? []) {
    if (!networkSpecified && (p.key === 'net' || p.key === 'network')) {
      o.network = p.value;
      networkSpecified = true;
    } else {
      o.additionalOptions.push(`--${p.key}=${p.value}`);
    }
  }

  const shell = command.shell ?? true;
  if (shell) {
    o.entrypoint = '/bin/sh';
    if (command.value === undefined) return { error: 'Shell specified but no command value provided' };
    o.arguments.push('-c', command.value);
  } else {
    if (command.value !== undefined) o.arguments.push(command.value);
    o.arguments.push(...(command.arguments ?? []));
  }
  return { options: o };
}

/** The argv Docker::run would exec, with `docker -H <host>` in front, as the capture shows it. */
export function runArgv(o: RunOptions, dockerPath: string, dockerHost: string): string[] {
  const argv = [dockerPath, '-H', dockerHost, 'run'];
  if (o.privileged) argv.push('--privileged');
  if (o.cpuShares !== undefined) argv.push('--cpu-shares', String(o.cpuShares));
  if (o.cpuQuota !== undefined) argv.push('--cpu-quota', String(o.cpuQuota));
  if (o.memoryReservation !== undefined) argv.push('--memory-reservation', String(o.memoryReservation));
  if (o.memory !== undefined) argv.push('--memory', String(o.memory));
  for (const [k, v] of o.env) argv.push('-e', `${k}=${v}`);
  for (const v of o.volumes) argv.push('-v', v);
  if (o.volumeDriver !== undefined) argv.push(`--volume-driver=${o.volumeDriver}`);
  argv.push('--net', o.network);
  if (o.hostname !== undefined) argv.push('--hostname', o.hostname);
  for (const m of o.portMappings)
    argv.push('-p', `${m.hostPort}:${m.containerPort}${m.protocol ? `/${m.protocol.toLowerCase()}` : ''}`);
  if (o.entrypoint !== undefined) argv.push('--entrypoint', o.entrypoint);
  argv.push('--name', o.name, ...o.additionalOptions, o.image, ...o.arguments);
  return argv;
}

/** RAMInBytes as the docker CLI parses "512m", "1g", "1024" (bytes), "64mb". */
function parseBytes(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)b?$/i.exec(s.trim());
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[
    m[2]!.toLowerCase() as '' | 'k'
  ];
  return Math.floor(Number(m[1]) * unit);
}

const parseBool = (v: string): boolean => v === '' || v === 'true' || v === '1';

type Host = NonNullable<ContainerCreateOptions['HostConfig']> & Record<string, unknown>;

/**
 * The Engine API request that does what the argv does. Returns the docker CLI's complaint (what `docker run` prints
 * before exiting 125) for a flag it would refuse.
 */
export function toCreateOptions(o: RunOptions): { create: ContainerCreateOptions } | { cliError: string } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  const publish = (hostPort: string, containerPort: string, proto: string) => {
    const key = `${containerPort}/${proto.toLowerCase()}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: '', HostPort: hostPort });
  };
  for (const m of o.portMappings) publish(String(m.hostPort), String(m.containerPort), m.protocol ?? 'tcp');

  const host: Host = {
    Binds: [...o.volumes],
    NetworkMode: o.network,
    Privileged: o.privileged,
    PortBindings: bindings,
  };
  if (o.cpuShares !== undefined) host.CpuShares = o.cpuShares;
  if (o.cpuQuota !== undefined) host.CpuQuota = o.cpuQuota;
  if (o.memory !== undefined) host.Memory = o.memory;
  if (o.memoryReservation !== undefined) host.MemoryReservation = o.memoryReservation;
  if (o.volumeDriver !== undefined) host.VolumeDriver = o.volumeDriver;

  const create: ContainerCreateOptions = {
    name: o.name,
    Image: o.image,
    Env: o.env.map(([k, v]) => `${k}=${v}`),
    Labels: {},
    ExposedPorts: exposed,
    HostConfig: host,
  };
  if (o.hostname !== undefined) create.Hostname = o.hostname;
  if (o.entrypoint !== undefined) create.Entrypoint = [o.entrypoint];
  if (o.arguments.length > 0) create.Cmd = [...o.arguments];

  const list = (k: string): unknown[] => ((host[k] as unknown[] | undefined) ?? (host[k] = [])) as unknown[];
  const aliases: string[] = [];
  for (const flag of o.additionalOptions) {
    const eq = flag.indexOf('=');
    const key = flag.slice(2, eq);
    const value = flag.slice(eq + 1);
    switch (key) {
      case 'label':
      case 'l': {
        const i = value.indexOf('=');
        create.Labels![i < 0 ? value : value.slice(0, i)] = i < 0 ? '' : value.slice(i + 1);
        break;
      }
      case 'env':
      case 'e':
        create.Env!.push(value);
        break;
      case 'volume':
      case 'v':
        host.Binds!.push(value);
        break;
      case 'user':
      case 'u':
        create.User = value;
        break;
      case 'workdir':
      case 'w':
        create.WorkingDir = value;
        break;
      case 'entrypoint':
        create.Entrypoint = value === '' ? [''] : [value];
        break;
      case 'hostname':
      case 'h':
        create.Hostname = value;
        break;
      case 'add-host':
        list('ExtraHosts').push(value);
        break;
      case 'cap-add':
        list('CapAdd').push(value);
        break;
      case 'cap-drop':
        list('CapDrop').push(value);
        break;
      case 'dns':
        list('Dns').push(value);
        break;
      case 'dns-search':
        list('DnsSearch').push(value);
        break;
      case 'dns-opt':
      case 'dns-option':
        list('DnsOptions').push(value);
        break;
      case 'security-opt':
        list('SecurityOpt').push(value);
        break;
      case 'group-add':
        list('GroupAdd').push(value);
        break;
      case 'device':
        list('Devices').push({
          PathOnHost: value.split(':')[0],
          PathInContainer: value.split(':')[1] ?? value.split(':')[0],
          CgroupPermissions: value.split(':')[2] ?? 'rwm',
        });
        break;
      case 'memory':
      case 'm':
      case 'memory-swap':
      case 'memory-reservation':
      case 'shm-size': {
        const bytes = value === '-1' && key === 'memory-swap' ? -1 : parseBytes(value);
        if (bytes === undefined)
          return { cliError: `invalid argument "${value}" for "--${key}" flag: invalid size: '${value}'` };
        const field = {
          memory: 'Memory',
          m: 'Memory',
          'memory-swap': 'MemorySwap',
          'memory-reservation': 'MemoryReservation',
          'shm-size': 'ShmSize',
        }[key];
        host[field] = bytes;
        break;
      }
      case 'cpu-shares':
      case 'c':
        host.CpuShares = Number(value);
        break;
      case 'cpus':
        host.NanoCpus = Math.round(Number(value) * 1e9);
        break;
      case 'cpuset-cpus':
        host.CpusetCpus = value;
        break;
      case 'cpu-quota':
        host.CpuQuota = Number(value);
        break;
      case 'cpu-period':
        host.CpuPeriod = Number(value);
        break;
      case 'oom-kill-disable':
        host.OomKillDisable = parseBool(value);
        break;
      case 'oom-score-adj':
        host.OomScoreAdj = Number(value);
        break;
      case 'privileged':
        host.Privileged = parseBool(value);
        break;
      case 'read-only':
        host.ReadonlyRootfs = parseBool(value);
        break;
      case 'init':
        host.Init = parseBool(value);
        break;
      case 'pid':
        host.PidMode = value;
        break;
      case 'ipc':
        host.IpcMode = value;
        break;
      case 'uts':
        host.UTSMode = value;
        break;
      case 'restart': {
        const [name, count] = value.split(':');
        host.RestartPolicy = { Name: name ?? '', MaximumRetryCount: Number(count ?? 0) };
        break;
      }
      case 'log-driver':
        host.LogConfig = { Type: value, Config: (host.LogConfig as { Config?: object } | undefined)?.Config ?? {} };
        break;
      case 'log-opt': {
        const cfg = (host.LogConfig as { Type: string; Config: Record<string, string> } | undefined) ?? {
          Type: '',
          Config: {},
        };
        const i = value.indexOf('=');
        cfg.Config[value.slice(0, i)] = value.slice(i + 1);
        host.LogConfig = cfg;
        break;
      }
      case 'ulimit': {
        const [name, limits] = value.split('=');
        const [soft, hard] = (limits ?? '').split(':');
        list('Ulimits').push({ Name: name, Soft: Number(soft), Hard: Number(hard ?? soft) });
        break;
      }
      case 'tmpfs': {
        const i = value.indexOf(':');
        host.Tmpfs = { ...(host.Tmpfs ?? {}), [i < 0 ? value : value.slice(0, i)]: i < 0 ? '' : value.slice(i + 1) };
        break;
      }
      case 'sysctl': {
        const i = value.indexOf('=');
        host.Sysctls = { ...(host.Sysctls ?? {}), [value.slice(0, i)]: value.slice(i + 1) };
        break;
      }
      case 'stop-signal':
        create.StopSignal = value;
        break;
      case 'stop-timeout':
        create.StopTimeout = Number(value);
        break;
      case 'expose':
        exposed[value.includes('/') ? value : `${value}/tcp`] = {};
        break;
      case 'publish':
      case 'p': {
        const parts = value.split(':');
        const [cport, proto] = parts[parts.length - 1]!.split('/');
        publish(parts.length > 1 ? parts[parts.length - 2]! : '', cport!, proto ?? 'tcp');
        break;
      }
      case 'mac-address':
        create.MacAddress = value;
        break;
      case 'tty':
      case 't':
        create.Tty = parseBool(value);
        break;
      case 'interactive':
      case 'i':
        // The executor's `docker run` has its stdin on /dev/null: the container sees end-of-file at once.
        create.OpenStdin = parseBool(value);
        break;
      case 'domainname':
        create.Domainname = value;
        break;
      case 'network-alias':
        aliases.push(value);
        break;
      case 'link':
        list('Links').push(value.includes(':') ? value : `${value}:${value}`);
        break;
      case 'volumes-from':
        list('VolumesFrom').push(value);
        break;
      case 'mount': {
        const mount = parseMount(value);
        if (typeof mount === 'string') return { cliError: `invalid argument "${value}" for "--mount" flag: ${mount}` };
        list('Mounts').push(mount);
        break;
      }
      case 'pids-limit':
        host.PidsLimit = Number(value);
        break;
      case 'memory-swappiness':
        host.MemorySwappiness = Number(value);
        break;
      case 'kernel-memory': {
        const bytes = parseBytes(value);
        if (bytes === undefined)
          return { cliError: `invalid argument "${value}" for "--kernel-memory" flag: invalid size: '${value}'` };
        host.KernelMemory = bytes;
        break;
      }
      case 'cpuset-mems':
        host.CpusetMems = value;
        break;
      case 'blkio-weight':
        host.BlkioWeight = Number(value);
        break;
      case 'cgroup-parent':
        host.CgroupParent = value;
        break;
      case 'userns':
        host.UsernsMode = value;
        break;
      case 'runtime':
        host.Runtime = value;
        break;
      case 'volume-driver':
        host.VolumeDriver = value;
        break;
      case 'no-healthcheck':
        if (parseBool(value)) create.Healthcheck = { Test: ['NONE'] };
        break;
      case 'health-cmd':
        create.Healthcheck = { ...create.Healthcheck, Test: ['CMD-SHELL', value] };
        break;
      case 'health-interval':
      case 'health-timeout':
      case 'health-start-period': {
        const ns = parseDuration(value);
        if (ns === undefined) return { cliError: `invalid argument "${value}" for "--${key}" flag: invalid duration` };
        const field = {
          'health-interval': 'Interval',
          'health-timeout': 'Timeout',
          'health-start-period': 'StartPeriod',
        }[key] as 'Interval' | 'Timeout' | 'StartPeriod';
        create.Healthcheck = { ...create.Healthcheck, [field]: ns };
        break;
      }
      case 'health-retries':
        create.Healthcheck = { ...create.Healthcheck, Retries: Number(value) };
        break;
      case 'net':
      case 'network':
        host.NetworkMode = value; // a second one: docker would complain only with conflicting modes
        break;
      default:
        return { cliError: `unknown flag: --${key}\nSee 'docker run --help'.\n` };
    }
  }
  // `--network-alias` belongs to the network the container joins (the daemon refuses it on the default bridge).
  if (aliases.length) {
    create.NetworkingConfig = { EndpointsConfig: { [String(host.NetworkMode)]: { Aliases: aliases } } };
  }
  return { create };
}

/** The docker CLI's `--mount type=…,source=…,target=…[,readonly]`; a string is its complaint. */
function parseMount(spec: string): Record<string, unknown> | string {
  const mount: Record<string, unknown> = { Type: 'volume' };
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : field.slice(eq + 1);
    if (key === 'type') mount.Type = value;
    else if (key === 'source' || key === 'src') mount.Source = value;
    else if (key === 'target' || key === 'dst' || key === 'destination') mount.Target = value;
    else if (key === 'readonly' || key === 'ro') mount.ReadOnly = parseBool(value);
    else return `unexpected key '${key}' in '${field}'`;
  }
  return mount.Target ? mount : 'target is required';
}

/** Go's time.ParseDuration for the units `docker run` flags use; nanoseconds. */
function parseDuration(s: string): number | undefined {
  const unit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let rest = s.trim();
  if (!rest) return undefined;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Docker::pull appends ":latest" when the last path component has no tag. */
export function withDefaultTag(image: string): string {
  const last = image.split('/').pop() ?? image;
  return last.includes(':') ? image : `${image}:latest`;
}

/** `docker inspect` prints the array indented by four spaces, with Go's HTML-safe escapes, and a final newline. */
export function formatInspect(obj: unknown): Buffer {
  const text = JSON.stringify([obj], null, 4)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return Buffer.from(`${text}\n`);
}

/** The executor's network_infos for TASK_RUNNING: the container's own address on a bridge or user network. */
export function containerNetworkInfos(inspect: unknown, task: TaskInfoMsg): NetworkInfoMsg[] | undefined {
  const info = inspect as {
    HostConfig?: { NetworkMode?: string };
    NetworkSettings?: {
      IPAddress?: string;
      Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string }>;
    };
  };
  const mode = info.HostConfig?.NetworkMode ?? '';
  const net = info.NetworkSettings?.Networks?.[mode];
  const ip4 = net ? net.IPAddress : info.NetworkSettings?.IPAddress;
  const ip6 = net?.GlobalIPv6Address;
  if (!ip4 && !ip6) return undefined;
  const base = task.container?.network_infos?.[0];
  const ni: NetworkInfoMsg = { ...(base ?? {}), ip_addresses: [] };
  if (ip4) ni.ip_addresses!.push({ protocol: 'IPv4', ip_address: ip4 });
  if (ip6) ni.ip_addresses!.push({ protocol: 'IPv6', ip_address: ip6 });
  return [ni];
}
