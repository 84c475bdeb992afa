// `--replication` checked once at start-up: the advertised address, the session timeout (`--replication-ttl`), and
// where the election lives. Mesos mode: on the ensemble of a `zk://` master (or `mesos.zk` for a `host:port` one),
// at `/mesoswarm/<mesos.name>/leader` unless `mesos.leaderpath` (or a path in `mesos.zk`) says otherwise. Native
// mode: beside the engines of a `zk://` discovery, at `<path>/docker/swarm/leader` as classic Swarm kept it.
import { splitHostPort } from '../discovery/address.js';
import { leaderPath, zookeeperTarget } from '../discovery/zookeeper.js';
import { parseDuration } from '../util/duration.js';
import type { ClusterDriverName, ClusterOptionKey } from '../cluster/options.js';

export interface ReplicationConfig {
  readonly advertise: string;
  readonly ttlMs: number;
  readonly servers: string;
  readonly auth?: { readonly user: string; readonly password: string };
  readonly path: string;
}

export interface ReplicationFlags {
  readonly replication?: boolean;
  readonly replicationTtl?: string;
  readonly advertise?: string;
}

export const DEFAULT_REPLICATION_TTL = '20s';

export function replicationConfig(
  flags: ReplicationFlags,
  driver: ClusterDriverName,
  options: ReadonlyMap<ClusterOptionKey, number | boolean | string>,
  discovery: string | undefined,
): ReplicationConfig | undefined {
  if (!flags.replication) {
    if (flags.replicationTtl !== undefined) throw new Error('--replication-ttl needs --replication');
    if (flags.advertise !== undefined) throw new Error('--advertise needs --replication');
    return undefined;
  }
  if (!flags.advertise) {
    throw new Error('--replication needs --advertise host:port: the address other managers reach this one at');
  }
  const { host, port } = splitHostPort(flags.advertise.replace(/^tcp:\/\//, ''), `--advertise ${flags.advertise}`);
  const advertise = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let ttlMs: number;
  try {
    ttlMs = parseDuration(flags.replicationTtl ?? DEFAULT_REPLICATION_TTL);
  } catch {
    throw new Error(`invalid --replication-ttl "${flags.replicationTtl}": expected a duration such as 20s`);
  }
  if (ttlMs <= 0) throw new Error('--replication-ttl should be a positive duration');
  const where = driver === 'swarm' ? nativeElection(discovery) : mesosElection(options, discovery);
  return { advertise, ttlMs, ...where };
}

function nativeElection(discovery: string | undefined): Omit<ReplicationConfig, 'advertise' | 'ttlMs'> {
  if (!discovery?.startsWith('zk://')) {
    throw new Error(
      'leader election needs ZooKeeper: with --replication the swarm driver takes a zk://host:2181/path discovery',
    );
  }
  const target = zookeeperTarget(discovery);
  return { servers: target.servers, path: leaderPath(target), ...(target.auth ? { auth: target.auth } : {}) };
}

function mesosElection(
  options: ReadonlyMap<ClusterOptionKey, number | boolean | string>,
  master: string | undefined,
): Omit<ReplicationConfig, 'advertise' | 'ttlMs'> {
  const name = String(options.get('mesos.name') ?? 'swarm');
  const given = options.get('mesos.zk') as string | undefined;
  const ensemble = given ?? (master?.trim().startsWith('zk://') ? master.trim() : undefined);
  if (!ensemble) {
    throw new Error(
      'leader election needs ZooKeeper: with --replication give a zk://…/mesos master, or --cluster-opt mesos.zk=zk://host:2181 with a host:port master',
    );
  }
  const target = parseEnsemble(ensemble);
  const explicit = options.get('mesos.leaderpath') as string | undefined;
  if (explicit !== undefined && !/^\/[^\0]*[^/]$/.test(explicit)) {
    throw new Error(`invalid --cluster-opt mesos.leaderpath "${explicit}": expected an absolute znode path`);
  }
  const path = explicit ?? (given && target.path ? target.path : `/mesoswarm/${name}/leader`);
  return { servers: target.servers, path, ...(target.auth ? { auth: target.auth } : {}) };
}

/** `zk://[user:pass@]h1:2181,h2:2181[/path]`: the master's form, with the path optional. */
function parseEnsemble(uri: string): { servers: string; path: string; auth?: ReplicationConfig['auth'] } {
  const withPath = /^zk:\/\/[^/]+$/.test(uri.replace(/\/+$/, '')) ? `${uri.replace(/\/+$/, '')}/_` : uri;
  let target;
  try {
    target = zookeeperTarget(withPath);
  } catch (err) {
    throw new Error(`invalid ZooKeeper ensemble "${uri.replace(/\/\/[^@/]*@/, '//…@')}": ${(err as Error).message}`, {
      cause: err,
    });
  }
  const path = withPath === uri ? target.base : '';
  return { servers: target.servers, path, ...(target.auth ? { auth: target.auth } : {}) };
}
