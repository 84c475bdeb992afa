// A durable append-only journal of JSON lines with group commit: every append resolves once its line is written
// and fsynced, and appends made while a flush runs share the next one, so durability costs one fsync per burst,
// not per call. On open the journal is replayed and rewritten compactly (the caller supplies the compact form),
// so it never grows without bound across restarts. A torn last line (a crash mid-write) is ignored.
//
// Nothing a caller hands it can break it: an entry is encoded when it is appended, so one that cannot be encoded
// fails that append at once (before the caller acknowledges anything) and never reaches the file; a compaction
// that cannot encode its entries, or whose entries fail to iterate, leaves the file as it was (every append kept)
// and rejects, and the journal keeps working. A compaction is a rewrite to a temporary file, fsynced and renamed
// over the journal: a process killed at any point leaves either the old file or the new one, whole.
import { open, readFile, rename, mkdir, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** An entry that JSON cannot encode (nested too deep for the stack, a BigInt, a cycle). */
export class JournalEncodeError extends Error {
  constructor(cause: unknown) {
    super(`cannot encode journal entry: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'JournalEncodeError';
  }
}

/** One entry as a journal line; throws JournalEncodeError instead of whatever JSON.stringify threw. */
export function encodeLine(entry: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(entry);
  } catch (err) {
    throw new JournalEncodeError(err);
  }
  if (json === undefined) throw new JournalEncodeError('not a JSON value');
  return `${json}\n`;
}

export class Journal<Entry> {
  readonly path: string;
  #file: FileHandle | undefined;
  #pending: { line: string; resolve: () => void; reject: (err: Error) => void }[] = [];
  #compactions: { entries: Iterable<Entry>; resolve: () => void; reject: (err: Error) => void }[] = [];
  #working: Promise<void> | undefined;
  #lines = 0;
  #closed = false;

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens (creating if needed) the journal at `path`: hands every stored entry to `replay`, then rewrites the file
   * as `compact()` returns it.
   */
  static async open<Entry>(
    path: string,
    replay: (entry: Entry) => void,
    compact: () => Iterable<Entry>,
  ): Promise<Journal<Entry>> {
    await mkdir(dirname(path), { recursive: true });
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue; // the torn tail of a crash; everything before it was fsynced
      }
      replay(entry);
    }
    const journal = new Journal<Entry>(path);
    await journal.#rewrite(compact());
    return journal;
  }

  /** Lines written since the last compaction. */
  get size(): number {
    return this.#lines;
  }

  /**
   * Appends one entry; resolves when it is on disk. The entry is encoded now: one that cannot be encoded throws
   * JournalEncodeError synchronously, so a caller that appends before it changes anything changes nothing.
   */
  append(entry: Entry): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('journal closed'));
    const line = encodeLine(entry);
    return new Promise((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      this.#work();
    });
  }

  /**
   * Replaces the file's content with `entries` (a compaction), atomically. `entries` is read when the rewrite
   * runs, after every append made so far is on disk: it must describe the state as it is then (a live view), so
   * nothing appended before the rewrite is lost, and what is appended during it follows it in the new file.
   */
  compact(entries: Iterable<Entry>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#compactions.push({ entries, resolve, reject });
      this.#work();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#working;
    await this.#file?.close();
    this.#file = undefined;
  }

  /** One worker does every write, in order, so an append never lands in a file a compaction is replacing. */
  #work(): void {
    this.#working ??= (async () => {
      while (this.#pending.length || this.#compactions.length) {
        if (this.#pending.length) {
          const batch = this.#pending;
          this.#pending = [];
          try {
            await this.#file!.write(batch.map((b) => b.line).join(''));
            await this.#file!.datasync();
            this.#lines += batch.length;
            for (const b of batch) b.resolve();
          } catch (err) {
            for (const b of batch) b.reject(err as Error);
          }
          continue;
        }
        const compaction = this.#compactions.shift()!;
        try {
          await this.#rewrite(compaction.entries);
          compaction.resolve();
        } catch (err) {
          compaction.reject(err as Error);
        }
      }
      this.#working = undefined;
    })();
  }

  async #rewrite(entries: Iterable<Entry>): Promise<void> {
    const temporary = `${this.path}.tmp`;
    const out = await open(temporary, 'w');
    let lines = 0;
    try {
      let chunk = '';
      for (const entry of entries) {
        chunk += encodeLine(entry);
        lines++;
        if (chunk.length > 1 << 20) {
          await out.write(chunk);
          chunk = '';
        }
      }
      await out.write(chunk);
      await out.datasync();
    } catch (err) {
      // The journal stays as it was, and stays open for appends.
      await out.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw err;
    }
    await out.close();
    await this.#file?.close();
    this.#file = undefined;
    try {
      await rename(temporary, this.path);
      await syncDirectory(dirname(this.path));
    } finally {
      // Whatever happened to the rename, appends go on into whichever file is now the journal.
      this.#file = await open(this.path, 'a');
    }
    this.#lines = lines;
  }
}

/** Makes a rename in `dir` durable (a machine crash right after it would otherwise be free to forget it). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse to sync a directory; the rename is still atomic for a killed process.
  } finally {
    await handle.close();
  }
}
