// A durable append-only journal of JSON lines with group commit: every append resolves once its line is written
// and fsynced, and appends made while a flush runs share the next one, so durability costs one fsync per burst,
// not per call. On open the journal is replayed and rewritten compactly (the caller supplies the compact form),
// so it never grows without bound across restarts. A torn last line (a crash mid-write) is ignored.
import { open, readFile, rename, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class Journal<Entry> {
  readonly path: string;
  #file: FileHandle | undefined;
  #pending: { line: string; resolve: () => void; reject: (err: Error) => void }[] = [];
  #flushing: Promise<void> | undefined;
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

  /** Appends one entry; resolves when it is on disk. */
  append(entry: Entry): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('journal closed'));
    return new Promise((resolve, reject) => {
      this.#pending.push({ line: `${JSON.stringify(entry)}\n`, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Replaces the file's content with `entries` (a compaction), atomically. */
  async compact(entries: Iterable<Entry>): Promise<void> {
    await this.#flushing;
    await this.#rewrite(entries);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
    await this.#file?.close();
    this.#file = undefined;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length) {
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
    }
    this.#flushing = undefined;
  }

  async #rewrite(entries: Iterable<Entry>): Promise<void> {
    const temporary = `${this.path}.tmp`;
    const out = await open(temporary, 'w');
    let lines = 0;
    let chunk = '';
    for (const entry of entries) {
      chunk += `${JSON.stringify(entry)}\n`;
      lines++;
      if (chunk.length > 1 << 20) {
        await out.write(chunk);
        chunk = '';
      }
    }
    await out.write(chunk);
    await out.datasync();
    await out.close();
    await this.#file?.close();
    await rename(temporary, this.path);
    this.#file = await open(this.path, 'a');
    this.#lines = lines;
  }
}
