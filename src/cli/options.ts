// `mesoswarm manage` flags → a validated ManageConfig. Every check that classic `swarm manage` made at start-up is
// made here, plus ours: unknown cluster options, flags that need others (replication: src/ha/config.ts), malformed
// addresses.
import { readFileSync } from 'node:fs';
import { parseDuration } from '../util/duration.js';
import { parseClusterOptions, type ClusterDriverName, type ClusterOptionKey } from '../cluster/options.js';
import { splitHostPort } from '../discovery/address.js';
import type { ListenAddress } from '../api/listen.js';
import type { ApiLimits } from '../api/limits.js';
import type { TlsFiles } from '../util/tls.js';
import { replicationConfig, type ReplicationConfig } from '../ha/config.js';

export interface ManageFlags {
  host?: string[];
  strategy: string;
  filter?: string[];
  clusterDriver: string;
  clusterOpt?: string[];
  discoveryOpt?: string[];
  heartbeat: string;
  engineRefreshMinInterval: string;
  engineRefreshMaxInterval: string;
  engineFailureRetry: string;
  engineRefreshRetry?: string;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  replication?: boolean;
  replicationTtl?: string;
  advertise?: string;
  /** `--advertise, --addr`: commander files the value under the second name. */
  addr?: string;
  cors?: boolean;
  /** `--metrics[=bool]`, `--dashboard[=bool]`: on unless given false. */
  metrics?: string | boolean;
  dashboard?: string | boolean;
  /** `--cors, --api-enable-cors`: likewise under the second name. */
  apiEnableCors?: boolean;
  refreshOnNodeFilter?: boolean;
  containerNameRefreshFilter?: string;
}

export interface ManageConfig {
  readonly hosts: readonly ListenAddress[];
  readonly strategy: string;
  readonly filters: readonly string[] | undefined;
  readonly clusterDriver: ClusterDriverName;
  readonly clusterOptions: ReadonlyMap<ClusterOptionKey, number | boolean | string>;
  readonly discovery: string | undefined;
  readonly heartbeatMs: number;
  readonly engineRefreshMinMs: number;
  readonly engineRefreshMaxMs: number;
  readonly engineFailureRetry: number;
  readonly tls: TlsFiles | undefined;
  readonly cors: boolean;
  readonly metrics: boolean;
  readonly dashboard: boolean;
  /** `--replication`: the election this manager takes part in, or undefined for a manager on its own. */
  readonly replication: ReplicationConfig | undefined;
  /** The API server's limits where they differ from src/api/limits.ts' defaults (tests use short ones). */
  readonly apiLimits?: Partial<ApiLimits>;
}

export const DEFAULT_HOST = 'tcp://127.0.0.1:4375';

