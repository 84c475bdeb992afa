// A manager killed (SIGKILL) while its journal is being compacted loses nothing: every append acknowledged before
// the kill is found on reopening, with at least the value acknowledged, whatever point of the rewrite the kill hit
// (writing the temporary file, renaming it, appending to the new file). The killed process is a real one
// (journal-child.ts), killed at several moments after its compaction began.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Journal } from '../../src/store/journal.js';
import { runAndKill } from '../helpers/kill-child.js';

const child = fileURLToPath(new URL('./journal-child.ts', import.meta.url));

test('killed at any point of a compaction, the journal keeps every acknowledged append', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'journal-kill-'));
  try {
    const path = join(dir, 'state.jsonl');
    let total = 0;
    for (const killAfterMs of [0, 5, 25, 80, 200, 500]) {
      const acked = await runAndKill(child, [path, '40000'], { after: 'compacting', ms: killAfterMs });
      const stored = new Map<string, number>();
      const journal = await Journal.open<{ k: string; v: number }>(
        path,
        (e) => stored.set(e.k, e.v),
        () => [...stored].map(([k, v]) => ({ k, v })),
      );
      await journal.close();
      for (const [k, v] of acked) {
        assert.ok(
          (stored.get(k) ?? -1) >= v,
          `kill after ${killAfterMs} ms: ${k} acknowledged as ${v}, found ${stored.get(k)}`,
        );
      }
      total += acked.size;
    }
    assert.ok(total > 0);
    // Reopening finished or dropped the half-written temporary file: nothing is left beside the journal.
    assert.deepEqual(await readdir(dir), ['state.jsonl']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
