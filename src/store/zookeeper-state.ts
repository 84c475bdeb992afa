// The store's log kept in ZooKeeper, shared by several managers of which one leads (the StateBackend of
// src/cluster/mesos/persistence.ts, with the journal's contract: appends durable before they resolve, compaction
// that keeps appends made meanwhile, encoding errors failing one append). Layout under `root`:
//
//   root                      the pointer: {snapshot, chunks, entries, from, owner}; its version is the epoch
//   root/snapshots/<id>-<i>   the compacted state, chunk i of snapshot <id> (zookeeper-chunks.ts packing)
//   root/log/<seq>            appended entries, one batch per chunk, seq counting up from `from` with no gap
//
// Replay reads the pointer's snapshot chunks, then log chunks from `from` until the first missing one. An append is
// one multi [election znode check, root version check, create log/<seq>]: appends made while one is in flight share
// the next chunk (group commit). A compaction writes its snapshot's chunks beside the live log (appends go on, into
// log/<seq> past `from`, the first seq not durable when the snapshot was begun), then moves the pointer with one
// versioned setData, the atomic switch; old chunks are removed afterwards (zookeeper-tidy.ts). Opening takes the
// state over: it bumps the pointer's version, so a previous writer's next write fails its version check even if its
// election znode still stood. Every write goes through FencedWriter (zookeeper-fence.ts).
import { randomBytes } from 'node:crypto';
import type { StateBackend, StateEntry, StateLog } from '../cluster/mesos/persistence.js';
import { badParameter, stoppedActing } from '../errors.js';
import { encodeLine, JournalEncodeError } from './journal.js';
import { RAW_PART, packLines } from './zookeeper-chunks.js';
import { readChunks } from './zookeeper-reader.js';
import { FencedWriter } from './zookeeper-fence.js';
import { Exception, MultiRefused, ZooKeeperSession, zkCode, type ZkOp } from './zookeeper-session.js';
import { Tidy } from './zookeeper-tidy.js';

export interface ZooKeeperStateOptions {
  /** A ZooKeeper connect string, `h1:2181,h2:2181`. */
  readonly hosts: string;
  /** The state's znode, an absolute path (e.g. /mesoswarm/<name>/state). */
  readonly root: string;
  readonly auth?: { readonly user: string; readonly password: string } | undefined;
  /** The current leader's own ephemeral election znode; undefined when this manager does not lead. */
  readonly fence: () => string | undefined;
  readonly sessionTimeoutMs?: number | undefined;
}

interface Pointer {
  readonly snapshot: string | null;
  readonly chunks: number;
  readonly entries: number;
  readonly from: number;
  /** Who wrote the pointer last (one token per opening), which tells a lost answer's write apart. */
  readonly owner: string;
}

/** An append waiting for its chunk. */
interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * What one log chunk costs a replay, in entries (the unit of `size`, by which the store decides to compact): a read
 * of its own, ~0.35 ms measured, against ~30 µs to parse a container's entry. Counted as one entry, a trickle of
 * single appends at 30,000 containers would make 240,000 chunks (80 s of replay) before the store's 8x rule
 * compacted; weighed so, ~4,700 (under 2 s).
 */
export const LOG_CHUNK_WEIGHT = 50;
/** Snapshot chunks being written at once during a compaction. */
const UPLOADS_IN_FLIGHT = 4;
/** Opening compacts a log that costs more to replay than its snapshot (and this much): replay time, not tidiness. */
const OPEN_COMPACT_COST = 1_000;

export function openZooKeeperState(options: ZooKeeperStateOptions): StateBackend {
  if (!/^(\/[^/]+)+$/.test(options.root)) {
    throw badParameter(`the shared state's znode must be an absolute path without a trailing /: ${options.root}`);
  }
  return { open: (replay, compactForm) => ZooKeeperStateLog.open(options, replay, compactForm) };
}

const seqName = (seq: number) => String(seq).padStart(10, '0');
const encodePointer = (p: Pointer) => Buffer.from(JSON.stringify(p));

