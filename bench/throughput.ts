// Benchmark 1, placement throughput: the manager (mesos mode) against the cluster double in `sim` mode, filled
// with create+start calls over the Docker API from concurrent keep-alive clients. Reports containers/s, create+start
// latency, and the manager's CPU and memory apart from the double's and the load generator's. Its baseline is the
// same load against a Docker API that does nothing (bench/lib/null-api.ts): the ceiling this machine's HTTP stack
// and load generator allow, measured in the same run.
import { startSimCluster, fill } from './lib/cluster.js';
import { startNullApi } from './lib/processes.js';
import type { LoadResult } from './lib/load.js';
import { getJson } from './lib/http.js';
import { resetPeak, type ProcSample } from './lib/proc.js';
import type { Summary } from './lib/stats.js';
import { progressLine, table, int, ms, mib, secs, verdict } from './lib/report.js';

export interface ThroughputConfig {
  readonly agents: number;
  readonly containers: number;
  readonly concurrency: number;
  /** HostConfig.Memory of each container, MiB. */
  readonly memMb: number;
  /** The double's allocation interval; undefined = its default (1000 ms, as Mesos). */
  readonly allocationIntervalMs?: number;
  /** Operations for the null-API baseline (a steady rate needs far fewer than the real run). */
  readonly baselineOps: number;
  readonly logDir: string;
  /** Write the manager's CPU profile here (bench/profile.ts). */
  readonly cpuProfDir?: string;
  /** Sizes at which to take cumulative figures (default 1k, 10k, 100k up to `containers`, and `containers`). */
  readonly checkpoints?: readonly number[];
  /** Skip the null-API baseline (the scaling curve runs several fills and needs it once). */
  readonly skipBaseline?: boolean;
  /** More `manage` flags for the manager (the metrics-cost section passes `--metrics=false`). */
  readonly manageArgs?: readonly string[];
  readonly quiet?: boolean;
}

export interface ProcessFigures {
  readonly cpuSeconds: number;
  /** Peak RSS during the run (VmHWM, reset before the run when the kernel allows). */
  readonly peakRssBytes: number;
  readonly rssBytes: number;
  /** RSS before the run, with the agents known and nothing placed. */
  readonly rssBeforeBytes: number;
}

export interface RateFigures {
  readonly ops: number;
  readonly wallSeconds: number;
  readonly overallPerSecond: number;
  readonly sustainedPerSecond: number;
  readonly latencyMs: Summary;
  readonly clientCpuSeconds: number;
}

/** Cumulative figures the moment the run reached `containers` (the scaling curve reads these). */
export interface Checkpoint {
  readonly containers: number;
  readonly elapsedSeconds: number;
  /** containers / elapsedSeconds. */
  readonly perSecond: number;
  readonly managerCpuSeconds: number;
  readonly managerCpuMsPerContainer: number;
  readonly managerRssBytes: number;
  /** (RSS now − RSS before the run) / containers. */
  readonly managerRssBytesPerContainer: number;
  readonly doubleCpuSeconds: number;
  readonly doubleRssBytes: number;
}

export interface ThroughputFigures {
  readonly agents: number;
  readonly containers: number;
  readonly concurrency: number;
  readonly allocationIntervalMs: number | 'default';
  readonly placement: RateFigures;
  readonly manager: ProcessFigures & { readonly cpuMsPerContainer: number; readonly rssBytesPerContainer: number };
  readonly double: ProcessFigures;
  /** The same create+start load against bench/lib/null-api.ts. */
  readonly baseline: (RateFigures & { readonly serverCpuSeconds: number }) | undefined;
  /** What /info reports afterwards: every container should be running. */
  readonly check: { readonly containers: number; readonly running: number };
  readonly checkpoints: Checkpoint[];
  /** The placement run's span in ms after the manager was spawned (to cut its CPU profile to the run). */
  readonly window: { readonly fromMs: number; readonly toMs: number };
}

export function rate(r: LoadResult): RateFigures {
  return {
    ops: r.ops,
    wallSeconds: r.wallSeconds,
    overallPerSecond: r.overallPerSecond,
    sustainedPerSecond: r.sustainedPerSecond,
    latencyMs: r.latency,
    clientCpuSeconds: r.clientCpuSeconds,
  };
}

function figures(before: ProcSample, after: ProcSample): ProcessFigures {
  return {
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssBytes: after.peakRssBytes,
    rssBytes: after.rssBytes,
    rssBeforeBytes: before.rssBytes,
  };
}

/** The baseline: create+start against a server that does nothing, same clients, same body. */
export async function nullApiBaseline(
  ops: number,
  concurrency: number,
  memMb: number,
  logDir: string,
): Promise<RateFigures & { serverCpuSeconds: number }> {
  const server = await startNullApi(logDir);
  try {
    const cpu0 = server.sample().cpuSeconds;
    const result = await fill(server.port, { containers: ops, concurrency, memMb });
    return { ...rate(result), serverCpuSeconds: server.sample().cpuSeconds - cpu0 };
  } finally {
    await server.stop();
  }
}

