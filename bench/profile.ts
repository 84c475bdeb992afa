// Where the manager's time goes: the throughput benchmark's load with the manager under `node --cpu-prof`, and
// the profile's self time per function and per file over the placement run only (start-up and shutdown cut off).
// A separate run from the throughput figures, because the profiler itself costs a few percent.
import { mkdtempSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as throughput, type ThroughputFigures } from './throughput.js';
import { summarizeProfile, printProfile, type ProfileSummary } from './lib/profile.js';
import { int } from './lib/report.js';

export interface ProfileConfig {
  readonly agents: number;
  readonly containers: number;
  readonly concurrency: number;
  readonly memMb: number;
  readonly allocationIntervalMs?: number;
  readonly top: number;
  /** Where to keep the .cpuprofile (git-ignored), e.g. beside the results JSON. */
  readonly keepAs: string;
  readonly logDir: string;
  readonly quiet?: boolean;
}

export interface ProfileFigures {
  readonly agents: number;
  readonly containers: number;
  readonly perSecond: number;
  readonly managerCpuMsPerContainer: number;
  readonly file: string;
  /** The placement run within the profile, ms after the manager started (`bench/lib/profile.ts <file> 25 from-to`). */
  readonly window: { readonly fromMs: number; readonly toMs: number };
  readonly summary: ProfileSummary;
}

export async function run(config: ProfileConfig): Promise<ProfileFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'mesoswarm-bench-prof-'));
  try {
    if (!config.quiet)
      console.log(`  [profile] ${config.agents} agents, ${config.containers} containers, manager under --cpu-prof`);
    const figures: ThroughputFigures = await throughput({
      agents: config.agents,
      containers: config.containers,
      concurrency: config.concurrency,
      memMb: config.memMb,
      allocationIntervalMs: config.allocationIntervalMs,
      baselineOps: 0,
      skipBaseline: true,
      cpuProfDir: dir,
      logDir: config.logDir,
      quiet: true,
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the manager wrote no CPU profile (did it exit cleanly?)');
    copyFileSync(join(dir, file), config.keepAs);
    return {
      agents: config.agents,
      containers: config.containers,
      perSecond: figures.placement.sustainedPerSecond,
      managerCpuMsPerContainer: figures.manager.cpuMsPerContainer,
      file: config.keepAs,
      window: figures.window,
      summary: summarizeProfile(config.keepAs, config.top, figures.window),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function print(f: ProfileFigures): void {
  console.log(
    `\nWhere the manager's time goes: CPU profile of the placement run (${int(f.agents)} agents, ` +
      `${int(f.containers)} containers, ${int(f.perSecond)} containers/s under the profiler; ${f.file})`,
  );
  printProfile(f.summary, 20);
}
