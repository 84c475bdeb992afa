// Benchmark 4, the scaling curve: placement throughput and the manager's cost per container (CPU ms, RSS bytes)
// at each cluster size (agents) and fill level (containers). One fill per cluster size, sampled as it passes each
// fill level: the cumulative figures at 10,000 containers of a 100,000 fill are what a 10,000 fill would report,
// so a 3 × 3 grid costs three fills, not nine. The fill the throughput benchmark already made is reused when its
// cluster size is on the curve. Growth columns compare each row with the one before it on the same axis.
import { run as throughput, type Checkpoint, type ThroughputFigures } from './throughput.js';
import { table, int, mib, times } from './lib/report.js';

export interface ScalingConfig {
  readonly agents: readonly number[];
  readonly containers: readonly number[];
  readonly concurrency: number;
  readonly memMb: number;
  readonly allocationIntervalMs?: number;
  readonly logDir: string;
  readonly quiet?: boolean;
}

export interface ScalingRow extends Checkpoint {
  readonly agents: number;
  /** This row's figure over the row with the previous fill level on the same cluster size. */
  readonly growthByContainers: { perSecond?: number; cpuMsPerContainer?: number; rssBytesPerContainer?: number };
  /** This row's figure over the row with the previous cluster size at the same fill level. */
  readonly growthByAgents: { perSecond?: number; cpuMsPerContainer?: number; rssBytesPerContainer?: number };
}

export interface ScalingFigures {
  readonly rows: ScalingRow[];
  /** Fills reused from the throughput benchmark (by cluster size). */
  readonly reused: number[];
}

export async function run(config: ScalingConfig, reuse: readonly ThroughputFigures[] = []): Promise<ScalingFigures> {
  const sizes = [...config.containers].sort((a, b) => a - b);
  const largest = sizes.at(-1)!;
  const points: { agents: number; checkpoint: Checkpoint }[] = [];
  const reused: number[] = [];
  for (const agents of [...config.agents].sort((a, b) => a - b)) {
    let fillFigures = reuse.find(
      (r) =>
        r.agents === agents &&
        r.concurrency === config.concurrency &&
        sizes.every((n) => r.checkpoints.some((c) => c.containers === n)),
    );
    if (fillFigures) reused.push(agents);
    else {
      if (!config.quiet) console.log(`  [scaling] ${agents} agents, filling to ${largest} containers`);
      fillFigures = await throughput({
        agents,
        containers: largest,
        concurrency: config.concurrency,
        memMb: config.memMb,
        allocationIntervalMs: config.allocationIntervalMs,
        baselineOps: 0,
        skipBaseline: true,
        checkpoints: sizes,
        logDir: config.logDir,
        quiet: true,
      });
    }
    for (const n of sizes)
      points.push({ agents, checkpoint: fillFigures.checkpoints.find((c) => c.containers === n)! });
  }
  const find = (agents: number | undefined, containers: number | undefined) =>
    points.find((p) => p.agents === agents && p.checkpoint.containers === containers)?.checkpoint;
  const agentList = [...config.agents].sort((a, b) => a - b);
  const rows = points.map(({ agents, checkpoint }) => {
    const prevFill = find(agents, sizes[sizes.indexOf(checkpoint.containers) - 1]);
    const prevAgents = find(agentList[agentList.indexOf(agents) - 1], checkpoint.containers);
    return {
      agents,
      ...checkpoint,
      growthByContainers: growth(checkpoint, prevFill),
      growthByAgents: growth(checkpoint, prevAgents),
    };
  });
  return { rows, reused };
}

function growth(now: Checkpoint, before: Checkpoint | undefined): ScalingRow['growthByContainers'] {
  if (!before) return {};
  return {
    perSecond: now.perSecond / before.perSecond,
    cpuMsPerContainer: now.managerCpuMsPerContainer / before.managerCpuMsPerContainer,
    rssBytesPerContainer: now.managerRssBytesPerContainer / before.managerRssBytesPerContainer,
  };
}

export function print(f: ScalingFigures): void {
  const g = (v: number | undefined) => (v === undefined ? '-' : times(v));
  table(
    'Scaling curve (sim mode): cumulative figures at each fill level; growth = this row over the previous fill ' +
      'level (same agents) and over the previous cluster size (same fill)' +
      (f.reused.length ? `; the ${f.reused.join(', ')}-agent fill is the throughput run's` : ''),
    [
      'agents',
      'containers',
      'containers/s',
      'CPU ms/ctr',
      'RSS B/ctr',
      'manager RSS',
      '×fill: rate',
      'cpu',
      'rss',
      '×agents: rate',
      'cpu',
      'rss',
    ],
    f.rows.map((r) => [
      int(r.agents),
      int(r.containers),
      int(r.perSecond),
      r.managerCpuMsPerContainer.toFixed(3),
      int(r.managerRssBytesPerContainer),
      mib(r.managerRssBytes),
      g(r.growthByContainers.perSecond),
      g(r.growthByContainers.cpuMsPerContainer),
      g(r.growthByContainers.rssBytesPerContainer),
      g(r.growthByAgents.perSecond),
      g(r.growthByAgents.cpuMsPerContainer),
      g(r.growthByAgents.rssBytesPerContainer),
    ]),
  );
}
