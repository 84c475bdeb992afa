// Reads a manager's /metrics as Prometheus would: the text is linted by Prometheus' own promtool (Debian's
// `prometheus` package) and parsed by a Prometheus text-format parser, and tests look values up by name and labels.
import { spawnSync } from 'node:child_process';
import parse, { type Family } from 'parse-prometheus-text-format';
import { IN_CI } from './services.js';

/**
 * promtool's complaints about prom-client's own default metrics (gauges named `_total`), which are not ours to rename;
 * any other complaint fails the test.
 */
const KNOWN_DEFAULTS =
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

export interface Scrape {
  readonly families: Map<string, Family>;
  /** The value of one series: a counter or gauge by its labels (all given labels must match); 0 when absent. */
  value(name: string, labels?: Record<string, string>): number;
  /** An unlabelled histogram's count. */
  count(name: string): number;
  /**
   * One series' value by its exact text, e.g. `h_count{route="/a",method="GET"}`: the parser folds a labelled
   * histogram into one sample without its labels, so those are read from their line.
   */
  series(exact: string): number;
  readonly text: string;
}

export async function scrape(origin: string, init?: RequestInit): Promise<Scrape> {
  const res = await fetch(`${origin}/metrics`, init);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain')) throw new Error(`/metrics content type ${type}`);
  const text = await res.text();
  const families = new Map(parse(text).map((f) => [f.name, f]));
  const series = (name: string, labels: Record<string, string> = {}) =>
    (families.get(name)?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return {
    families,
    text,
    value: (name, labels) => series(name, labels).reduce((sum, m) => sum + Number(m.value ?? 0), 0),
    count: (name) => Number(families.get(name)?.metrics[0]?.count ?? 0),
    series: (exact) => {
      const line = text.split('\n').find((l) => l.startsWith(`${exact} `));
      return line === undefined ? 0 : Number(line.slice(exact.length + 1));
    },
  };
}

/** promtool's verdict on an exposition: the lines it complains about, known prom-client defaults left out. */
export function promtoolProblems(text: string): string[] | undefined {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) {
    if (IN_CI) throw new Error(`CI=true and promtool is missing (apt-get install prometheus): ${run.error.message}`);
    process.stderr.write('# promtool not found (apt-get install prometheus): lint skipped\n');
    return undefined;
  }
  return `${run.stdout}${run.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !KNOWN_DEFAULTS.test(l));
}