export async function run(config: ThroughputConfig): Promise<ThroughputFigures> {
  const log = (s: string) => config.quiet || console.log(`  [throughput] ${s}`);
  let baseline;
  if (!config.skipBaseline) {
    log(`baseline: ${config.baselineOps} create+start against the null API`);
    baseline = await nullApiBaseline(config.baselineOps, config.concurrency, config.memMb, config.logDir);
  }

  log(`starting the cluster double (${config.agents} agents) and the manager`);
  const cluster = await startSimCluster({
    agents: config.agents,
    allocationIntervalMs: config.allocationIntervalMs,
    cpuProfDir: config.cpuProfDir,
    manageArgs: config.manageArgs,
    logDir: config.logDir,
  });
  try {
    resetPeak(cluster.manager.pid);
    resetPeak(cluster.sim.pid);
    const m0 = cluster.manager.sample();
    const d0 = cluster.sim.sample();
    log(`placing ${config.containers} containers from ${config.concurrency} clients`);
    const spawnedAt = cluster.manager.spawnedAt;
    const fromMs = performance.now() - spawnedAt;
    const sizes = config.checkpoints ?? [1_000, 10_000, 100_000].filter((n) => n < config.containers);
    const checkpoints: Checkpoint[] = [];
    const result = await fill(cluster.manager.port, {
      containers: config.containers,
      concurrency: config.concurrency,
      memMb: config.memMb,
      progress: config.quiet ? undefined : progressLine('throughput', config.containers),
      checkpoints: [...new Set([...sizes, config.containers])],
      onCheckpoint: (done, elapsedMs) => {
        const m = cluster.manager.sample();
        const d = cluster.sim.sample();
        checkpoints.push({
          containers: done,
          elapsedSeconds: elapsedMs / 1000,
          perSecond: done / (elapsedMs / 1000),
          managerCpuSeconds: m.cpuSeconds - m0.cpuSeconds,
          managerCpuMsPerContainer: ((m.cpuSeconds - m0.cpuSeconds) * 1000) / done,
          managerRssBytes: m.rssBytes,
          managerRssBytesPerContainer: (m.rssBytes - m0.rssBytes) / done,
          doubleCpuSeconds: d.cpuSeconds - d0.cpuSeconds,
          doubleRssBytes: d.rssBytes,
        });
      },
    });
    const toMs = performance.now() - spawnedAt;
    if (process.stdout.isTTY && !config.quiet) process.stdout.write('\n');
    const m1 = cluster.manager.sample();
    const d1 = cluster.sim.sample();
    const info = (await getJson(cluster.manager.port, '/info')).json as {
      Containers: number;
      ContainersRunning: number;
    };
    const manager = figures(m0, m1);
    return {
      agents: config.agents,
      containers: config.containers,
      concurrency: config.concurrency,
      allocationIntervalMs: config.allocationIntervalMs ?? 'default',
      placement: rate(result),
      manager: {
        ...manager,
        cpuMsPerContainer: (manager.cpuSeconds * 1000) / result.ops,
        rssBytesPerContainer: (manager.rssBytes - manager.rssBeforeBytes) / result.ops,
      },
      double: figures(d0, d1),
      baseline,
      check: { containers: info.Containers, running: info.ContainersRunning },
      checkpoints,
      window: { fromMs, toMs },
    };
  } finally {
    await cluster.close();
  }
}

export function print(f: ThroughputFigures): void {
  const b = f.baseline;
  const p = f.placement;
  table(
    `Placement throughput: ${int(f.containers)} create+start from ${f.concurrency} clients, ${int(f.agents)} agents ` +
      `(sim mode, allocation interval ${f.allocationIntervalMs === 'default' ? '1000 ms (default)' : `${f.allocationIntervalMs} ms`}); ` +
      `baseline: the same load against a Docker API that does nothing`,
    ['figure', 'manager', 'baseline', 'target', ''],
    [
      [
        'containers/s, sustained (10th–90th pct of completions)',
        int(p.sustainedPerSecond),
        b ? int(b.sustainedPerSecond) : '-',
        '≥ 5,000',
        verdict(p.sustainedPerSecond, { atLeast: 5000 }),
      ],
      ['containers/s, overall', int(p.overallPerSecond), b ? int(b.overallPerSecond) : '-', '', ''],
      ['create+start p50, ms', ms(p.latencyMs.p50), b ? ms(b.latencyMs.p50) : '-', '', ''],
      [
        'create+start p99, ms',
        ms(p.latencyMs.p99),
        b ? ms(b.latencyMs.p99) : '-',
        '≤ 100',
        verdict(p.latencyMs.p99, { atMost: 100 }),
      ],
      ['create+start p99.9, ms', ms(p.latencyMs.p999), b ? ms(b.latencyMs.p999) : '-', '', ''],
      [
        'manager CPU, s (ms per container)',
        `${secs(f.manager.cpuSeconds)} (${f.manager.cpuMsPerContainer.toFixed(3)})`,
        b ? secs(b.serverCpuSeconds) : '-',
        '',
        '',
      ],
      [
        'manager peak RSS',
        mib(f.manager.peakRssBytes),
        '',
        '≤ 1024 MiB',
        verdict(f.manager.peakRssBytes, { atMost: 2 ** 30 }),
      ],
      ['manager RSS before → after', `${mib(f.manager.rssBeforeBytes)} → ${mib(f.manager.rssBytes)}`, '', '', ''],
      [
        'double (Mesos + agents) CPU, s / peak RSS',
        `${secs(f.double.cpuSeconds)} / ${mib(f.double.peakRssBytes)}`,
        '',
        '',
        '',
      ],
      ['load generator CPU, s', secs(p.clientCpuSeconds), b ? secs(b.clientCpuSeconds) : '-', '', ''],
      ['check: containers / running afterwards', `${int(f.check.containers)} / ${int(f.check.running)}`, '', '', ''],
    ],
  );
}
