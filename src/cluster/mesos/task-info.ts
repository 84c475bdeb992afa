// Container config → Mesos TaskInfo for the Docker containerizer (reference: classic-swarm §1.7, protocol §4.6 and
// §7). Every field a Docker client can send is either carried over (as a DockerInfo field, a CommandInfo field, or
// a `docker run` parameter) or refused with a message naming it: nothing the client asked for is silently dropped.
// In two steps: `compileTaskTemplate` reads and checks the config once, at create (so what Mesos cannot do is a 400
// then, not a failure at start); `taskInfo` fills in what only a launch knows — task and agent IDs, the resources
// carved from the offers, the host ports, the Docker names of the containers this one depends on — and the
// container's name as it is at launch (a rename changes it). Pure.
import type {
  CommandInfo,
  ContainerInfo,
  DockerInfo,
  Parameter,
  PortMapping,
  Resource,
  TaskInfo,
} from '../../mesos/index.js';
import type { CreateBody } from '../cluster.js';
import { badParameter } from '../../errors.js';
import { SWARM_ID_LABEL } from '../../scheduler/index.js';
import { healthSpecOf, type HealthSpec } from './health.js';
import { restartPolicyOf } from './restart-policy.js';

export const MESOS_NAME_LABEL = 'com.docker.swarm.mesos.name';
export const MESOS_TASK_LABEL = 'com.docker.swarm.mesos.task';

/** Docker's default stop timeout, used as the kill grace period when the container sets none. */
const DEFAULT_STOP_SECONDS = 10;

/** A `docker run` parameter, or one naming a container this one depends on, resolved at launch. */
type Slot =
  Parameter | { readonly key: string; readonly ref: string; readonly prefix?: string; readonly suffix?: string };

/** What a launch adds to a template. */
export interface TaskLaunch {
  readonly taskId: string;
  readonly agentId: string;
  readonly managerId: string;
  readonly name: string;
  /** Resources consumed from the offers, exactly (cpus, mem, ports). */
  readonly resources: readonly Resource[];
  /** Container port (`80/tcp`) → allocated host port, for bridge networking. */
  readonly hostPorts: ReadonlyMap<string, number>;
  /** Docker name (`mesos-<uuid>`) of each container this one links to, shares volumes or a network with. */
  readonly dockerNames: ReadonlyMap<string, string>;
}

/** A create config read and checked for Mesos, everything but what a launch supplies. */
export interface TaskTemplate {
  readonly image: string;
  readonly network: NonNullable<DockerInfo['network']>;
  readonly privileged: boolean;
  readonly hostname: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** `--net container:<docker name>` or `--network <user network>`, before the aliases as `docker run` reads them. */
  readonly networkSlots: readonly Slot[];
  /** A user network: the manager's name and short ID are added as aliases (see taskInfo). */
  readonly userNetwork: boolean;
  readonly aliases: readonly string[];
  readonly slots: readonly Slot[];
  readonly command: CommandInfo;
  readonly stopSeconds: number;
  /** Docker's HEALTHCHECK as Mesos' health check (health.ts); undefined for none or `NONE`. */
  readonly health: HealthSpec | undefined;
}

type Host = NonNullable<CreateBody['HostConfig']> & Record<string, unknown>;

