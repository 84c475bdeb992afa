// The `--cluster-opt key=value` catalogue: every key each driver understands, its environment fallback, default
// and parser. Unlike classic Swarm, an unknown or misspelt key, or a value that does not parse, stops start-up with
// a message naming the key (classic Swarm silently kept the default, its issue #1401).
import { formatDuration, parseDuration } from '../util/duration.js';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CPU_SHARES_MEANINGS } from './cpu-shares.js';

export type ClusterDriverName = 'swarm' | 'mesos-experimental';

type Kind = 'duration' | 'float' | 'int' | 'uint' | 'bool' | 'string' | 'ip';
type Value = number | boolean | string;

interface OptionSpec {
  readonly driver: ClusterDriverName;
  readonly kind: Kind;
  readonly env?: string;
  /** A value, or one read from the environment (a default that depends on who runs the manager). */
  readonly default?: Value | ((env: NodeJS.ProcessEnv) => Value);
  readonly check?: (value: never) => string | undefined;
  /** The whole message for a value `check` refused, where classic Swarm's wording is the one scripts know. */
  readonly refusal?: (value: never) => string;
  readonly help: string;
}

const WEEK_MS = 7 * 24 * 3_600_000;

function cpuSharesProblem(value: string): string | undefined {
  return (CPU_SHARES_MEANINGS as readonly string[]).includes(value) ? undefined : 'expected cpus or weight';
}

