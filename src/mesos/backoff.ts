// Truncated exponential backoff with jitter, shared by re-subscription, call retries and reconciliation rounds.
// Jitter matters here: after a master failover every framework reconnects at once, and without it they would all
// hit the new leader in lockstep.

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** The cap the delay never exceeds (the "truncated" part). */
  maxMs: number;
  /** Growth per attempt; 2 by default. */
  factor?: number;
  /** Fraction of the delay that is randomised away: 0.5 gives a delay in [d/2, d]. 0.5 by default. */
  jitter?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const base = Math.min(options.maxMs, options.initialMs * Math.pow(factor, Math.max(0, attempt)));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

/** Counts attempts; `next()` gives the delay for the coming retry, `reset()` starts over after a success. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    return backoffDelay(this.attempt++, this.options, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