class ZooKeeperStateLog implements StateLog {
  readonly #session: ZooKeeperSession;
  readonly #writer: FencedWriter;
  readonly #tidy: Tidy;
  readonly #root: string;
  readonly #owner = randomBytes(8).toString('hex');
  #pointer!: Pointer;
  /** The pointer's version: every append checks it, every switch moves it. */
  #version = 0;
  #nextSeq = 0;
  /** The log's replay cost, in entries: each entry, plus LOG_CHUNK_WEIGHT for each log chunk. */
  #size = 0;
  /** The cost appended since opening (what a compaction's appends add to its snapshot's). */
  #appended = 0;
  #pending: Pending[] = [];
  #flushQueued = false;
  /** The one ZooKeeper write in flight: appends and compaction steps take turns, in call order. */
  #tail: Promise<void> = Promise.resolve();
  #compaction: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(session: ZooKeeperSession, options: ZooKeeperStateOptions) {
    this.#session = session;
    this.#root = options.root;
    this.#writer = new FencedWriter(session, options.fence);
    this.#tidy = new Tidy(
      session,
      this.#writer,
      (step) => this.#exclusive(step),
      () => this.#atVersion(),
    );
    this.#writer.onStop((err) => {
      for (const p of this.#pending.splice(0)) p.reject(err);
    });
  }

  static async open(
    options: ZooKeeperStateOptions,
    replay: (entry: StateEntry) => void,
    compactForm: () => Iterable<StateEntry>,
  ): Promise<ZooKeeperStateLog> {
    const session = await ZooKeeperSession.connect(options.hosts, options);
    const log = new ZooKeeperStateLog(session, options);
    try {
      await log.#prepare();
      await log.#takeOver();
      const tail = await log.#replay(replay);
      if (tail.entries + LOG_CHUNK_WEIGHT * tail.chunks > Math.max(OPEN_COMPACT_COST, log.#pointer.entries)) {
        await log.compact(compactForm());
      }
      log.#tidy.leftovers(log.#root, log.#pointer.snapshot, log.#pointer.from);
      return log;
    } catch (err) {
      session.close();
      throw err;
    }
  }

  get size(): number {
    return this.#size;
  }

  append(entry: StateEntry): Promise<void> {
    if (this.#closed) return Promise.reject(stoppedActing());
    if (this.#writer.stopped) return Promise.reject(this.#writer.stopped);
    const line = encodeLine(entry); // a JournalEncodeError now, before the caller changes anything
    try {
      this.#writer.fence();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        void this.#exclusive(() => this.#flush());
      }
    });
  }

  compact(entries: Iterable<StateEntry>): Promise<void> {
    if (this.#closed) return Promise.reject(stoppedActing());
    const run = this.#compaction.then(() => this.#compact(entries));
    this.#compaction = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#tidy.stop();
    await this.#compaction;
    for (let tail = this.#tail; ; tail = this.#tail) {
      await tail;
      if (tail === this.#tail) break;
    }
    this.#session.close();
  }

  #exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(step);
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Creates the root (at version 1: the client cannot ask for version 0) and its two children, once. */
  async #prepare(): Promise<void> {
    const parts = this.#root.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      await this.#session.create(`/${parts.slice(0, i).join('/')}`, undefined, this.#session.parentAcl);
    }
    const empty = encodePointer({ snapshot: null, chunks: 0, entries: 0, from: 0, owner: '' });
    for (let created = false; !created;) {
      try {
        await this.#session.multi([
          { op: 'create', path: this.#root, data: empty },
          { op: 'set', path: this.#root, data: empty, version: -1 },
        ]);
        created = true;
      } catch (err) {
        // Made by another manager, or by this one's first try whose answer was lost.
        if (err instanceof MultiRefused && err.index === 0 && err.code === Exception.NODE_EXISTS) created = true;
        else if (zkCode(err) !== Exception.CONNECTION_LOSS) throw err;
      }
    }
    await this.#session.create(`${this.#root}/snapshots`, undefined, this.#session.ownAcl);
    await this.#session.create(`${this.#root}/log`, undefined, this.#session.ownAcl);
  }

  /**
   * Moves the pointer's version on (the same content, with this opening as its owner): an older writer's next write
   * fails its version check. Another opening moving it between the read and the write fails this one: two managers
   * opening at once both think they lead, and the election is the one to sort that out.
   */
  async #takeOver(): Promise<void> {
    const node = await this.#session.getData(this.#root);
    if (!node) throw new Error(`the shared state's znode ${this.#root} is gone`);
    const pointer = { ...(JSON.parse(node.data.toString('utf8')) as Pointer), owner: this.#owner };
    this.#version = await this.#setPointer(encodePointer(pointer), node.version, 'taking the shared state over');
    this.#pointer = pointer;
  }

  /** Sets the pointer at `version`; resolves with its new version. */
  async #setPointer(data: Buffer, version: number, what: string): Promise<number> {
    let landedAt: number | undefined;
    await this.#writer.write(
      [{ op: 'set', path: this.#root, data, version }],
      async () => {
        const now = await this.#session.getData(this.#root);
        if (!now?.data.equals(data)) return false;
        landedAt = now.version;
        return true;
      },
      what,
    );
    return landedAt ?? version + 1;
  }

  /** Hands every entry to `replay` in order: the snapshot's chunks, then the log's from `from` to its end. */
  async #replay(replay: (entry: StateEntry) => void): Promise<{ entries: number; chunks: number }> {
    const { snapshot, chunks, from } = this.#pointer;
    let snapshotEntries = 0;
    if (snapshot !== null) {
      await readChunks(
        this.#session,
        (i) => (i < chunks ? `${this.#root}/snapshots/${snapshot}-${seqName(i)}` : undefined),
        (entries) => {
          for (const entry of entries) replay(entry as StateEntry);
          snapshotEntries += entries.length;
        },
      );
    }
    let entries = 0;
    const read = await readChunks(
      this.#session,
      (i) => `${this.#root}/log/${seqName(from + i)}`,
      (batch) => {
        for (const entry of batch) replay(entry as StateEntry);
        entries += batch.length;
      },
    );
    this.#nextSeq = from + read;
    this.#size = snapshotEntries + entries + LOG_CHUNK_WEIGHT * read;
    return { entries, chunks: read };
  }

  /** Writes the next batch of pending appends as one log chunk. */
  async #flush(): Promise<void> {
    this.#flushQueued = false;
    if (!this.#pending.length) return;
    const batch: Pending[] = [];
    for (let bytes = 0; this.#pending.length && bytes < RAW_PART;) {
      const p = this.#pending.shift()!;
      batch.push(p);
      bytes += p.line.length;
    }
    try {
      const chunks = await packLines(batch.map((b) => b.line));
      const first = chunks[0]!;
      // What did not fit the first chunk goes back to the front, in order, for the next write.
      this.#pending.unshift(...batch.splice(first.lines));
      if ('oversized' in first) {
        batch[0]!.reject(new JournalEncodeError(first.oversized));
      } else {
        await this.#writeChunk(`${this.#root}/log/${seqName(this.#nextSeq)}`, first);
        this.#nextSeq++;
        this.#size += batch.length + LOG_CHUNK_WEIGHT;
        this.#appended += batch.length + LOG_CHUNK_WEIGHT;
        for (const b of batch) b.resolve();
      }
    } catch (err) {
      for (const b of batch) b.reject(err as Error);
    }
    if (this.#pending.length && !this.#flushQueued) {
      this.#flushQueued = true;
      void this.#exclusive(() => this.#flush());
    }
  }

  /** The check every write but the pointer's own carries: the pointer is still at the version this opening set. */
  #atVersion(): ZkOp {
    return { op: 'check', path: this.#root, version: this.#version };
  }

  /** Creates one chunk behind the fence, at the pointer's version. */
  #writeChunk(path: string, chunk: { readonly data: Buffer }): Promise<void> {
    return this.#writer.write(
      [this.#atVersion(), { op: 'create', path, data: chunk.data }],
      async () => (await this.#session.getData(path))?.data.equals(chunk.data) ?? false,
      `writing ${path}`,
    );
  }

  async #compact(entries: Iterable<StateEntry>): Promise<void> {
    if (this.#writer.stopped) throw this.#writer.stopped;
    // Every append not yet durable lands at `from` or later, so replaying the log from there on top of the
    // snapshot (read live, as the journal's compaction reads it) gives the state as it is when the switch lands.
    const from = this.#nextSeq;
    const appendedBefore = this.#appended;
    const id = `${seqName(from)}-${randomBytes(4).toString('hex')}`;
    let named = 0;
    let total = 0;
    let part: string[] = [];
    let bytes = 0;
    // Snapshot chunks are invisible until the switch, so they go up beside the appends, a few at a time.
    const uploads: Promise<void>[] = [];
    const upload = async () => {
      for (const chunk of await packLines(part)) {
        if ('oversized' in chunk) throw new JournalEncodeError(chunk.oversized);
        const written = this.#writeChunk(`${this.#root}/snapshots/${id}-${seqName(named++)}`, chunk);
        written.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled one
        uploads.push(written);
        if (uploads.length >= UPLOADS_IN_FLIGHT) await uploads.shift();
      }
      part = [];
      bytes = 0;
    };
    try {
      for (const entry of entries) {
        const line = encodeLine(entry);
        part.push(line);
        bytes += line.length;
        total++;
        if (bytes >= RAW_PART) await upload();
      }
      await upload();
      await Promise.all(uploads);
    } catch (err) {
      // The pointer never moved: the log is whole; what was uploaded of the snapshot goes.
      await Promise.allSettled(uploads);
      this.#tidy.snapshot(this.#root, id, named);
      throw err;
    }
    await this.#exclusive(async () => {
      const old = this.#pointer;
      const pointer: Pointer = { snapshot: id, chunks: named, entries: total, from, owner: this.#owner };
      this.#version = await this.#setPointer(encodePointer(pointer), this.#version, 'switching to a new snapshot');
      this.#pointer = pointer;
      this.#size = total + this.#appended - appendedBefore;
      if (old.snapshot !== null) this.#tidy.snapshot(this.#root, old.snapshot, old.chunks);
      this.#tidy.log(this.#root, old.from, from);
    });
  }
}
