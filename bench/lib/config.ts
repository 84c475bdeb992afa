// The benchmark's sizes and switches: full sizes (the brief's), --quick sizes (a few minutes), and any single size
// overridden by a flag (`npm run bench -- --agents 1000`) or by the matching environment variable
// (BENCH_AGENTS=1000; the flag wins). Owns parsing and defaults, nothing else.
import { parseArgs } from 'node:util';

export const SECTIONS = [
  'scheduler',
  'throughput',
  'metrics',
  'latency',
  'api',
  'scaling',
  'recovery',
  'failover',
  'reschedule',
  'profile',
  'state',
] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchConfig {
  readonly quick: boolean;
  readonly sections: readonly Section[];
  /** Where the JSON goes; default bench/results/<date>.json. */
  readonly out: string | undefined;
  /** HostConfig.Memory of every sim-mode container, MiB (8 MiB: 100,000 fit on 100 agents of 16 GiB at half). */
  readonly memMb: number;
  readonly concurrency: number;
  /** The double's allocation interval in sim mode; undefined = its default, 1000 ms like Mesos'. */
  readonly allocationIntervalMs: number | undefined;
  readonly throughput: { readonly agents: number; readonly containers: number; readonly baselineOps: number };
  readonly latency: { readonly rounds: number; readonly warmupRounds: number; readonly engine: string };
  readonly api: {
    readonly agents: number;
    readonly containers: number;
    readonly samples: number;
    readonly listSamples: number;
  };
  readonly scaling: { readonly agents: readonly number[]; readonly containers: readonly number[] };
  readonly recovery: { readonly agents: number; readonly containers: number };
  /** Several managers: the leader killed -9; `ttlMs` is the managers' --replication-ttl (the session timeout). */
  readonly failover: { readonly agents: number; readonly containers: number; readonly ttlMs: number };
  readonly reschedule: {
    readonly agents: number;
    readonly containers: number;
    readonly loopers: number;
    readonly runs: number;
  };
  readonly profile: { readonly agents: number; readonly containers: number; readonly top: number };
  readonly metrics: { readonly agents: number; readonly containers: number; readonly rounds: number };
  readonly state: { readonly containers: readonly number[]; readonly serialAppends: number };
}

const OPTIONS = {
  quick: { type: 'boolean', help: 'small sizes: a few minutes instead of the full run' },
  only: { type: 'string', help: `comma-separated sections to run (${SECTIONS.join(', ')})` },
  skip: { type: 'string', help: 'comma-separated sections to leave out' },
  out: { type: 'string', help: 'JSON output file (default bench/results/<date>.json)' },
  mem: { type: 'string', help: 'HostConfig.Memory of each sim-mode container, MiB (default 8)' },
  concurrency: { type: 'string', help: 'concurrent clients for create+start (default 200)' },
  'allocation-interval': { type: 'string', help: "the double's allocation interval in sim mode, ms (default 1000)" },
  agents: { type: 'string', help: 'throughput: agents (default 5000; quick 500)' },
  containers: { type: 'string', help: 'throughput: containers (default 100000; quick 5000)' },
  'baseline-ops': { type: 'string', help: 'throughput: create+start calls against the null API (default 20000)' },
  rounds: { type: 'string', help: 'latency: counted rounds (default 30; quick 5)' },
  engine: { type: 'string', help: 'latency: the local engine over TCP for the manager (default tcp://127.0.0.1:2375)' },
  'api-agents': { type: 'string', help: 'api: agents (default 1000; quick 200)' },
  'api-containers': { type: 'string', help: 'api: containers (default 30000; quick 3000)' },
  'api-samples': { type: 'string', help: 'api: calls per cheap route (default 2000)' },
  'list-samples': { type: 'string', help: 'api: calls of the full list (default 100)' },
  'scaling-agents': { type: 'string', help: 'scaling: cluster sizes (default 100,1000,5000)' },
  'scaling-containers': { type: 'string', help: 'scaling: fill levels (default 1000,10000,100000)' },
  'recovery-agents': { type: 'string', help: 'recovery: agents (default: the api section’s)' },
  'recovery-containers': { type: 'string', help: 'recovery: containers (default: the api section’s)' },
  'failover-agents': { type: 'string', help: 'failover: agents (default: the api section’s)' },
  'failover-containers': { type: 'string', help: 'failover: containers (default: the api section’s)' },
  'failover-ttl': {
    type: 'string',
    help: 'failover: the managers’ --replication-ttl in seconds (default 4, ZooKeeper’s least)',
  },
  'reschedule-agents': { type: 'string', help: 'reschedule: agents (default 100)' },
  'reschedule-containers': {
    type: 'string',
    help: 'reschedule: containers on the lost agent (default 1000; quick 300)',
  },
  loopers: { type: 'string', help: 'reschedule: crash-looping containers beside new runs (default 200; quick 50)' },
  'reschedule-runs': {
    type: 'string',
    help: 'reschedule: docker runs timed idle and beside the loops (default 400; quick 50)',
  },
  'metrics-agents': { type: 'string', help: 'metrics: agents (default 1000; quick 200)' },
  'metrics-containers': { type: 'string', help: 'metrics: containers per fill (default 20000; quick 3000)' },
  'metrics-rounds': {
    type: 'string',
    help: 'metrics: rounds of one fill with metrics and one without (default 3; quick 2)',
  },
  'profile-agents': { type: 'string', help: 'profile: agents (default 5000; quick 500)' },
  'profile-containers': { type: 'string', help: 'profile: containers (default 30000; quick 5000)' },
  'state-containers': {
    type: 'string',
    help: 'state: containers in the journal and in ZooKeeper (default 30000,100000; quick 3000)',
  },
  'state-serial': { type: 'string', help: 'state: appends made one at a time (default 300; quick 100)' },
  help: { type: 'boolean', help: 'this text' },
} as const;

