// Random identifiers (container IDs, task IDs) from a pooled buffer of cryptographic randomness: one
// randomFillSync per 64 KiB instead of one per ID, which showed in profiles at thousands of containers a second.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 64 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

function take(bytes: number): Buffer {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return out;
}

/** `bytes` random bytes as lowercase hex (64 characters for 32 bytes, as Docker's IDs). */
export function randomHex(bytes: number): string {
  return take(bytes).toString('hex');
}

/** A uniform integer in [min, max). */
export function randomInt(min: number, max: number): number {
  const span = max - min;
  // 32 random bits; the bias for spans far below 2^32 is negligible for naming.
  return min + (take(4).readUInt32LE(0) % span);
}
