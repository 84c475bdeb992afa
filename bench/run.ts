// `npm run bench`: runs the benchmark sections in turn (scheduler, throughput, latency, api, scaling, recovery,
// failover, reschedule, profile, state), prints a table per section, and writes every figure with the run's context (git commit, node, the
// machine's load before and after each section) as JSON to bench/results/<date>.json (git-ignored). Sizes and
// sections come from flags or BENCH_* variables (bench/lib/config.ts; `npm run bench -- --help`).
// The manager runs from the build: `npm run build` first.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig, usage, type BenchConfig, type Section } from './lib/config.js';
import { machineLoad } from './lib/proc.js';
import { MANAGER_ROOT, ROOT, killAll } from './lib/processes.js';
import { table } from './lib/report.js';
import { run as scheduler, print as printScheduler } from './scheduler.js';
import * as throughput from './throughput.js';
import * as metricsCost from './metrics-cost.js';
import * as latency from './latency.js';
import * as api from './api-load.js';
import * as scaling from './scaling.js';
import * as recovery from './recovery.js';
import * as failover from './failover.js';
import * as reschedule from './reschedule.js';
import * as profile from './profile.js';
import * as state from './state.js';
import type { SimCluster } from './lib/cluster.js';

export interface BenchResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly node: string;
  readonly git: { readonly commit: string; readonly dirty: boolean };
  readonly machine: { readonly cpus: number; readonly uptimeBefore: string; readonly uptimeAfter: string };
  readonly config: BenchConfig;
  /** Load averages (1, 5, 15 min) before and after each section: the figures mean little without them. */
  readonly load: Record<string, { before: number[]; after: number[] }>;
  readonly sections: Partial<Record<Section, unknown>>;
  readonly errors: Partial<Record<Section, string>>;
  readonly file: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    const l = machineLoad();
    return `load average: ${l.load1}, ${l.load5}, ${l.load15}`;
  }
}

const loadNow = () => {
  const l = machineLoad();
  return [l.load1, l.load5, l.load15];
};

