// What the schemas cannot say about a container body, checked after them with dockerd's own rules and words
// (daemon/container.go, daemon/daemon_unix.go, volume/mounts/linux_parser.go, go-connections/nat at 20.10):
// the bind and mount grammar, port specs, restart policies, ulimits, and the resource values dockerd refuses. Where
// 20.10 answers these with a 500 (bind modes, port specs) or never answers (a null ulimit), or where the mesos driver
// would only find out on the agent, the client gets the 400 here, before anything is recorded or sent.
import { isIP } from 'node:net';
import { badParameter } from '../../errors.js';
import type { ContainerCreateBody, ContainerUpdateBody } from './container.js';

type Host = NonNullable<ContainerCreateBody['HostConfig']>;
type Resources = ContainerUpdateBody;

const MiB = 1024 * 1024;

export function containerCreateRules(body: ContainerCreateBody): void {
  const host = body.HostConfig ?? {};
  for (const [i, bind] of (host.Binds ?? []).entries()) checkBind(bind, `HostConfig.Binds[${i}]`);
  for (const [i, mount] of (host.Mounts ?? []).entries()) checkMount(mount, `HostConfig.Mounts[${i}]`);
  for (const path of Object.keys(host.Tmpfs ?? {})) checkTarget(path, `HostConfig.Tmpfs["${path}"]`);
  for (const port of Object.keys(body.ExposedPorts ?? {})) checkPortKey(port, 'ExposedPorts');
  for (const [port, bindings] of Object.entries(host.PortBindings ?? {})) {
    checkPortKey(port, 'HostConfig.PortBindings');
    for (const binding of bindings ?? []) checkPortBinding(port, binding);
  }
  checkRestartPolicy(host.RestartPolicy, host.AutoRemove === true);
  checkResources(host, 'HostConfig');
  for (const [i, link] of (host.Links ?? []).entries()) {
    if (!/^\/?[^:]+(:[^:]+)?$/.test(link))
      throw badParameter(`invalid HostConfig.Links[${i}]: ${link}: expected name or name:alias`);
  }
  for (const [i, from] of (host.VolumesFrom ?? []).entries()) {
    if (!/^[^:]+(:(ro|rw|z|Z)(,(ro|rw|z|Z))?)?$/.test(from)) {
      throw badParameter(`invalid HostConfig.VolumesFrom[${i}]: ${from}: expected container[:ro|rw]`);
    }
  }
}

export function containerUpdateRules(body: ContainerUpdateBody): void {
  checkResources(body, 'body');
  checkRestartPolicy(body.RestartPolicy, false);
}

// --- binds and mounts ----------------------------------------------------------------------------------------

const RW = ['rw', 'ro'];
const LABEL = ['z', 'Z'];
const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
const COPY = ['nocopy'];
const CONSISTENCY = ['consistent', 'cached', 'delegated'];
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** linuxValidMountMode: a comma list with at most one of each kind of option. */
function validMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = new Map<string[], number>();
  for (const option of mode.split(',')) {
    const kind = [RW, LABEL, PROPAGATION, COPY, CONSISTENCY].find((k) => k.includes(option));
    if (!kind) return false;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts.values()].every((n) => n === 1);
}

/** `[source:]target[:mode]`, as dockerd's ParseMountRaw reads it. */
function checkBind(spec: string, field: string): void {
  const invalid = (why?: string) =>
    badParameter(`invalid ${field}: invalid volume specification: '${spec}'${why ? `: ${why}` : ''}`);
  const parts = spec.split(':');
  if (parts.length > 3 || parts[0] === '') throw invalid();
  let source = '';
  let target: string;
  if (parts.length === 1) target = parts[0]!;
  else {
    // `/target:rw` is not a bind: a volume has no mode without a source.
    if (parts.length === 2 && validMode(parts[1]!)) throw invalid();
    source = parts[0]!;
    target = parts[1]!;
    const mode = parts[2] ?? '';
    if (!validMode(mode)) throw badParameter(`invalid ${field}: invalid mode: ${mode}`);
  }
  if (!target.startsWith('/')) throw invalid(`invalid mount path: '${target}' mount path must be absolute`);
  if (target.replace(/\/+$/, '') === '') throw invalid("invalid specification: destination can't be '/'");
  if (source !== '' && !source.startsWith('/') && !VOLUME_NAME.test(source)) {
    throw invalid(
      `"${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed`,
    );
  }
}

function checkTarget(target: string, field: string): void {
  if (!target.startsWith('/'))
    throw badParameter(`invalid ${field}: invalid mount path: '${target}' mount path must be absolute`);
  if (target.replace(/\/+$/, '') === '')
    throw badParameter(`invalid ${field}: invalid specification: destination can't be '/'`);
}

type Mount = NonNullable<Host['Mounts']>[number];

