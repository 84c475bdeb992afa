// Benchmark of one placement decision (`Scheduler.select(...).best`) on clusters of 100, 1,000 and 10,000 nodes
// with 30 containers each, against a baseline measured in the same run: a bare linear scan over the same nodes
// computing the minimum spread score (the least work any placement must do). Not a test: it prints figures.
//
//   node --import tsx bench/scheduler.ts
//
// `run()` returns the same figures as an object, for bench/run.ts.

import { pathToFileURL } from 'node:url';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { extractSchedulingExpressions } from '../src/scheduler/scheduling-labels.js';
import type { ContainerOnNode, NodeView, PlacementRequest } from '../src/scheduler/types.js';
import { table, int } from './lib/report.js';

const SIZES = [100, 1_000, 10_000] as const;
const CONTAINERS_PER_NODE = 30;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export interface CaseFigures {
  /** Microseconds per decision (median of several timed batches). */
  readonly microseconds: number;
  /** This size's time over the previous size's (10× more nodes); undefined for the first size. */
  readonly growth: number | undefined;
  /** This case's time over the baseline's at the same size. */
  readonly overBaseline: number;
  /**
   * Host-port case only: one decision on views whose containers arrays are all new (nothing memoized), as when a
   * caller rebuilds every view for every decision. Median of 5.
   */
  readonly coldMicroseconds?: number;
}

export interface SizeFigures {
  readonly nodes: number;
  readonly containers: number;
  readonly baselineMicroseconds: number;
  readonly cases: Readonly<Record<CaseName, CaseFigures>>;
}

export interface SchedulerBenchResult {
  readonly strategy: string;
  readonly sizes: readonly SizeFigures[];
}

type CaseName = 'constraint+resources' | 'no expressions' | 'host port';

// A deterministic generator, so every run benchmarks the same cluster.
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

function hex(random: () => number, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

const SERVICES = ['web', 'api', 'worker', 'cache', 'db', 'proxy'];

function makeContainer(random: () => number, node: number, index: number): ContainerOnNode {
  const service = SERVICES[index % SERVICES.length] as string;
  const exposesPort = index % 5 === 0;
  const hostPort = String(20_000 + ((node * 31 + index) % 10_000));
  return {
    id: hex(random, 64),
    names: [`/${service}-${node}-${index}`],
    image: `registry.local:5000/${service}:1.${index % 7}`,
    labels: {
      'com.docker.compose.project': `project-${index % 4}`,
      'com.docker.compose.service': service,
      'com.docker.swarm.id': hex(random, 64),
      tier: index % 2 === 0 ? 'frontend' : 'backend',
    },
    state: index % 10 === 9 ? 'exited' : 'running',
    cpus: index % 3 === 0 ? 0.25 : 0,
    memory: (64 + (index % 4) * 64) * MiB,
    networkMode: 'bridge',
    portBindings: exposesPort ? { '80/tcp': [{ HostIp: '', HostPort: hostPort }] } : {},
    publishedPorts: exposesPort ? { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: hostPort }] } : {},
    exposedPorts: exposesPort ? ['80/tcp'] : [],
  };
}

/** A deterministic cluster of `size` nodes, 30 containers each (exported for profiling scripts). */
export function makeCluster(size: number): NodeView[] {
  const random = generator(size);
  return Array.from({ length: size }, (_, n) => {
    const containers = Array.from({ length: CONTAINERS_PER_NODE }, (_, c) => makeContainer(random, n, c));
    return {
      id: `agent-${hex(random, 8)}-S${n}`,
      name: `host-${n}`,
      addr: `10.0.${n >> 8}.${n & 255}:2375`,
      labels: {
        ostype: 'linux',
        storagedriver: 'overlay2',
        kernelversion: '6.1.0',
        operatingsystem: 'Debian GNU/Linux 12',
        zone: `eu-${n % 4}`,
        rack: `r${n % 40}`,
      },
      healthIndicator: n % 97 === 0 ? 0 : 100,
      totalCpus: 16,
      totalMemory: 64 * GiB,
      usedCpus: containers.reduce((sum, c) => sum + c.cpus, 0) + (n % 7),
      usedMemory: containers.reduce((sum, c) => sum + c.memory, 0) + (n % 11) * GiB,
      containers,
      images: SERVICES.map((service, i) => ({
        id: `sha256:${hex(random, 64)}`,
        repoTags: [`registry.local:5000/${service}:1.${i}`],
      })),
    };
  });
}

function makeRequest(fields: Partial<PlacementRequest> & { env?: string[] }): PlacementRequest {
  const { env, ...rest } = fields;
  return {
    image: 'registry.local:5000/web:1.0',
    cpus: 0,
    memory: 0,
    networkMode: 'bridge',
    portBindings: {},
    exposedPorts: [],
    links: [],
    volumesFrom: [],
    ...rest,
    labels: extractSchedulingExpressions({ Env: env ?? [], Labels: {} }).Labels,
  };
}

