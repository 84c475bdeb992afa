// Writes a response made of many small pieces (a `docker ps` of 30,000 cached entries) through a few reused 1 MiB
// chunks instead of one buffer of the whole answer. A 38 MB answer allocated per call was external memory V8 counts
// towards a full collection: each `docker ps` of 30,000 containers started a mark-compact whose pauses (7-20 ms)
// landed on whatever request came next.
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 1 << 20;
const SPARE_CHUNKS_KEPT = 4;
const spare: Buffer[] = [];

/**
 * Writes `parts` in order, then ends `out`; resolves once the last byte is handed to the socket, or once the client
 * has gone away (nothing more is written then: a client leaving is not the manager's error).
 */
export async function writeGathered(out: Writable, parts: readonly Buffer[]): Promise<void> {
  const chunk = spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
  try {
    let used = 0;
    for (const part of parts) {
      if (used + part.length > CHUNK_BYTES && used > 0) {
        if (!(await writeOut(out, chunk.subarray(0, used)))) return;
        used = 0;
      }
      if (part.length > CHUNK_BYTES) {
        if (!(await writeOut(out, part))) return; // already one piece: no copy
        continue;
      }
      part.copy(chunk, used);
      used += part.length;
    }
    if (used > 0 && !(await writeOut(out, chunk.subarray(0, used)))) return;
    out.end();
  } finally {
    // Reused only once the socket is done with it: written, or the connection closed (its writes cancelled).
    if (spare.length < SPARE_CHUNKS_KEPT) spare.push(chunk);
  }
}

/** Whether `data` was written; false when the stream closed first (an HTTP response's socket may then drop it). */
function writeOut(out: Writable, data: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    if (out.destroyed) return resolve(false);
    const closed = () => resolve(false);
    out.once('close', closed);
    out.write(data, (err) => {
      out.off('close', closed);
      resolve(!err);
    });
  });
}