export const CLUSTER_OPTIONS = {
  'swarm.overcommit': {
    driver: 'swarm',
    kind: 'float',
    default: 0.05,
    check: (v: number) => (v > -1 ? undefined : 'must be greater than -1'),
    refusal: (v: number) => `swarm.overcommit should be larger than -1, ${v.toFixed(6)} is invalid`,
    help: 'fraction of each node’s CPUs and memory that may be reserved beyond its capacity (negative under-commits)',
  },
  'swarm.createretry': {
    driver: 'swarm',
    kind: 'int',
    default: 0,
    check: (v: number) => (v >= 0 ? undefined : 'must not be negative'),
    refusal: (v: number) => `swarm.createretry can not be negative, ${v} is invalid`,
    help: 'how many more nodes to try when a create fails on the chosen node',
  },
  'swarm.cpushares': {
    driver: 'swarm',
    kind: 'string',
    default: 'cpus',
    check: (v: string) => cpuSharesProblem(v),
    help: 'what a container’s CpuShares (-c) means: cpus, a number of CPUs to reserve (classic Swarm); or weight, Docker’s relative weight (1024 = one CPU, reserved as shares/1024 CPUs)',
  },
  'swarm.rescheduletimeout': {
    driver: 'swarm',
    kind: 'duration',
    // Classic Swarm moved containers at the first engine_disconnect: a daemon restart or a short partition then cost
    // every rescheduleable container a copy, removed again when the node came back.
    default: 30_000,
    help: 'how long a node stays Unhealthy before its containers with reschedule:on-node-failure are recreated on other nodes (0: at once, as classic Swarm)',
  },
  'mesos.address': {
    driver: 'mesos-experimental',
    kind: 'ip',
    env: 'SWARM_MESOS_ADDRESS',
    help: 'accepted for compatibility; the v1 HTTP API needs no callback address',
  },
  'mesos.port': {
    driver: 'mesos-experimental',
    kind: 'uint',
    env: 'SWARM_MESOS_PORT',
    check: (v: number) => (v <= 65535 ? undefined : 'must be a port number'),
    help: 'accepted for compatibility; the v1 HTTP API needs no callback port',
  },
  'mesos.checkpointfailover': {
    driver: 'mesos-experimental',
    kind: 'bool',
    env: 'SWARM_MESOS_CHECKPOINT_FAILOVER',
    // Classic Swarm's default was false, and then restarting an agent ended every task on it (TASK_LOST, the
    // containers stopped by their executors). Marathon registers with checkpointing on; so do we. Mesos never lets an
    // existing framework ID change it.
    default: true,
    help: 'FrameworkInfo.checkpoint: agents checkpoint tasks so they survive an agent restart',
  },
  'mesos.offertimeout': {
    driver: 'mesos-experimental',
    kind: 'duration',
    env: 'SWARM_MESOS_OFFER_TIMEOUT',
    default: 30_000,
    help: 'how long an unused offer is held before it is declined',
  },
  'mesos.offerrefusetimeout': {
    driver: 'mesos-experimental',
    kind: 'duration',
    env: 'SWARM_MESOS_OFFER_REFUSE_TIMEOUT',
    default: 5_000,
    help: 'refuse filter sent with launches for the resources they leave unused',
  },
  'mesos.tasktimeout': {
    driver: 'mesos-experimental',
    kind: 'duration',
    env: 'SWARM_MESOS_TASK_TIMEOUT',
    default: 5_000,
    help: 'the longest a container may wait to be placed on an offer (not applied once launched)',
  },
  'mesos.rescheduletimeout': {
    driver: 'mesos-experimental',
    kind: 'duration',
    env: 'SWARM_MESOS_RESCHEDULE_TIMEOUT',
    default: 5_000,
    help: 'how long after its task is lost or gone (or its agent removed) a container with a restart or reschedule policy is relaunched elsewhere',
  },
  'mesos.unreachabletimeout': {
    driver: 'mesos-experimental',
    kind: 'duration',
    env: 'SWARM_MESOS_UNREACHABLE_TIMEOUT',
    default: 60_000,
    help: "how long a container with a restart or reschedule policy waits for its unreachable agent before it is relaunched elsewhere (the old copy is killed if the agent comes back; Marathon's unreachable strategy)",
  },
  'mesos.user': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_USER',
    default: '',
    help: 'FrameworkInfo.user: the Unix user tasks run as on the agents (default: the user the manager runs as)',
  },
  'mesos.name': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_NAME',
    default: 'swarm',
    help: 'the framework name shown by Mesos',
  },
  'mesos.failovertimeout': {
    driver: 'mesos-experimental',
    kind: 'duration',
    env: 'SWARM_MESOS_FAILOVER_TIMEOUT',
    default: WEEK_MS,
    help: 'FrameworkInfo.failover_timeout: how long Mesos keeps our tasks while the manager is away',
  },
  'mesos.role': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_ROLE',
    default: '*',
    help: 'the Mesos role the framework registers with',
  },
  'mesos.principal': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_PRINCIPAL',
    help: 'principal for framework authentication (HTTP Basic)',
  },
  'mesos.secret': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_SECRET',
    help: 'secret for framework authentication',
  },
  'mesos.secretfile': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_SECRET_FILE',
    help: 'file holding the secret for framework authentication',
  },
  'mesos.tls': {
    driver: 'mesos-experimental',
    kind: 'bool',
    env: 'SWARM_MESOS_TLS',
    help: 'speak HTTPS to masters given as host:port or found through zk:// (implied by https:// and mesos.tls* files)',
  },
  'mesos.tlsverify': {
    driver: 'mesos-experimental',
    kind: 'bool',
    env: 'SWARM_MESOS_TLS_VERIFY',
    default: true,
    help: 'verify the master’s certificate (against mesos.tlscacert, else --tlscacert, else the system’s CAs)',
  },
  'mesos.tlscacert': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_TLS_CA_CERT',
    help: 'CA certificate the master’s certificate must chain to (default: --tlscacert)',
  },
  'mesos.tlscert': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_TLS_CERT',
    help: 'client certificate shown to the master (default: --tlscert)',
  },
  'mesos.tlskey': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_TLS_KEY',
    help: 'key of mesos.tlscert (default: --tlskey)',
  },
  'mesos.defaultcpus': {
    driver: 'mesos-experimental',
    kind: 'float',
    env: 'SWARM_MESOS_DEFAULT_CPUS',
    check: (v: number) => (v > 0 ? undefined : 'must be greater than 0'),
    help: 'CPUs given to a container that asks for none (unset: -c or -m is required)',
  },
  'mesos.defaultmem': {
    driver: 'mesos-experimental',
    kind: 'float',
    env: 'SWARM_MESOS_DEFAULT_MEM',
    check: (v: number) => (v > 0 ? undefined : 'must be greater than 0'),
    help: 'memory in MB given to a container that asks for none (unset: -c or -m is required)',
  },
  'mesos.cpushares': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_CPU_SHARES',
    default: 'cpus',
    check: (v: string) => cpuSharesProblem(v),
    help: 'what a container’s CpuShares (-c) means: cpus, the number of CPUs its task gets (classic Swarm); or weight, Docker’s relative weight (the task gets shares/1024 CPUs, which Mesos runs as those shares)',
  },
  'mesos.zk': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_ZK',
    help: 'with --replication and a host:port master: the ZooKeeper ensemble of the managers’ election, zk://h1:2181,h2:2181[/path] (the path, if given, is the election’s)',
  },
  'mesos.leaderpath': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_LEADER_PATH',
    help: 'with --replication: the znode of the managers’ election (default /mesoswarm/<mesos.name>/leader)',
  },
  'mesos.statedir': {
    driver: 'mesos-experimental',
    kind: 'string',
    env: 'SWARM_MESOS_STATE_DIR',
    default: defaultStateDir,
    help: 'directory of the state (framework ID, containers, agents; one folder per mesos.name): $XDG_STATE_HOME/mesoswarm, else /var/lib/mesoswarm as root, else ~/.local/state/mesoswarm',
  },
} as const satisfies Record<string, OptionSpec>;

export type ClusterOptionKey = keyof typeof CLUSTER_OPTIONS;

type Catalogue = typeof CLUSTER_OPTIONS;
type KindValue<K> = K extends 'bool' ? boolean : K extends 'string' | 'ip' ? string : number;
/** Every option as its typed value: always set when the catalogue has a default, else possibly undefined. */
export type ClusterSettings = {
  readonly [K in ClusterOptionKey]: Catalogue[K] extends { default: unknown }
    ? KindValue<Catalogue[K]['kind']>
    : KindValue<Catalogue[K]['kind']> | undefined;
};

