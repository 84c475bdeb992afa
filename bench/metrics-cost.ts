// What the Prometheus instruments cost: the throughput load (sim mode) against the manager with metrics on and with
// `--metrics=false`, in alternating rounds of the same run (on, off, off, on, …, so drift on a shared machine falls
// on both sides). Reports manager CPU per container and the rate for each, and their ratio. The instruments' cost
// is on the request path (a counter and a histogram per request) and in the Mesos driver (a few counters per task);
// gauges are read only when Prometheus scrapes, and nothing scrapes here.
import { run as fill } from './throughput.js';
import { table, int } from './lib/report.js';
import { createMetrics } from '../src/metrics/index.js';

export interface MetricsCostConfig {
  readonly agents: number;
  readonly containers: number;
  readonly rounds: number;
  readonly concurrency: number;
  readonly memMb: number;
  readonly allocationIntervalMs?: number;
  readonly logDir: string;
  readonly quiet?: boolean;
}

interface Side {
  readonly cpuMsPerContainer: number[];
  readonly perSecond: number[];
}

export interface MetricsCostFigures {
  readonly agents: number;
  readonly containers: number;
  readonly rounds: number;
  readonly on: Side & { readonly meanCpuMsPerContainer: number; readonly meanPerSecond: number };
  readonly off: Side & { readonly meanCpuMsPerContainer: number; readonly meanPerSecond: number };
  /** on / off: above 1 is what metrics cost. */
  readonly cpuRatio: number;
  /**
   * The instrument calls one container causes (two API requests, two status updates and their acknowledgements, a
   * placement, a launch and a pass), timed alone in this process: CPU µs per container, and as a share of the
   * metrics-off manager's CPU per container. On a shared machine this is the figure that resolves a few percent.
   */
  readonly instrumentMicrosPerContainer: number;
  readonly instrumentShare: number;
}

/** CPU time of the instrument calls of one container, measured over many (a load-independent figure). */
export function instrumentCost(iterations = 200_000): number {
  const metrics = createMetrics({ enabled: true });
  const create = metrics.api.route('/containers/create');
  const one = () => {
    create.observe('POST', 201, 0.004);
    metrics.api.route('/containers/*name/start').observe('POST', 204, 0.2);
    metrics.mesos.statusUpdate('TASK_STARTING', undefined);
    metrics.mesos.statusUpdate('TASK_RUNNING', undefined);
    metrics.mesos.acknowledged();
    metrics.mesos.acknowledged();
    metrics.placement.placed(0.05);
    metrics.mesos.launched(1);
    metrics.placement.pass(0.002, 1);
  };
  for (let i = 0; i < iterations / 10; i++) one();
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i++) one();
  const used = process.cpuUsage(before);
  metrics.close();
  return (used.user + used.system) / iterations;
}

export async function run(config: MetricsCostConfig): Promise<MetricsCostFigures> {
  const on: Side = { cpuMsPerContainer: [], perSecond: [] };
  const off: Side = { cpuMsPerContainer: [], perSecond: [] };
  for (let round = 0; round < config.rounds; round++) {
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const metrics of order) {
      if (!config.quiet) console.log(`  [metrics] round ${round + 1}: metrics ${metrics ? 'on' : 'off'}`);
      const figures = await fill({
        agents: config.agents,
        containers: config.containers,
        concurrency: config.concurrency,
        memMb: config.memMb,
        allocationIntervalMs: config.allocationIntervalMs,
        baselineOps: 0,
        skipBaseline: true,
        checkpoints: [],
        manageArgs: metrics ? [] : ['--metrics=false'],
        logDir: `${config.logDir}/${metrics ? 'on' : 'off'}-${round + 1}`,
        quiet: true,
      });
      const side = metrics ? on : off;
      side.cpuMsPerContainer.push(figures.manager.cpuMsPerContainer);
      side.perSecond.push(figures.placement.sustainedPerSecond);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = (s: Side) => ({
    ...s,
    meanCpuMsPerContainer: mean(s.cpuMsPerContainer),
    meanPerSecond: mean(s.perSecond),
  });
  const a = summary(on);
  const b = summary(off);
  const micros = instrumentCost();
  return {
    instrumentMicrosPerContainer: micros,
    instrumentShare: micros / 1000 / b.meanCpuMsPerContainer,
    agents: config.agents,
    containers: config.containers,
    rounds: config.rounds,
    on: a,
    off: b,
    cpuRatio: a.meanCpuMsPerContainer / b.meanCpuMsPerContainer,
  };
}

export function print(f: MetricsCostFigures): void {
  const list = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(', ');
  table(
    `Metrics cost: ${int(f.containers)} create+start at ${int(f.agents)} agents, ${f.rounds} alternating rounds; ` +
      'baseline: the same manager with --metrics=false',
    ['figure', 'metrics on', '--metrics=false', 'on / off', 'target'],
    [
      [
        'manager CPU ms per container (mean; each round)',
        `${f.on.meanCpuMsPerContainer.toFixed(3)} (${list(f.on.cpuMsPerContainer, 3)})`,
        `${f.off.meanCpuMsPerContainer.toFixed(3)} (${list(f.off.cpuMsPerContainer, 3)})`,
        f.cpuRatio.toFixed(3),
        '≤ 1.03',
      ],
      [
        'instrument calls alone, CPU µs per container (share of off)',
        `${f.instrumentMicrosPerContainer.toFixed(2)} (${(f.instrumentShare * 100).toFixed(2)}%)`,
        '',
        '',
        '≤ 3%',
      ],
      [
        'containers/s, sustained (mean)',
        int(f.on.meanPerSecond),
        int(f.off.meanPerSecond),
        (f.on.meanPerSecond / f.off.meanPerSecond).toFixed(3),
        '',
      ],
    ],
  );
}
