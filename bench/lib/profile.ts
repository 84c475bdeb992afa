// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function (name + file:line), largest first,
// with the share of the sampled time, plus the same grouped by file. Usable on its own:
//
//   node --import tsx bench/lib/profile.ts <file.cpuprofile> [top] [fromMs-toMs]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  readonly name: string;
  /** file:line, relative to the repository where it is ours. */
  readonly where: string;
  readonly selfMs: number;
  /** Share of all sampled time (idle included), percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time the process was busy (all samples but "(idle)"). */
  readonly busyMs: number;
  readonly functions: HotSpot[];
  /** Self time per file (or per category for V8's own entries such as "(garbage collector)"). */
  readonly files: { where: string; selfMs: number; percent: number }[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function place(url: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path.replace(/^.*node_modules\//, 'node_modules/');
}

/**
 * `window` keeps only the samples taken between `fromMs` and `toMs` after the profile began (the process start,
 * give or take node's own boot), so a summary covers the measured run and not start-up or shutdown.
 */
export function summarizeProfile(path: string, top = 25, window?: { fromMs: number; toMs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const from = window ? window.fromMs * 1000 : -Infinity;
  const to = window ? window.toMs * 1000 : Infinity;
  // timeDeltas[i] is the time since the previous sample: it belongs to sample i.
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    total += us;
    if (frame.functionName === '(idle)') idle += us;
    const file = place(frame.url);
    const name = frame.functionName || '(anonymous)';
    const where = file ? `${file}:${frame.lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const group = file || name;
    files.set(group, (files.get(group) ?? 0) + us);
  }
  const pct = (us: number) => (total ? (us / total) * 100 : 0);
  return {
    totalMs: total / 1000,
    busyMs: (total - idle) / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, percent: pct(f.us) })),
    files: [...files.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, us]) => ({ where, selfMs: us / 1000, percent: pct(us) })),
  };
}

export function printProfile(summary: ProfileSummary, top = 25): void {
  console.log(
    `  sampled ${summary.totalMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms ` +
      `(${((summary.busyMs / summary.totalMs) * 100).toFixed(0)} %); top self time:`,
  );
  for (const f of summary.functions.slice(0, top)) {
    console.log(`  ${f.selfMs.toFixed(0).padStart(8)} ms ${f.percent.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);
  }
  console.log('  by file:');
  for (const f of summary.files.slice(0, Math.min(top, 15))) {
    console.log(`  ${f.selfMs.toFixed(0).padStart(8)} ms ${f.percent.toFixed(1).padStart(5)} %  ${f.where}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx bench/lib/profile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 30);
  const [fromMs, toMs] = (process.argv[4] ?? '').split('-').map(Number);
  const window = fromMs !== undefined && toMs !== undefined && !Number.isNaN(toMs) ? { fromMs, toMs } : undefined;
  printProfile(summarizeProfile(file, top, window), top);
}