export function buildManageConfig(
  flags: ManageFlags,
  discovery: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ManageConfig {
  const driver = flags.clusterDriver;
  if (driver !== 'swarm' && driver !== 'mesos-experimental') {
    throw new Error(`unsupported cluster "${driver}": expected swarm or mesos-experimental`);
  }
  if (flags.refreshOnNodeFilter || flags.containerNameRefreshFilter) {
    throw new Error(
      '--refresh-on-node-filter and --container-name-refresh-filter are not needed: the engines’ event streams keep every listing current',
    );
  }
  if (flags.engineRefreshRetry !== undefined && flags.engineRefreshRetry !== '3') {
    throw new Error('--engine-refresh-retry is deprecated; use --engine-failure-retry');
  }
  for (const opt of flags.discoveryOpt ?? []) {
    if (!opt.includes('=')) throw new Error(`invalid --discovery-opt "${opt}": expected key=value`);
    throw new Error(
      `--discovery-opt "${opt}" is not supported: zk:// discovery keeps classic Swarm's layout (<path>/docker/swarm/nodes) and needs no options`,
    );
  }

  const heartbeatMs = duration('--heartbeat', flags.heartbeat);
  if (heartbeatMs < 1000) throw new Error('--heartbeat should be at least one second');
  const engineRefreshMinMs = duration('--engine-refresh-min-interval', flags.engineRefreshMinInterval);
  // Classic Swarm's words (scripts grep for them), then the flag and value as given.
  if (engineRefreshMinMs <= 0) {
    throw new Error(
      `min refresh interval should be a positive number (--engine-refresh-min-interval "${flags.engineRefreshMinInterval}")`,
    );
  }
  const engineRefreshMaxMs = duration('--engine-refresh-max-interval', flags.engineRefreshMaxInterval);
  if (engineRefreshMaxMs < engineRefreshMinMs) {
    throw new Error(
      `max refresh interval cannot be less than min refresh interval (--engine-refresh-max-interval "${flags.engineRefreshMaxInterval}", --engine-refresh-min-interval "${flags.engineRefreshMinInterval}")`,
    );
  }
  if (!/^\d+$/.test(flags.engineFailureRetry) || Number(flags.engineFailureRetry) <= 0) {
    throw new Error(
      `invalid failure retry count: --engine-failure-retry "${flags.engineFailureRetry}" should be a positive integer`,
    );
  }

  const hostValues = flags.host?.length ? flags.host : env.SWARM_HOST ? [env.SWARM_HOST] : [DEFAULT_HOST];
  const clusterOptions = parseClusterOptions(driver, flags.clusterOpt ?? [], env);
  const discoveryUri = discovery ?? (env.SWARM_DISCOVERY || undefined);
  const advertise = flags.advertise ?? flags.addr ?? (env.SWARM_ADVERTISE || undefined);
  return {
    hosts: hostValues.map(parseListenAddress),
    strategy: flags.strategy,
    filters: flags.filter?.length ? flags.filter.flatMap((f) => f.split(',')).map((f) => f.trim()) : undefined,
    clusterDriver: driver,
    clusterOptions,
    discovery: discoveryUri,
    replication: replicationConfig({ ...flags, advertise }, driver, clusterOptions, discoveryUri),
    heartbeatMs,
    engineRefreshMinMs,
    engineRefreshMaxMs,
    engineFailureRetry: Number(flags.engineFailureRetry),
    tls: tlsFiles(flags),
    cors: Boolean(flags.cors || flags.apiEnableCors),
    metrics: switchFlag('--metrics', flags.metrics),
    dashboard: switchFlag('--dashboard', flags.dashboard),
  };
}

/** An on/off flag given bare (`--metrics`), as `--metrics=false`, or not at all (on). */
function switchFlag(flag: string, value: string | boolean | undefined): boolean {
  if (value === undefined || value === true) return true;
  if (value === false) return false;
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw new Error(`invalid ${flag} "${value}": expected true or false`);
}

function duration(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new Error(`invalid ${flag} "${value}": expected a duration such as 30s or 1m`);
  }
}

export function parseListenAddress(value: string): ListenAddress {
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (!path.startsWith('/')) throw new Error(`invalid --host "${value}": the socket path must be absolute`);
    return { kind: 'unix', path };
  }
  const rest = value.replace(/^tcp:\/\//, '');
  if (/^[a-z]+:\/\//.test(rest)) throw new Error(`invalid --host "${value}": expected tcp://host:port or unix:///path`);
  const { host, port } = splitHostPort(rest.replace(/\/+$/, ''), value, true);
  return { kind: 'tcp', host, port };
}

function tlsFiles(flags: ManageFlags): TlsFiles | undefined {
  const wanted = Boolean(flags.tls || flags.tlsverify);
  const anyFile = flags.tlscacert || flags.tlscert || flags.tlskey;
  if (!wanted) {
    if (anyFile) throw new Error('--tlscacert, --tlscert and --tlskey need --tls or --tlsverify');
    return undefined;
  }
  if (!flags.tlscert || !flags.tlskey) throw new Error('--tls and --tlsverify need --tlscert and --tlskey');
  if (flags.tlsverify && !flags.tlscacert) throw new Error('--tlsverify needs --tlscacert');
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read ${flag} "${path}": ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    verify: Boolean(flags.tlsverify),
    cert: read('--tlscert', flags.tlscert),
    key: read('--tlskey', flags.tlskey),
    ca: flags.tlscacert ? read('--tlscacert', flags.tlscacert) : undefined,
  };
}