/** The requests timed: a constraint with CPU and memory, nothing at all, and one fixed host port. */
export const REQUESTS: Readonly<Record<CaseName, PlacementRequest>> = {
  'constraint+resources': makeRequest({ env: ['constraint:zone==eu-1'], cpus: 1, memory: 512 * MiB }),
  'no expressions': makeRequest({}),
  'host port': makeRequest({ portBindings: { '8080/tcp': [{ HostIp: '', HostPort: '8080' }] } }),
};

// What every placement must at least do: look at each node once and keep the lowest score.
function baselineScan(nodes: readonly NodeView[], cpus: number, memory: number): NodeView | undefined {
  let best: NodeView | undefined;
  let bestScore = Infinity;
  for (const node of nodes) {
    const score =
      Math.floor(((node.usedCpus + cpus) * 100) / node.totalCpus) +
      Math.floor(((node.usedMemory + memory) * 100) / node.totalMemory) -
      10 * node.healthIndicator;
    if (score < bestScore || (score === bestScore && best && node.containers.length < best.containers.length)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

/** One decision on fresh copies of the views (new containers arrays, so no memoized port index). */
function timeCold(scheduler: Scheduler, nodes: readonly NodeView[], request: PlacementRequest): number {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const fresh = nodes.map((node) => ({ ...node, containers: node.containers.slice() }));
    const t0 = process.hrtime.bigint();
    scheduler.select(fresh, request);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[2] as number;
}

/** Median over batches of the mean time of one call, in microseconds. */
function time(fn: () => unknown): number {
  let sink: unknown;
  const start = process.hrtime.bigint();
  let calls = 0;
  while (process.hrtime.bigint() - start < 50_000_000n) {
    sink = fn();
    calls++;
  }
  const batchSize = Math.max(1, Math.ceil(calls / 5)); // ≈ 10 ms per batch
  const batches: number[] = [];
  for (let b = 0; b < 15; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batchSize; i++) sink = fn();
    batches.push(Number(process.hrtime.bigint() - t0) / 1000 / batchSize);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  batches.sort((a, b) => a - b);
  return batches[Math.floor(batches.length / 2)] as number;
}

export function run(): SchedulerBenchResult {
  const scheduler = new Scheduler({ strategy: 'spread' });
  const sizes: SizeFigures[] = [];
  // Warm the JIT on a small cluster first, so the first size measured is not the one paying for compilation.
  const warmup = makeCluster(50);
  for (const request of Object.values(REQUESTS)) time(() => scheduler.select(warmup, request).best);
  for (const size of SIZES) {
    const nodes = makeCluster(size);
    const baselineMicroseconds = time(() => baselineScan(nodes, 1, 512 * MiB));
    const previous = sizes.at(-1);
    const cases = {} as Record<CaseName, CaseFigures>;
    for (const [name, request] of Object.entries(REQUESTS) as [CaseName, PlacementRequest][]) {
      const microseconds = time(() => scheduler.select(nodes, request).best);
      const before = previous?.cases[name].microseconds;
      cases[name] = {
        microseconds,
        growth: before === undefined ? undefined : microseconds / before,
        overBaseline: microseconds / baselineMicroseconds,
        ...(name === 'host port' ? { coldMicroseconds: timeCold(scheduler, nodes, request) } : {}),
      };
    }
    sizes.push({ nodes: size, containers: size * CONTAINERS_PER_NODE, baselineMicroseconds, cases });
  }
  return { strategy: scheduler.strategy, sizes };
}

/** The section's table, in `npm run bench` and when this file runs alone. */
export function print(f: SchedulerBenchResult): void {
  const rows: string[][] = [];
  for (const size of f.sizes) {
    for (const [name, c] of Object.entries(size.cases)) {
      rows.push([
        `${int(size.nodes)} nodes, ${name}`,
        c.microseconds.toFixed(1),
        c.growth === undefined ? '-' : `${c.growth.toFixed(2)}×`,
        size.baselineMicroseconds.toFixed(2),
        `${c.overBaseline.toFixed(1)}×`,
        c.coldMicroseconds === undefined ? '' : c.coldMicroseconds.toFixed(1),
      ]);
    }
  }
  table(
    `Scheduler: one placement decision (strategy ${f.strategy}, ${CONTAINERS_PER_NODE} containers per node); ` +
      'baseline: a bare linear scan (bench/scheduler.ts)',
    ['case', 'µs/decision', 'growth ×10 nodes', 'baseline µs', '× baseline', 'cold µs'],
    rows,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) print(run());
