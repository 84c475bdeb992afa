// A manager killed (SIGKILL) while its shared state in ZooKeeper is being compacted loses nothing: every append
// acknowledged before the kill is replayed by the next opening, with at least the value acknowledged, whatever point
// the kill hit (uploading the snapshot's chunks, moving the pointer, appending past it, removing the old chunks). The
// killed process is a real one (zookeeper-state-child.ts), killed at several moments after its compaction began; the
// next opening, under another fence, also removes what the killed one left unreferenced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from '../helpers/deadline.js';
import { needZooKeeper } from '../helpers/services.js';
import { zooKeeperPlace } from '../helpers/state-backends.js';
import { getData } from '../helpers/zookeeper.js';
import { eventually } from '../helpers/manager.js';

const child = fileURLToPath(new URL('./zookeeper-state-child.ts', import.meta.url));
const KEYS = 10_000;

/** When the kill comes: this long after the child printed this line. */
interface KillAt {
  readonly after: 'compacting' | 'switched';
  readonly ms: number;
}

/** Runs the child until the moment `at`, SIGKILLs it, returns what it acknowledged. */
function runAndKill(root: string, at: KillAt): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, root, String(KEYS), String(KEYS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = new Map<string, number>();
    let pending = '';
    let killing = false;
    const deadline = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('the child never started compacting'));
    }, within(60_000));
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === at.after && !killing) {
          killing = true;
          setTimeout(() => proc.kill('SIGKILL'), at.ms);
        } else if (line.startsWith('ack ')) {
          const [, k, v] = line.split(' ');
          acked.set(k!, Math.max(acked.get(k!) ?? 0, Number(v)));
        }
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`the child exited by itself (${signal ?? code})`));
      else resolve(acked);
    });
  });
}

test('killed at any point of a compaction, the shared state keeps every acknowledged append', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const place = await zooKeeperPlace();
  try {
    let total = 0;
    // Uploading the snapshot (the first four), the moment after the switch, removing the old chunks.
    const moments: KillAt[] = [0, 10, 60, 250].map((ms) => ({ after: 'compacting', ms }));
    moments.push({ after: 'switched', ms: 0 }, { after: 'switched', ms: 30 });
    for (const at of moments) {
      const acked = await runAndKill(place.root, at);
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
