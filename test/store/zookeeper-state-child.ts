// The process zookeeper-state-kill.test.ts kills: it holds a stand-in leader's fence (an ephemeral znode of its own
// session), appends to the shared state in ZooKeeper without pause, prints `ack <key> <value>` once each append has
// resolved (stdout is a pipe, written synchronously on Linux, so a printed ack was durable first), and after
// `COMPACT_AFTER` acks starts a compaction of its whole state while it keeps appending, printing `compacting` as the
// snapshot begins and `switched` once the pointer moved. Values per key only grow, so the parent can check "at
// least what was acknowledged". Each entry carries some random padding, so a snapshot spans several chunks.
import { randomBytes } from 'node:crypto';
import type { StateEntry } from '../../src/cluster/mesos/persistence.js';
import { openZooKeeperState } from '../../src/store/zookeeper-state.js';
import { ZOOKEEPER } from '../helpers/services.js';
import { zkClient } from '../helpers/zookeeper.js';
import { ephemeralFence } from '../helpers/state-backends.js';

type Entry = { k: string; v: number; pad: string };
const [root, compactAfter, keys] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const fence = await ephemeralFence(await zkClient());
const state = new Map<string, number>();
const pad = () => randomBytes(150).toString('hex');
const log = await openZooKeeperState({ hosts: ZOOKEEPER, root, fence: () => fence, sessionTimeoutMs: 5000 }).open(
  (e) => {
    const { k, v } = e as unknown as Entry;
    state.set(k, v);
  },
  () => [...state].map(([k, v]) => ({ k, v, pad: pad() }) as unknown as StateEntry),
);
let acks = 0;
let compacting = false;
let counter = Math.max(0, ...state.values()) + 1;
for (;;) {
  const batch: Promise<void>[] = [];
  for (let i = 0; i < 500; i++) {
    const k = `key${counter % keys}`;
    const v = counter++;
    state.set(k, v);
    const entry = { k, v, pad: pad() } as unknown as StateEntry;
    batch.push(log.append(entry).then(() => void process.stdout.write(`ack ${k} ${v}\n`)));
  }
  await Promise.all(batch);
  acks += batch.length;
  if (!compacting && acks >= compactAfter) {
    compacting = true;
    void log
      .compact(
        (function* () {
          process.stdout.write('compacting\n');
          for (const [k, v] of state) yield { k, v, pad: pad() } as unknown as StateEntry;
        })(),
      )
      .then(() => void process.stdout.write('switched\n'));
  }
}