/** Reads a create config into a template; throws a 400 naming what Mesos cannot do. */
export function compileTaskTemplate(config: CreateBody, portCount: number): TaskTemplate {
  const host = (config.HostConfig ?? {}) as Host;
  const slots: Slot[] = [];
  const param = (key: string, value: unknown) => slots.push({ key, value: String(value) });
  const networkSlots: Slot[] = [];
  let network: TaskTemplate['network'] = 'BRIDGE';
  const mode = String(host.NetworkMode ?? '');
  if (mode === 'host') network = 'HOST';
  else if (mode === 'none') network = 'NONE';
  else if (mode.startsWith('container:')) {
    network = 'NONE';
    networkSlots.push({ key: 'net', ref: mode.slice('container:'.length), prefix: 'container:' });
  } else if (mode !== '' && mode !== 'default' && mode !== 'bridge') {
    // A user-defined network: the executor's `--net` is overridden by this parameter (protocol §7.6).
    networkSlots.push({ key: 'network', value: mode });
  }
  const endpoints = (config.NetworkingConfig as { EndpointsConfig?: Record<string, { Aliases?: string[] | null }> })
    ?.EndpointsConfig;
  const aliases: string[] = [];
  for (const [name, endpoint] of Object.entries(endpoints ?? {})) {
    if (name !== mode && !(mode === '' && name === 'bridge')) {
      throw badParameter(`connecting to a second network (${name}) at create is not supported by the mesos driver`);
    }
    aliases.push(...(endpoint?.Aliases ?? []));
  }
  if (config.Hostname && network === 'HOST') throw badParameter('Conflicting options: hostname and the network mode');
  if (config.Domainname) param('domainname', config.Domainname);
  if (portCount > 0 && network !== 'BRIDGE') {
    throw badParameter('published ports need bridge or user-defined networking, not host or none');
  }
  mapHostConfig(host, slots);
  mapContainerConfig(config, param);
  const command = commandInfo(config, param);
  return {
    image: String(config.Image),
    network,
    privileged: Boolean(host.Privileged),
    hostname: config.Hostname ? String(config.Hostname) : undefined,
    labels: config.Labels ?? {},
    networkSlots,
    userNetwork: networkSlots.some((p) => p.key === 'network'),
    aliases,
    slots,
    command,
    stopSeconds: stopSeconds(config),
    health: healthSpecOf(config, restartPolicyOf(config).name !== 'no'),
  };
}

/** The TaskInfo for one launch of a template; throws a 400 when a container it depends on is not on the agent. */
export function taskInfo(template: TaskTemplate, launch: TaskLaunch): TaskInfo {
  const parameters: Parameter[] = [];
  const labels: Record<string, string> = {
    ...template.labels,
    [SWARM_ID_LABEL]: launch.managerId,
    [MESOS_NAME_LABEL]: launch.name,
    [MESOS_TASK_LABEL]: launch.taskId,
  };
  for (const key of Object.keys(labels).sort()) parameters.push({ key: 'label', value: `${key}=${labels[key]}` });
  for (const slot of template.networkSlots) parameters.push(resolve(slot, launch));
  // On a user network dockerd lets other containers reach a container by its name and short ID. The engine knows
  // this one as mesos-<uuid> under another ID, so the manager's name and ID go in as aliases.
  const aliases = [...template.aliases];
  if (template.userNetwork) {
    for (const alias of [launch.name, launch.managerId.slice(0, 12)]) if (!aliases.includes(alias)) aliases.push(alias);
  }
  for (const alias of aliases) parameters.push({ key: 'network-alias', value: alias });
  for (const slot of template.slots) parameters.push(resolve(slot, launch));

  const docker: DockerInfo = { image: template.image, network: template.network, force_pull_image: false };
  const mappings: PortMapping[] = [];
  for (const [key, hostPort] of launch.hostPorts) {
    const [port, protocol = 'tcp'] = key.split('/');
    mappings.push({ host_port: hostPort, container_port: Number(port), protocol });
  }
  if (mappings.length) docker.port_mappings = mappings;
  if (template.privileged) docker.privileged = true;
  docker.parameters = parameters;
  const container: ContainerInfo = { type: 'DOCKER', docker };
  if (template.hostname !== undefined) container.hostname = template.hostname;
  return {
    name: launch.name,
    task_id: { value: launch.taskId },
    agent_id: { value: launch.agentId },
    resources: [...launch.resources],
    command: template.command,
    container,
    labels: { labels: [{ key: 'SWARM_CONTAINER_NAME', value: launch.name }] },
    kill_policy: { grace_period: { nanoseconds: template.stopSeconds * 1e9 } },
    ...(template.health ? { health_check: template.health.check } : {}),
  };
}

function resolve(slot: Slot, launch: TaskLaunch): Parameter {
  if ('value' in slot) return slot;
  const name = launch.dockerNames.get(slot.ref);
  if (!name) throw badParameter(`container ${slot.ref} is not running on the chosen node`);
  return { key: slot.key, value: `${slot.prefix ?? ''}${name}${slot.suffix ?? ''}` };
}

