// The process journal-kill.test.ts kills: it appends to a journal without pause, prints `ack <key> <value>` once each
// append has resolved (stdout is a pipe, written synchronously on Linux, so a printed ack was durable first), and
// after `COMPACT_AFTER` acks starts a compaction of its whole state while it keeps appending, printing `compacting`
// as the rewrite begins. Values per key only grow, so the parent can check "at least what was acknowledged".
import { Journal } from '../../src/store/journal.js';

type Entry = { k: string; v: number };
const [path, compactAfter] = [process.argv[2]!, Number(process.argv[3] ?? 50_000)];
const state = new Map<string, number>();
const journal = await Journal.open<Entry>(
  path,
  (e) => state.set(e.k, e.v),
  () => [...state].map(([k, v]) => ({ k, v })),
);
let acks = 0;
let compacting = false;
let counter = Math.max(0, ...state.values()) + 1;
for (;;) {
  const batch: Promise<void>[] = [];
  for (let i = 0; i < 500; i++) {
    const k = `key${counter % 40_000}`;
    const v = counter++;
    state.set(k, v);
    batch.push(journal.append({ k, v }).then(() => void process.stdout.write(`ack ${k} ${v}\n`)));
  }
  await Promise.all(batch);
  acks += batch.length;
  if (!compacting && acks >= compactAfter) {
    compacting = true;
    void journal.compact(
      (function* () {
        process.stdout.write('compacting\n');
        for (const [k, v] of state) yield { k, v: v };
      })(),
    );
  }
}
