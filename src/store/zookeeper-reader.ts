// Reading the shared state's chunks back in order, fast: many reads in flight at once (ZooKeeper answers one
// session's requests in order, so read-ahead costs nothing in ordering), each chunk unpacked and handed on strictly in
// turn. Replay time is what a failover waits for before `docker ps` can be right.
import { unpack } from './zookeeper-chunks.js';
import type { ZooKeeperSession } from './zookeeper-session.js';

/** Chunks read ahead (at most 64 × 512 KB packed in memory). */
const READ_AHEAD = 64;

/**
 * Reads the chunks `pathOf(0)`, `pathOf(1)`, … in order until `pathOf` says there are no more (a snapshot's chunks,
 * each of which must exist) or a chunk is missing (the log's end, which has no gap). Returns how many it read.
 */
export async function readChunks(
  session: ZooKeeperSession,
  pathOf: (i: number) => string | undefined,
  each: (entries: unknown[]) => void,
): Promise<number> {
  const bounded = pathOf(Number.MAX_SAFE_INTEGER) === undefined;
  // What is read ahead is the packed bytes (≤ 512 KB each); a chunk is unpacked only in its turn, so a snapshot of
  // 100,000 containers is never all inflated at once (55 chunks of 8 MB of JSON: that was GC thrash).
  const ahead: { path: string; node: Promise<{ data: Buffer } | undefined> }[] = [];
  let asked = 0;
  const ask = () => {
    const path = pathOf(asked++);
    if (path === undefined) return false;
    const node = session.getData(path);
    node.catch(() => undefined); // awaited in turn below; one failing ahead of its turn is not unhandled
    ahead.push({ path, node });
    return true;
  };
  while (ahead.length < READ_AHEAD && ask());
  let read = 0;
  while (ahead.length) {
    const { path, node } = ahead.shift()!;
    const found = await node;
    if (!found) {
      if (bounded) throw new Error(`the shared state's snapshot chunk ${path} is missing`);
      break; // the log's end; what was asked for past it is missing too
    }
    let entries: unknown[];
    try {
      entries = await unpack(found.data);
    } catch (err) {
      throw new Error(`the shared state's chunk ${path} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    each(entries);
    read++;
    ask();
  }
  return read;
}