/** Seconds `docker stop` waits by default for this container. */
export function stopSeconds(config: CreateBody): number {
  const timeout = Number(config.StopTimeout ?? NaN);
  return Number.isFinite(timeout) && timeout >= 0 ? timeout : DEFAULT_STOP_SECONDS;
}

/**
 * Entrypoint and Cmd with the Docker containerizer's rules: `shell: false` puts `value` then `arguments` after the
 * image (they replace CMD; the image's ENTRYPOINT stays), and `--entrypoint` takes a single executable. So an
 * entrypoint [e0, e1…] becomes `--entrypoint=e0` with e1… prepended to the command.
 */
function commandInfo(config: CreateBody, param: (key: string, value: unknown) => void): CommandInfo {
  const entrypoint = asList(config.Entrypoint);
  const cmd = asList(config.Cmd);
  const command: CommandInfo = { shell: false };
  let argv = cmd ?? [];
  if (entrypoint !== undefined) {
    param('entrypoint', entrypoint[0] ?? '');
    argv = [...entrypoint.slice(1), ...(cmd ?? [])];
  }
  if (argv.length) {
    command.value = argv[0];
    command.arguments = argv.slice(1);
  }
  const env = (config.Env ?? []).filter((e) => e.includes('='));
  if (env.length) {
    command.environment = {
      variables: env.map((entry) => {
        const eq = entry.indexOf('=');
        return { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
      }),
    };
  }
  // A bare `-e NAME` (take it from the client's environment) arrives without `=`: docker passes it through.
  for (const bare of (config.Env ?? []).filter((e) => !e.includes('='))) param('env', bare);
  return command;
}

function asList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  throw badParameter('invalid command: expected a string or a list of strings');
}

type Param = (key: string, value: unknown) => void;

/** Container-level fields: each is mapped to its `docker run` flag, or refused. */
function mapContainerConfig(config: CreateBody, param: Param): void {
  const c = config as Record<string, unknown>;
  if (c.User) param('user', c.User);
  if (c.WorkingDir) param('workdir', c.WorkingDir);
  if (c.Tty) param('tty', 'true');
  if (c.OpenStdin) {
    // The Docker containerizer runs `docker run` with its stdin on /dev/null: the container's stdin would be at
    // end-of-file before anyone could attach to it.
    throw badParameter(
      'interactive containers (docker run -i) are not supported by the mesos driver: Mesos starts the container without a stdin to attach to; use docker exec -i on a running container',
    );
  }
  if (c.StopSignal) param('stop-signal', c.StopSignal);
  if (c.MacAddress) param('mac-address', c.MacAddress);
  for (const path of Object.keys((c.Volumes as Record<string, unknown> | null) ?? {})) param('volume', path);
  for (const port of Object.keys((c.ExposedPorts as Record<string, unknown> | null) ?? {})) param('expose', port);
  // A check is Mesos' (the TaskInfo's health_check, see health.ts), never dockerd's: the agent's Docker would run it
  // a second time, and an image's HEALTHCHECK the manager did not read would run there unseen.
  param('no-healthcheck', 'true');
  if (c.OnBuild && (c.OnBuild as unknown[]).length) throw badParameter('OnBuild is not supported by the mesos driver');
}