/**
 * Where the manager keeps its state unless told: where a user's services keep theirs (the XDG base directory
 * spec's state home), or the system's for root. Relative to the working directory, a manager started from another
 * directory silently started over.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'mesoswarm');
  if (process.getuid?.() === 0) return '/var/lib/mesoswarm';
  return join(env.HOME || homedir(), '.local', 'state', 'mesoswarm');
}

/** The parsed options as typed settings, defaults from the catalogue filled in (the one place they live). */
export function clusterSettings(
  values: ReadonlyMap<ClusterOptionKey, Value>,
  env: NodeJS.ProcessEnv = process.env,
): ClusterSettings {
  const out: Record<string, Value | undefined> = {};
  for (const [key, spec] of Object.entries(CLUSTER_OPTIONS) as [ClusterOptionKey, OptionSpec][]) {
    out[key] = values.get(key) ?? defaultOf(spec, env);
  }
  return out as ClusterSettings;
}

function defaultOf(spec: OptionSpec, env: NodeJS.ProcessEnv): Value | undefined {
  return typeof spec.default === 'function' ? spec.default(env) : spec.default;
}

/** The options of one driver, for `--help`: key, environment variable, default and meaning. */
export function describeClusterOptions(env: NodeJS.ProcessEnv = process.env): string {
  const lines: string[] = [];
  for (const [key, spec] of Object.entries(CLUSTER_OPTIONS) as [ClusterOptionKey, OptionSpec][]) {
    const value = defaultOf(spec, env);
    const text = spec.kind === 'duration' && typeof value === 'number' ? formatDuration(value) : String(value);
    const shown = value === undefined || value === '' ? '' : ` (default ${text})`;
    lines.push(`  ${key}${shown}${spec.env ? ` [${spec.env}]` : ''}`, `      ${spec.help}`);
  }
  return lines.join('\n');
}

/**
 * Parses `key=value` pairs for one driver, with environment fallbacks, and fills defaults.
 * Throws an Error whose message names the offending key.
 */
export function parseClusterOptions(
  driver: ClusterDriverName,
  pairs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Map<ClusterOptionKey, Value> {
  const given = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`invalid --cluster-opt "${pair}": expected key=value`);
    given.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
  for (const key of given.keys()) {
    const spec = (CLUSTER_OPTIONS as Record<string, OptionSpec>)[key];
    if (!spec) throw new Error(`unknown --cluster-opt "${key}"${suggest(key)}`);
    if (spec.driver !== driver) {
      throw new Error(`--cluster-opt "${key}" belongs to the ${spec.driver} driver, not ${driver}`);
    }
  }
  const out = new Map<ClusterOptionKey, Value>();
  for (const [key, spec] of Object.entries(CLUSTER_OPTIONS) as [ClusterOptionKey, OptionSpec][]) {
    if (spec.driver !== driver) continue;
    let raw = given.get(key);
    let source = `--cluster-opt ${key}`;
    if (raw === undefined && spec.env && env[spec.env]) {
      raw = env[spec.env];
      source = `${spec.env} (for ${key})`;
    }
    if (raw === undefined) {
      const value = defaultOf(spec, env);
      if (value !== undefined) out.set(key, value);
      continue;
    }
    const value = parseValue(spec.kind, raw.trim(), source);
    const problem = spec.check?.(value as never);
    if (problem && spec.refusal) throw new Error(`${spec.refusal(value as never)} (${source})`);
    if (problem) throw new Error(`invalid value "${raw}" for ${source}: ${problem}`);
    out.set(key, value);
  }
  return out;
}

function parseValue(kind: Kind, raw: string, source: string): Value {
  const fail = (what: string): never => {
    throw new Error(`invalid value "${raw}" for ${source}: expected ${what}`);
  };
  switch (kind) {
    case 'duration': {
      let ms: number;
      try {
        ms = parseDuration(raw);
      } catch {
        return fail('a duration such as 30s or 10m');
      }
      return ms >= 0 ? ms : fail('a non-negative duration such as 30s or 10m');
    }
    case 'float': {
      const n = Number(raw);
      return raw !== '' && Number.isFinite(n) ? n : fail('a number');
    }
    case 'int':
      return /^-?\d+$/.test(raw) ? Number(raw) : fail('an integer');
    case 'uint':
      return /^\d+$/.test(raw) ? Number(raw) : fail('a non-negative integer');
    case 'bool':
      if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
      if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
      return fail('true or false');
    case 'ip':
      return isIP(raw) ? raw : fail('an IP address');
    case 'string':
      return raw;
  }
}

function suggest(key: string): string {
  let best: string | undefined;
  let bestDistance = 4;
  for (const known of Object.keys(CLUSTER_OPTIONS)) {
    const d = editDistance(key, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean "${best}"?)` : `; known keys: ${Object.keys(CLUSTER_OPTIONS).join(', ')}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
