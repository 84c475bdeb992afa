// The journal: appends are durable once resolved, group-committed, and never lost to a compaction running at the
// same time (the compaction reads the live state when it runs; appends made meanwhile follow it in the new file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, JournalEncodeError } from '../../src/store/journal.js';

type Entry = { k: string; v: number };

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Replays a journal file into a map, last write wins, as the store does. */
async function replay(path: string): Promise<Map<string, number>> {
  const state = new Map<string, number>();
  const journal = await Journal.open<Entry>(
    path,
    (e) => state.set(e.k, e.v),
    () => [...state].map(([k, v]) => ({ k, v })),
  );
  await journal.close();
  return state;
}

test('appends resolve once written; many concurrent appends share few fsyncs and all survive', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'state.jsonl');
    const journal = await Journal.open<Entry>(
      path,
      () => {},
      () => [],
    );
    await Promise.all(Array.from({ length: 500 }, (_, i) => journal.append({ k: `key${i}`, v: i })));
    assert.equal(journal.size, 500);
    await journal.close();
    const state = await replay(path);
    assert.equal(state.size, 500);
    assert.equal(state.get('key499'), 499);
  });
});

test('a compaction running among appends loses none of them', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'state.jsonl');
    const live = new Map<string, number>();
    const journal = await Journal.open<Entry>(
      path,
      () => {},
      () => [],
    );
    const set = (k: string, v: number) => {
      live.set(k, v);
      return journal.append({ k, v });
    };
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) writes.push(set(`a${i}`, i));
    // The compaction is asked for while appends are queued and more keep coming during the rewrite.
    const compaction = journal.compact(
      (function* () {
        for (const [k, v] of live) yield { k, v };
      })(),
    );
    for (let i = 0; i < 200; i++) writes.push(set(`b${i}`, i), set(`a${i}`, i + 1000));
    await Promise.all([...writes, compaction]);
    await journal.close();
    const state = await replay(path);
    assert.deepEqual(state, live, 'every value as last written');
    const text = await readFile(path, 'utf8');
    assert.ok(text.endsWith('\n'));
  });
});

test('appends made while a compaction is writing the new file land in it', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'state.jsonl');
    const live = new Map<string, number>([['old', 1]]);
    const journal = await Journal.open<Entry>(
      path,
      () => {},
      () => [],
    );
    const during: Promise<void>[] = [];
    const compaction = journal.compact(
      (function* () {
        for (const [k, v] of [...live]) yield { k, v };
        // The snapshot is read; these changes happen while the new file is being written and renamed.
        setImmediate(() => {
          for (let i = 0; i < 50; i++) {
            live.set(`late${i}`, i);
            during.push(journal.append({ k: `late${i}`, v: i }));
          }
        });
      })(),
    );
    await compaction;
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(during);
    await journal.close();
    assert.deepEqual(await replay(path), live);
  });
});

test('a torn last line (a crash mid-write) is ignored; the lines before it stand', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'state.jsonl');
    const journal = await Journal.open<Entry>(
      path,
      () => {},
      () => [],
    );
    await journal.append({ k: 'x', v: 1 });
    await journal.close();
    const { appendFile } = await import('node:fs/promises');
    await appendFile(path, '{"k":"x","v":');
    assert.deepEqual(await replay(path), new Map([['x', 1]]));
  });
});

test('an entry that cannot be encoded fails its append at once and leaves the journal as it was', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'state.jsonl');
    const journal = await Journal.open<unknown>(
      path,
      () => {},
      () => [],
    );
    await journal.append({ k: 'before', v: 1 });
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.throws(
      () => void journal.append({ k: 'deep', v: deep }),
      JournalEncodeError,
      'thrown before anything is queued',
    );
    assert.throws(() => void journal.append({ k: 'big', v: 10n }), JournalEncodeError);
    await journal.append({ k: 'after', v: 2 });
    await journal.close();
    assert.deepEqual((await readFile(path, 'utf8')).trim().split('\n'), [
      '{"k":"before","v":1}',
      '{"k":"after","v":2}',
    ]);
  });
});

test('a compaction that cannot encode an entry, or whose entries throw, rejects and leaves the journal whole', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'state.jsonl');
    const journal = await Journal.open<unknown>(
      path,
      () => {},
      () => [],
    );
    for (let i = 0; i < 10; i++) await journal.append({ k: `a${i}`, v: i });
    await assert.rejects(
      journal.compact([
        { k: 'ok', v: 1 },
        { k: 'bad', v: 10n },
      ]),
      JournalEncodeError,
    );
    await assert.rejects(
      journal.compact(
        (function* () {
          yield { k: 'ok', v: 1 };
          throw new RangeError('Maximum call stack size exceeded');
        })(),
      ),
      RangeError,
    );
    // Still appending, into the same file, after the ten lines it had.
    await journal.append({ k: 'later', v: 11 });
    assert.equal(journal.size, 11);
    await journal.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines.at(-1), '{"k":"later","v":11}');
    assert.deepEqual(await readdir(dir), ['state.jsonl'], 'no temporary file left');
  });
});
