// How entries are packed into znodes: JSON lines (the journal's encoding, journal.ts `encodeLine`), deflated, each
// packed chunk at most CHUNK_LIMIT bytes. ZooKeeper refuses a znode or a request over jute.maxbuffer (1 MiB by
// default), so a chunk keeps well under it, with room for the multi-op's checks and paths. The manager's entries
// are mostly create bodies that differ in a few fields: deflate packs a realistic container's 2.3 KB into ~100 bytes
// (24x measured on the docker CLI's create body), which is what makes 100,000 containers a few MB of ZooKeeper.
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** Packed bytes per znode. */
export const CHUNK_LIMIT = 512 * 1024;
/** Raw bytes packed together in a snapshot chunk (a realistic snapshot packs 8 MiB into ~350 KB). */
export const RAW_PART = 8 * 1024 * 1024;

const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);
// Level 1: a snapshot of 30,000 containers (68 MB raw) packs in ~0.2 s; level 6 takes 3x longer for 12% less.
const LEVEL = { level: 1 };

/** A packed chunk and how many lines it holds; or a line too large for any chunk, and why. */
export type Chunk =
  { readonly data: Buffer; readonly lines: number } | { readonly oversized: string; readonly lines: 1 };

/**
 * Packs encoded lines (each ending in "\n") into chunks that fit the limit, in order. A line that does not fit a
 * chunk on its own comes back as `oversized`: it could never be stored, and failing it is the caller's to do.
 */
export async function packLines(lines: readonly string[]): Promise<Chunk[]> {
  if (!lines.length) return [];
  const data = await deflate(lines.join(''), LEVEL);
  if (data.length <= CHUNK_LIMIT) return [{ data, lines: lines.length }];
  if (lines.length === 1) {
    return [{ oversized: `entry packs to ${data.length} bytes, over the ${CHUNK_LIMIT} bytes of a znode`, lines: 1 }];
  }
  const half = Math.ceil(lines.length / 2);
  return [...(await packLines(lines.slice(0, half))), ...(await packLines(lines.slice(half)))];
}

/** The entries of one packed chunk, in order. A line that is not JSON is skipped, as the journal skips one. */
export async function unpack(data: Buffer): Promise<unknown[]> {
  // A small chunk (one append's) is inflated at once: the thread pool's round trip costs more than the work.
  const text = (data.length < 16 * 1024 ? zlib.inflateSync(data) : await inflate(data)).toString('utf8');
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // not ours to judge: the journal's rule (a line that does not parse is dropped, the rest stand)
    }
  }
  return out;
}