/** Runs the configured sections; `quiet` keeps tables and progress off stdout (the smoke test). */
export async function runBench(config: BenchConfig, quiet = false): Promise<BenchResult> {
  if (!existsSync(join(MANAGER_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error(`no build of the manager in ${MANAGER_ROOT}dist: run \`npm run build\` first`);
  }
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\..*/, '');
  const file = config.out ?? join(ROOT, 'bench', 'results', `${stamp}.json`);
  const logRoot = join(dirname(file), `${stamp}-logs`);
  const say = (s: string) => quiet || console.log(s);
  const uptimeBefore = uptime();
  say(`mesoswarm benchmarks (${config.quick ? 'quick' : 'full'}): ${config.sections.join(', ')}\n${uptimeBefore}`);
  const sections: BenchResult['sections'] = {};
  const errors: BenchResult['errors'] = {};
  const load: BenchResult['load'] = {};
  const fills: throughput.ThroughputFigures[] = [];
  let kept: SimCluster | undefined;
  const shared = config.recovery.agents === config.api.agents && config.recovery.containers === config.api.containers;

  for (const section of config.sections) {
    const before = loadNow();
    const logDir = join(logRoot, section);
    say(`\n== ${section} ==`);
    try {
      switch (section) {
        case 'scheduler': {
          const figures = scheduler();
          sections.scheduler = figures;
          if (!quiet) printScheduler(figures);
          break;
        }
        case 'throughput': {
          const figures = await throughput.run({
            ...config.throughput,
            concurrency: config.concurrency,
            memMb: config.memMb,
            allocationIntervalMs: config.allocationIntervalMs,
            // Sampled at the scaling curve's fill levels too, so the curve can reuse this fill.
            checkpoints: [1_000, 10_000, 100_000, ...config.scaling.containers].filter(
              (n) => n < config.throughput.containers,
            ),
            logDir,
            quiet,
          });
          fills.push(figures);
          sections.throughput = figures;
          if (!quiet) throughput.print(figures);
          break;
        }
        case 'metrics': {
          const figures = await metricsCost.run({
            ...config.metrics,
            concurrency: config.concurrency,
            memMb: config.memMb,
            allocationIntervalMs: config.allocationIntervalMs,
            logDir,
            quiet,
          });
          sections.metrics = figures;
          if (!quiet) metricsCost.print(figures);
          break;
        }
        case 'latency': {
          const figures = await latency.run({ ...config.latency, engineTcp: config.latency.engine, logDir, quiet });
          sections.latency = figures;
          if (!quiet) latency.print(figures);
          break;
        }
        case 'api': {
          const keep = shared && config.sections.includes('recovery');
          const { cluster, ...figures } = await api.run({
            ...config.api,
            concurrency: config.concurrency,
            memMb: config.memMb,
            logDir,
            keepCluster: keep,
            quiet,
          });
          kept = cluster;
          sections.api = figures;
          if (!quiet) api.print(figures);
          break;
        }
        case 'scaling': {
          const figures = await scaling.run(
            {
              ...config.scaling,
              concurrency: config.concurrency,
              memMb: config.memMb,
              allocationIntervalMs: config.allocationIntervalMs,
              logDir,
              quiet,
            },
            fills,
          );
          sections.scaling = figures;
          if (!quiet) scaling.print(figures);
          break;
        }
        case 'recovery': {
          const prepared = kept;
          kept = undefined;
          const figures = await recovery.run(
            { ...config.recovery, concurrency: config.concurrency, memMb: config.memMb, logDir, quiet },
            prepared,
          );
          sections.recovery = figures;
          if (!quiet) recovery.print(figures);
          break;
        }
        case 'failover': {
          const figures = await failover.run({
            ...config.failover,
            concurrency: config.concurrency,
            memMb: config.memMb,
            logDir,
            quiet,
          });
          sections.failover = figures;
          if (!quiet) failover.print(figures);
          break;
        }
        case 'reschedule': {
          const figures = await reschedule.run({
            ...config.reschedule,
            concurrency: config.concurrency,
            memMb: config.memMb,
            logDir,
            quiet,
          });
          sections.reschedule = figures;
          if (!quiet) reschedule.print(figures);
          break;
        }
        case 'profile': {
          mkdirSync(dirname(file), { recursive: true });
          const figures = await profile.run({
            ...config.profile,
            concurrency: config.concurrency,
            memMb: config.memMb,
            allocationIntervalMs: config.allocationIntervalMs,
            keepAs: file.replace(/\.json$/, '') + '-manager.cpuprofile',
            logDir,
            quiet,
          });
          sections.profile = figures;
          if (!quiet) profile.print(figures);
          break;
        }
        case 'state': {
          const figures = await state.run({ ...config.state, concurrency: config.concurrency, quiet });
          sections.state = figures;
          if (!quiet) state.print(figures);
          break;
        }
      }
    } catch (err) {
      // One section failing (no Docker engine for the latency run, say) does not lose the others' figures.
      errors[section] = (err as Error).stack ?? String(err);
      say(`  ${section} failed: ${(err as Error).message}`);
    }
    load[section] = { before, after: loadNow() };
  }
  await kept?.close();

  const uptimeAfter = uptime();
  const result: BenchResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    git: { commit: git(['rev-parse', 'HEAD']), dirty: git(['status', '--porcelain', '--', 'src']) !== '' },
    machine: { cpus: machineLoad().cpus, uptimeBefore, uptimeAfter },
    config,
    load,
    sections,
    errors,
    file,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  if (!quiet) {
    table(
      'Machine load (1/5/15-minute load averages) around each section',
      ['section', 'before', 'after'],
      Object.entries(load).map(([s, l]) => [s, l.before.join(' / '), l.after.join(' / ')]),
    );
    console.log(`\n${uptimeAfter}\nfigures: ${file}\nlogs: ${logRoot}`);
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Interrupted: take the manager and the double down too (they would go on loading a shared machine).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  let config;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\n${usage()}`);
    process.exit(2);
  }
  if (config === 'help') {
    console.log(usage());
  } else {
    const result = await runBench(config);
    const failed = Object.keys(result.errors);
    if (failed.length) {
      console.error(`\nsections that failed: ${failed.join(', ')} (details in the JSON)`);
      process.exitCode = 1;
    }
  }
}
