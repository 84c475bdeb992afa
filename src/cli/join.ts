// `mesoswarm join --advertise host:port zk://…`: classic `swarm join`, which keeps an engine registered in a
// discovery for managers to find. Only ZooKeeper discovery takes registrations (a file or a static list is the
// operator's to edit). The registration is an ephemeral znode of a session whose timeout is `--ttl`, rewritten
// every `--heartbeat`; it goes when this process stops (at once on SIGINT/SIGTERM, after the ttl if killed).
import { registerEngine } from '../discovery/zookeeper.js';
import { splitHostPort } from '../discovery/address.js';
import { parseDuration } from '../util/duration.js';

export interface JoinFlags {
  advertise?: string;
  addr?: string;
  heartbeat: string;
  ttl: string;
}

export interface JoinConfig {
  readonly discovery: string;
  readonly advertise: string;
  readonly heartbeatMs: number;
  readonly ttlMs: number;
}

export function buildJoinConfig(
  discovery: string | undefined,
  flags: JoinFlags,
  env: NodeJS.ProcessEnv = process.env,
): JoinConfig {
  const uri = discovery ?? (env.SWARM_DISCOVERY || undefined);
  if (!uri) throw new Error("discovery required to join a cluster. See 'mesoswarm join --help'.");
  if (!uri.startsWith('zk://')) {
    throw new Error(
      `join registers engines in ZooKeeper discovery (zk://host:2181/path); "${uri}" takes no registrations`,
    );
  }
  const advertise = flags.advertise ?? flags.addr ?? (env.SWARM_ADVERTISE || undefined);
  if (!advertise) throw new Error('missing mandatory --advertise flag: the host:port of the engine to register');
  splitHostPort(advertise.replace(/^tcp:\/\//, ''), `--advertise ${advertise}`);
  const duration = (flag: string, value: string) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      throw new Error(`invalid ${flag} "${value}": expected a duration such as 20s`);
    }
    if (ms <= 0) throw new Error(`${flag} should be a positive duration`);
    return ms;
  };
  const heartbeatMs = duration('--heartbeat', flags.heartbeat);
  const ttlMs = duration('--ttl', flags.ttl);
  // Classic Swarm's rule and words.
  if (ttlMs <= heartbeatMs) throw new Error('--ttl must be strictly superior to the heartbeat value');
  return { discovery: uri, advertise: advertise.replace(/^tcp:\/\//, ''), heartbeatMs, ttlMs };
}

/** Registers until SIGINT/SIGTERM. */
export async function join(config: JoinConfig, log: (line: string) => void): Promise<void> {
  const stop = await registerEngine(config.discovery, config.advertise, config.heartbeatMs, config.ttlMs, (err) =>
    log(`mesoswarm join: ${err.message}`),
  );
  log(`mesoswarm join: registered ${config.advertise} (heartbeat ${config.heartbeatMs} ms, ttl ${config.ttlMs} ms)`);
  const leave = () => {
    stop();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once('SIGINT', leave);
  process.once('SIGTERM', leave);
}