/** dockerd's validateMountConfig for Linux (without the bind source existence check, which is the engine's). */
function checkMount(mount: Mount, field: string): void {
  const fail = (why: string) => badParameter(`invalid ${field}: ${why}`);
  if (!mount.Target) throw fail('Field Target must not be empty');
  checkTarget(mount.Target, `${field}.Target`);
  if (mount.Consistency && ![...CONSISTENCY, 'default'].includes(mount.Consistency)) {
    throw fail(`invalid consistency: ${mount.Consistency}`);
  }
  switch (mount.Type) {
    case 'bind':
      if (!mount.Source) throw fail('Field Source must not be empty');
      if (!mount.Source.startsWith('/'))
        throw fail(`invalid mount path: '${mount.Source}' mount path must be absolute`);
      if (mount.VolumeOptions) throw fail('Field VolumeOptions must not be specified');
      if (mount.BindOptions?.Propagation && !PROPAGATION.includes(mount.BindOptions.Propagation)) {
        throw fail(`invalid propagation mode: ${mount.BindOptions.Propagation}`);
      }
      break;
    case 'volume':
      if (mount.BindOptions) throw fail('Field BindOptions must not be specified');
      if (!mount.Source && mount.ReadOnly) throw fail('must not set ReadOnly mode when using anonymous volumes');
      if (mount.Source && !VOLUME_NAME.test(mount.Source)) throw fail(`invalid volume name: ${mount.Source}`);
      break;
    case 'tmpfs':
      if (mount.BindOptions) throw fail('Field BindOptions must not be specified');
      if (mount.Source) throw fail('Field Source must not be specified');
      break;
    default:
      throw fail(`mount type unknown: "${mount.Type ?? ''}" (expected bind, volume or tmpfs)`);
  }
}

// --- ports ---------------------------------------------------------------------------------------------------

const PORT_KEY = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/;

function portNumber(text: string): number | undefined {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= 65_535 ? n : undefined;
}

/** `80`, `80/tcp`, `53/udp`, `7000-7010/tcp`: nat.ParsePort's grammar. */
function checkPortKey(key: string, field: string): void {
  const match = PORT_KEY.exec(key);
  const [begin, end] = match ? [portNumber(match[1]!), match[2] === undefined ? 0 : portNumber(match[2])] : [];
  if (!match || begin === undefined || end === undefined || (end !== 0 && end < begin)) {
    throw badParameter(`invalid ${field}: invalid port specification: "${key}" (expected port[/tcp|udp|sctp])`);
  }
}

function checkPortBinding(key: string, binding: { HostIp?: string; HostPort?: string }): void {
  const field = `HostConfig.PortBindings["${key}"]`;
  const hostPort = binding.HostPort ?? '';
  if (hostPort !== '') {
    const [begin, end, extra] = hostPort.split('-');
    const a = portNumber(begin!);
    const b = end === undefined ? a : portNumber(end);
    if (a === undefined || b === undefined || b < a || extra !== undefined) {
      throw badParameter(`invalid ${field}.HostPort: invalid hostPort: ${hostPort}`);
    }
  }
  const ip = binding.HostIp ?? '';
  if (ip !== '' && !isIP(ip.replace(/^\[|\]$/g, ''))) {
    throw badParameter(`invalid ${field}.HostIp: invalid IP address: ${ip}`);
  }
}

// --- restart policy, resources ---------------------------------------------------------------------------------

const RESTART_POLICIES = ['', 'no', 'always', 'unless-stopped', 'on-failure'];

function checkRestartPolicy(policy: Host['RestartPolicy'], autoRemove: boolean): void {
  const name = policy?.Name ?? '';
  if (!RESTART_POLICIES.includes(name)) throw badParameter(`invalid restart policy '${name}'`);
  if ((policy?.MaximumRetryCount ?? 0) > 0 && name !== 'on-failure') {
    throw badParameter(`maximum retry count cannot be used with restart policy '${name}'`);
  }
  if (autoRemove && name !== '' && name !== 'no') {
    throw badParameter("can't create 'AutoRemove' container with restart policy");
  }
}

const ULIMITS = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

function checkResources(resources: Resources, at: string): void {
  const field = (name: string) => (at === 'body' ? name : `${at}.${name}`);
  for (const [i, limit] of (resources.Ulimits ?? []).entries()) {
    if (!ULIMITS.has(limit.Name ?? '')) {
      throw badParameter(`invalid ${field(`Ulimits[${i}]`)}: invalid ulimit type: ${limit.Name ?? ''}`);
    }
    if ((limit.Soft ?? 0) > (limit.Hard ?? 0)) {
      throw badParameter(
        `invalid ${field(`Ulimits[${i}]`)}: ulimit soft limit must be less than or equal to hard limit: ${limit.Soft} > ${limit.Hard}`,
      );
    }
  }
  const memory = resources.Memory ?? 0;
  if (memory > 0 && memory < 6 * MiB) throw badParameter('Minimum memory limit allowed is 6MB');
  const reservation = resources.MemoryReservation ?? 0;
  if (reservation > 0 && reservation < 6 * MiB) throw badParameter('Minimum memory reservation allowed is 6MB');
  const swap = resources.MemorySwap ?? 0;
  if (memory > 0 && swap > 0 && swap < memory) {
    throw badParameter('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if ((resources.NanoCpus ?? 0) > 0 && ((resources.CpuPeriod ?? 0) > 0 || (resources.CpuQuota ?? 0) > 0)) {
    throw badParameter('Conflicting options: Nano CPUs and CPU Period or Quota cannot both be set');
  }
  const weight = resources.BlkioWeight ?? 0;
  if (weight !== 0 && weight < 10) throw badParameter('Range of blkio weight is from 10 to 1000');
  for (const [i, device] of (resources.BlkioWeightDevice ?? []).entries()) {
    const w = device.Weight ?? 0;
    if (w !== 0 && (w < 10 || w > 1000)) {
      throw badParameter(`invalid ${field(`BlkioWeightDevice[${i}]`)}: Range of blkio weight is from 10 to 1000`);
    }
  }
}
