// The closed-loop load generator: `concurrency` clients, each doing one operation, then the next, until `total`
// operations are done. Records each operation's latency and when it completed, so the report can give both the
// overall rate and the sustained one (the middle of the run, without ramp-up and the last stragglers).
import { Samples, type Summary } from './stats.js';
import { self } from './proc.js';

export interface LoadOptions {
  readonly concurrency: number;
  readonly total: number;
  /** One operation; `i` is its index in 0…total-1. Throws on failure. */
  readonly op: (i: number, client: number) => Promise<void>;
  /** Give up after this many failed operations (the first few messages are kept). */
  readonly maxErrors?: number;
  /** Called about once a second with the operations done so far. */
  readonly progress?: (done: number, elapsedMs: number) => void;
  /** Called synchronously the moment each of these many operations have completed (for per-size samples). */
  readonly checkpoints?: readonly number[];
  readonly onCheckpoint?: (done: number, elapsedMs: number) => void;
}

export interface LoadResult {
  readonly ops: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly wallSeconds: number;
  /** ops / wall time. */
  readonly overallPerSecond: number;
  /** Rate between the 10th and the 90th percentile of completions: the steady state. */
  readonly sustainedPerSecond: number;
  readonly latency: Summary;
  /** CPU seconds this process (the load generator) spent during the run. */
  readonly clientCpuSeconds: number;
}

export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Samples();
  const completions = new Float64Array(options.total);
  let next = 0;
  let done = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const maxErrors = options.maxErrors ?? Math.max(10, Math.ceil(options.total / 100));
  let abort: Error | undefined;
  const cpu0 = self().cpuSeconds;
  const t0 = performance.now();
  const checkpoints = new Set(options.checkpoints ?? []);
  const timer = options.progress ? setInterval(() => options.progress!(done, performance.now() - t0), 1000) : undefined;
  timer?.unref();

  const client = async (c: number) => {
    while (!abort) {
      const i = next++;
      if (i >= options.total) return;
      const start = performance.now();
      try {
        await options.op(i, c);
        const end = performance.now();
        latencies.push(end - start);
        completions[done++] = end - t0;
        if (checkpoints.has(done)) options.onCheckpoint?.(done, end - t0);
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push((err as Error).message);
        if (errors >= maxErrors) abort = new Error(`${errors} operations failed; first: ${errorSamples.join(' | ')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.total) }, (_, c) => client(c)));
  clearInterval(timer);
  if (abort) throw abort;
  const wallSeconds = (performance.now() - t0) / 1000;
  const sorted = completions.subarray(0, done).sort();
  const lo = Math.floor(done * 0.1);
  const hi = Math.max(lo + 1, Math.floor(done * 0.9) - 1);
  const span = (sorted[hi]! - sorted[lo]!) / 1000;
  return {
    ops: done,
    errors,
    errorSamples,
    wallSeconds,
    overallPerSecond: done / wallSeconds,
    sustainedPerSecond: span > 0 ? (hi - lo) / span : done / wallSeconds,
    latency: latencies.summary(),
    clientCpuSeconds: self().cpuSeconds - cpu0,
  };
}
