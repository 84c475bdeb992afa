// Removes the shared state's chunks nothing points at any more: a replaced snapshot, the log before the pointer's
// `from`, a snapshot whose compaction failed or died before its switch. It runs in the background, a batch per
// multi-op (behind the fence, like every write), taking turns with the appends so they never wait for more than one
// batch. Nothing depends on it finishing: replay reads only what the pointer names. Log chunks go in ascending order,
// so what a killed manager leaves is a run ending just before `from`, which the next opening finds by walking down.
import type { FencedWriter } from './zookeeper-fence.js';
import type { ZkOp, ZooKeeperSession } from './zookeeper-session.js';

/** Removals per multi-op (each a path of ~60 bytes: far under jute.maxbuffer). */
const BATCH = 200;

const seqName = (seq: number) => String(seq).padStart(10, '0');

export class Tidy {
  readonly #session: ZooKeeperSession;
  readonly #writer: FencedWriter;
  readonly #turn: (step: () => Promise<void>) => Promise<void>;
  readonly #atVersion: () => ZkOp;
  readonly #queue: Iterator<string>[] = [];
  #running = false;
  #stopped = false;

  constructor(
    session: ZooKeeperSession,
    writer: FencedWriter,
    turn: (step: () => Promise<void>) => Promise<void>,
    /** The pointer's version check: a manager whose state was taken over removes nothing more. */
    atVersion: () => ZkOp,
  ) {
    this.#session = session;
    this.#writer = writer;
    this.#turn = turn;
    this.#atVersion = atVersion;
  }

  /** Removes chunks 0..chunks-1 of snapshot `id`. */
  snapshot(root: string, id: string, chunks: number): void {
    this.#add(
      (function* () {
        for (let i = 0; i < chunks; i++) yield `${root}/snapshots/${id}-${seqName(i)}`;
      })(),
    );
  }

  /** Removes log chunks from..to-1. */
  log(root: string, from: number, to: number): void {
    this.#add(
      (function* () {
        for (let seq = from; seq < to; seq++) yield `${root}/log/${seqName(seq)}`;
      })(),
    );
  }

  /** Finds what an earlier manager left (snapshots other than `current`, the log's run before `from`) and removes it. */
  leftovers(root: string, current: string | null, from: number): void {
    const find = async () => {
      const stale = (await this.#session.getChildren(`${root}/snapshots`))
        .filter((name) => current === null || !name.startsWith(`${current}-`))
        .sort()
        .map((name) => `${root}/snapshots/${name}`);
      let first = from;
      while (first > 0 && !this.#stopped && (await this.#session.exists(`${root}/log/${seqName(first - 1)}`))) first--;
      this.#add(stale.values());
      this.log(root, first, from);
    };
    find().catch(() => undefined); // a lost session stops the writer anyway; leftovers wait for the next opening
  }

  stop(): void {
    this.#stopped = true;
  }

  #add(paths: Iterator<string>): void {
    this.#queue.push(paths);
    this.#kick();
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#run().finally(() => {
      this.#running = false;
      // Work added between the loop's last look and now.
      if (this.#queue.length && !this.#stopped && !this.#writer.stopped) this.#kick();
    });
  }

  async #run(): Promise<void> {
    while (this.#queue.length && !this.#stopped && !this.#writer.stopped) {
      const batch: string[] = [];
      while (batch.length < BATCH && this.#queue.length) {
        const next = this.#queue[0]!.next();
        if (next.done) this.#queue.shift();
        else batch.push(next.value);
      }
      if (!batch.length) continue;
      try {
        await this.#turn(() => this.#remove(batch));
      } catch {
        return; // the writer stopped (its error is every later write's), or the session went
      }
    }
  }

  async #remove(paths: string[]): Promise<void> {
    // Only this manager removes (it leads), so what exists now is what the multi-op may remove.
    const present = await this.#present(paths);
    if (!present.length) return;
    await this.#writer.write(
      [this.#atVersion(), ...present.map((path) => ({ op: 'remove' as const, path }))],
      async () => (await this.#present(present)).length === 0,
      `removing ${present.length} unreferenced chunks`,
    );
  }

  async #present(paths: string[]): Promise<string[]> {
    const found = await Promise.all(paths.map((path) => this.#session.exists(path)));
    return paths.filter((_, i) => found[i]);
  }
}