/** HostConfig fields: resources are allocated by the caller; the rest become `docker run` flags or are refused. */
function mapHostConfig(host: Host, slots: Slot[]): void {
  const param: Param = (key, value) => slots.push({ key, value: String(value) });
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  for (const bind of list(host.Binds)) param('volume', bind);
  for (const mount of list(host.Mounts)) param('mount', mountSpec(mount as Record<string, unknown>));
  for (const [path, options] of Object.entries((host.Tmpfs as Record<string, string> | null) ?? {})) {
    param('tmpfs', options ? `${path}:${options}` : path);
  }
  for (const from of list(host.VolumesFrom)) {
    const [ref, mode] = String(from).split(':');
    slots.push({ key: 'volumes-from', ref: ref!, suffix: mode ? `:${mode}` : '' });
  }
  for (const link of list(host.Links)) {
    const [ref, alias] = String(link).split(':');
    const target = ref!.replace(/^\//, '');
    slots.push({ key: 'link', ref: target, suffix: `:${alias ?? target}` });
  }
  for (const cap of list(host.CapAdd)) param('cap-add', cap);
  for (const cap of list(host.CapDrop)) param('cap-drop', cap);
  for (const device of list(host.Devices)) {
    const d = device as { PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string };
    param('device', [d.PathOnHost, d.PathInContainer || d.PathOnHost, d.CgroupPermissions || 'rwm'].join(':'));
  }
  for (const server of list(host.Dns)) param('dns', server);
  for (const search of list(host.DnsSearch)) param('dns-search', search);
  for (const option of list(host.DnsOptions)) param('dns-option', option);
  for (const entry of list(host.ExtraHosts)) param('add-host', entry);
  for (const group of list(host.GroupAdd)) param('group-add', group);
  for (const option of list(host.SecurityOpt)) param('security-opt', option);
  for (const u of list(host.Ulimits)) {
    const ul = u as { Name: string; Soft: number; Hard: number };
    param('ulimit', `${ul.Name}=${ul.Soft}:${ul.Hard}`);
  }
  for (const [key, value] of Object.entries((host.Sysctls as Record<string, string> | null) ?? {})) {
    param('sysctl', `${key}=${value}`);
  }
  const log = host.LogConfig as { Type?: string; Config?: Record<string, string> } | undefined;
  if (log?.Type) param('log-driver', log.Type);
  for (const [key, value] of Object.entries(log?.Config ?? {})) param('log-opt', `${key}=${value}`);
  const scalar: [string, string][] = [
    ['ShmSize', 'shm-size'],
    ['PidsLimit', 'pids-limit'],
    ['MemorySwap', 'memory-swap'],
    ['MemoryReservation', 'memory-reservation'],
    ['MemorySwappiness', 'memory-swappiness'],
    ['KernelMemory', 'kernel-memory'],
    ['CpusetCpus', 'cpuset-cpus'],
    ['CpusetMems', 'cpuset-mems'],
    ['CpuPeriod', 'cpu-period'],
    ['CpuQuota', 'cpu-quota'],
    ['BlkioWeight', 'blkio-weight'],
    ['OomScoreAdj', 'oom-score-adj'],
    ['PidMode', 'pid'],
    ['IpcMode', 'ipc'],
    ['UTSMode', 'uts'],
    ['UsernsMode', 'userns'],
    ['CgroupParent', 'cgroup-parent'],
    ['Runtime', 'runtime'],
    ['VolumeDriver', 'volume-driver'],
  ];
  for (const [field, flag] of scalar) {
    const value = host[field];
    if (
      value !== undefined &&
      value !== null &&
      value !== '' &&
      value !== 0 &&
      !(field === 'MemorySwappiness' && value === -1)
    ) {
      param(flag, value);
    }
  }
  if (host.ReadonlyRootfs) param('read-only', 'true');
  if (host.Init) param('init', 'true');
  if (host.OomKillDisable) param('oom-kill-disable', 'true');
  // PublishAllPorts needs nothing here: Mesos allocates host ports itself, and the need maps every exposed port.
  // RestartPolicy is not passed on: the manager restarts (restart-policy.ts); a dockerd restarting the container
  // itself would do it behind Mesos' back.
  for (const field of [
    'BlkioWeightDevice',
    'BlkioDeviceReadBps',
    'BlkioDeviceWriteBps',
    'BlkioDeviceReadIOps',
    'BlkioDeviceWriteIOps',
    'DeviceCgroupRules',
    'DeviceRequests',
  ]) {
    if (list(host[field]).length) throw badParameter(`${field} is not supported by the mesos driver`);
  }
  for (const [key, value] of Object.entries(host.PortBindings ?? {})) {
    for (const binding of value ?? []) {
      if (binding.HostIp && binding.HostIp !== '0.0.0.0' && binding.HostIp !== '::') {
        throw badParameter(`publishing ${key} on a specific host IP (${binding.HostIp}) is not supported by Mesos`);
      }
    }
  }
}

function mountSpec(mount: Record<string, unknown>): string {
  const parts = [`type=${String(mount.Type ?? 'volume')}`];
  if (mount.Source) parts.push(`source=${String(mount.Source)}`);
  parts.push(`target=${String(mount.Target)}`);
  if (mount.ReadOnly) parts.push('readonly');
  return parts.join(',');
}
