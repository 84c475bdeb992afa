// The last ten minutes of queue depth and placement latency, in 5-second buckets, for the dashboard's charts.
// Placements are added as they happen (a few additions into the current bucket); the queue depth is read once per
// bucket from the driver's reading. A ring: nothing grows with uptime.
const BUCKET_MS = 5000;
const BUCKETS = 120;

export interface RecentSample {
  /** The bucket's start, ms since the epoch. */
  readonly t: number;
  /** Containers waiting when the bucket closed. */
  readonly queue: number;
  /** Containers placed in the bucket, and their wait (ms): mean and longest. */
  readonly placed: number;
  readonly waitMeanMs: number;
  readonly waitMaxMs: number;
}

interface Bucket {
  t: number;
  queue: number;
  placed: number;
  waitSum: number;
  waitMax: number;
}

export class Recent {
  readonly #ring: Bucket[] = [];
  #current: Bucket = { t: bucketStart(Date.now()), queue: 0, placed: 0, waitSum: 0, waitMax: 0 };
  #queueDepth: () => number = () => 0;
  #timer: NodeJS.Timeout | undefined;

  placed(waitSeconds: number): void {
    const now = Date.now();
    if (now - this.#current.t >= BUCKET_MS) this.#roll(now);
    const b = this.#current;
    b.placed++;
    b.waitSum += waitSeconds;
    if (waitSeconds > b.waitMax) b.waitMax = waitSeconds;
  }

  /** Reads the queue depth at the end of every bucket from now on. */
  watchQueue(depth: () => number): void {
    this.#queueDepth = depth;
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#roll(Date.now()), BUCKET_MS);
    this.#timer.unref();
  }

  /** Oldest first, the bucket in progress last (its queue depth read now). */
  samples(): RecentSample[] {
    const open = { ...this.#current, queue: this.#readQueue() };
    return [...this.#ring, open].map((b) => ({
      t: b.t,
      queue: b.queue,
      placed: b.placed,
      waitMeanMs: b.placed ? Math.round((b.waitSum / b.placed) * 1e4) / 10 : 0,
      waitMaxMs: Math.round(b.waitMax * 1e4) / 10,
    }));
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #roll(now: number): void {
    if (bucketStart(now) <= this.#current.t) return;
    const closing = this.#current;
    closing.queue = this.#readQueue();
    this.#ring.push(closing);
    if (this.#ring.length > BUCKETS) this.#ring.shift();
    // Empty buckets for a quiet stretch, so the chart's time axis has no holes.
    let t = closing.t + BUCKET_MS;
    const start = bucketStart(now);
    for (; t < start && this.#ring.length; t += BUCKET_MS) {
      this.#ring.push({ t, queue: closing.queue, placed: 0, waitSum: 0, waitMax: 0 });
      if (this.#ring.length > BUCKETS) this.#ring.shift();
    }
    this.#current = { t: start, queue: 0, placed: 0, waitSum: 0, waitMax: 0 };
  }

  #readQueue(): number {
    try {
      return this.#queueDepth();
    } catch {
      return 0;
    }
  }
}

function bucketStart(ms: number): number {
  return ms - (ms % BUCKET_MS);
}