export function usage(): string {
  const lines = Object.entries(OPTIONS).map(([name, o]) => `  --${name.padEnd(22)} ${o.help}`);
  return `Usage: npm run bench -- [options]   (each option also as BENCH_<NAME>, e.g. BENCH_QUICK=1)\n${lines.join('\n')}`;
}

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (expected ${allowed.join(', ')})`);
  }
  return items as T[];
}

function numbers(value: string | undefined): number[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => positive(s.trim(), value));
}

function positive(text: string, whole = text): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a number, not "${whole}"`);
  return n;
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchConfig | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(Object.entries(OPTIONS).map(([k, o]) => [k, { type: o.type }])),
    strict: true,
  }) as { values: Record<string, string | boolean | undefined> };
  // A flag, else BENCH_<NAME>.
  const get = (name: keyof typeof OPTIONS): string | undefined => {
    const flag = values[name];
    if (flag !== undefined) return String(flag);
    return env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  };
  const flag = (name: keyof typeof OPTIONS) => {
    const v = get(name);
    return v !== undefined && v !== '0' && v !== 'false';
  };
  if (flag('help')) return 'help';
  const quick = flag('quick');
  const num = (name: keyof typeof OPTIONS, full: number, small: number) => {
    const v = get(name);
    return v === undefined ? (quick ? small : full) : positive(v);
  };
  const only = list(get('only'), SECTIONS, 'section');
  const skip = list(get('skip'), SECTIONS, 'section') ?? [];
  const api = {
    agents: num('api-agents', 1000, 200),
    containers: num('api-containers', 30_000, 3000),
    samples: num('api-samples', 2000, 300),
    listSamples: num('list-samples', 100, 20),
  };
  const interval = get('allocation-interval');
  return {
    quick,
    sections: (only ?? SECTIONS).filter((s) => !skip.includes(s)),
    out: get('out'),
    memMb: num('mem', 8, 8),
    concurrency: num('concurrency', 200, 200),
    allocationIntervalMs: interval === undefined ? undefined : positive(interval),
    throughput: {
      agents: num('agents', 5000, 500),
      containers: num('containers', 100_000, 5000),
      baselineOps: num('baseline-ops', 20_000, 5000),
    },
    latency: {
      rounds: num('rounds', 30, 5),
      warmupRounds: quick ? 1 : 2,
      engine: get('engine') ?? 'tcp://127.0.0.1:2375',
    },
    api,
    scaling: {
      agents: numbers(get('scaling-agents')) ?? (quick ? [100, 500] : [100, 1000, 5000]),
      containers: numbers(get('scaling-containers')) ?? (quick ? [1000, 5000] : [1000, 10_000, 100_000]),
    },
    recovery: {
      agents: num('recovery-agents', api.agents, api.agents),
      containers: num('recovery-containers', api.containers, api.containers),
    },
    failover: {
      agents: num('failover-agents', api.agents, api.agents),
      containers: num('failover-containers', api.containers, api.containers),
      ttlMs: num('failover-ttl', 4, 4) * 1000,
    },
    reschedule: {
      agents: num('reschedule-agents', 100, 100),
      containers: num('reschedule-containers', 1000, 300),
      loopers: num('loopers', 200, 50),
      runs: num('reschedule-runs', 400, 50),
    },
    profile: { agents: num('profile-agents', 5000, 500), containers: num('profile-containers', 30_000, 5000), top: 25 },
    metrics: {
      agents: num('metrics-agents', 1000, 200),
      containers: num('metrics-containers', 20_000, 3000),
      rounds: num('metrics-rounds', 3, 2),
    },
    state: {
      containers: numbers(get('state-containers')) ?? (quick ? [3000] : [30_000, 100_000]),
      serialAppends: num('state-serial', 300, 100),
    },
  };
}
