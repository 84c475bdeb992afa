// A manager killed (SIGKILL) while its shared state in ZooKeeper is being compacted loses nothing: every append
// acknowledged before the kill is replayed by the next opening, with at least the value acknowledged, whatever point
// the kill hit (uploading the snapshot's chunks, moving the pointer, appending past it, removing the old chunks). The
// killed process is a real one (zookeeper-state-child.ts), killed at several moments after its compaction began; the
// next opening, under another fence, also removes what the killed one left unreferenced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runAndKill, type KillAt } from '../helpers/kill-child.js';
import { needZooKeeper } from '../helpers/services.js';
import { zooKeeperPlace } from '../helpers/state-backends.js';
import { getData } from '../helpers/zookeeper.js';
import { eventually } from '../helpers/manager.js';

const child = fileURLToPath(new URL('./zookeeper-state-child.ts', import.meta.url));
const KEYS = 10_000;

test('killed at any point of a compaction, the shared state keeps every acknowledged append', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const place = await zooKeeperPlace();
  try {
    let total = 0;
    // Uploading the snapshot (the first four), the moment after the switch, removing the old chunks.
    const moments: KillAt[] = [0, 10, 60, 250].map((ms) => ({ after: 'compacting', ms }));
    moments.push({ after: 'switched', ms: 0 }, { after: 'switched', ms: 30 });
    for (const at of moments) {
      const acked = await runAndKill(child, [place.root, String(KEYS), String(KEYS)], at);
      const killAfterMs = `${at.ms} ms after ${at.after}`;
      const stored = new Map<string, number>();
      const log = await place.reopen().open(
        (e) => {
          const { k, v } = e as unknown as { k: string; v: number };
          stored.set(k, v);
        },
        () => [],
      );
      await log.close();
      for (const [k, v] of acked) {
        assert.ok((stored.get(k) ?? -1) >= v, `kill ${killAfterMs}: ${k} acknowledged as ${v}, found ${stored.get(k)}`);
      }
      total += acked.size;
    }
    assert.ok(total > 0);
    // An opening removes what the killed managers left: one snapshot is left, and the log is one run from `from`.
    const log = await place.reopen().open(
      () => undefined,
      () => [],
    );
    const children = (path: string) =>
      new Promise<string[]>((resolve, reject) =>
        place.client.getChildren(path, (err, names) => (err ? reject(err) : resolve(names))),
      );
    const pointer = JSON.parse(await getData(place.client, place.root)) as { snapshot: string | null; from: number };
    await eventually(async () => {
      const stale = (await children(`${place.root}/snapshots`)).filter((n) => !n.startsWith(`${pointer.snapshot}-`));
      const before = (await children(`${place.root}/log`)).filter((n) => Number(n) < pointer.from);
      return (stale.length === 0 && before.length === 0) || undefined;
    }, 20_000);
    await log.close();
  } finally {
    await place.remove();
  }
});
