// Identifiers as a Mesos master and agent make them: random RFC-4122 v4 UUIDs (as text for master, stream and container
// IDs, as 16 raw bytes for status-update uuids), stout's lenient base64 decoder, and the ID rules the master applies
// to task, executor and framework IDs. Also the small seeded RNG the fuzz modes use, so a failing run can be replayed.
import { randomBytes, randomUUID } from 'node:crypto';

export const newUuid = (): string => randomUUID();

let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * 16 raw bytes of a version-4 UUID: what `id::UUID::random().toBytes()` gives, base64-encoded on the wire. Slices of
 * a shared random pool: one random draw and one backing store per 256 UUIDs matters at 100,000 tasks.
 */
export function newUuidBytes(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const b = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}

/**
 * `id::UUID::fromBytes`: exactly 16 bytes and a known RFC-4122 version (1-5), else "Not a valid UUID". Boost reads
 * the version from the high nibble of byte 6.
 */
export function isValidUuidBytes(bytes: Buffer): boolean {
  if (bytes.length !== 16) return false;
  const version = bytes[6]! >> 4;
  return version >= 1 && version <= 5;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * stout's base64::decode: stops at the first '=', skips whitespace, rejects any other non-alphabet character with
 * "Invalid character 'c'", and decodes a trailing partial quantum without complaint. Node's decoder silently drops
 * bad characters, which would accept what the master refuses.
 */
export function stoutBase64Decode(s: string): { bytes: Buffer } | { error: string } {
  const out: number[] = [];
  const quad: number[] = [];
  for (const ch of s) {
    if (ch === '=') break;
    if (/\s/.test(ch)) continue;
    const v = B64.indexOf(ch);
    if (v < 0 || ch.length !== 1) return { error: `Invalid character '${ch}'` };
    quad.push(v);
    if (quad.length === 4) {
      out.push(
        (quad[0]! << 2) | (quad[1]! >> 4),
        ((quad[1]! & 0xf) << 4) | (quad[2]! >> 2),
        ((quad[2]! & 3) << 6) | quad[3]!,
      );
      quad.length = 0;
    }
  }
  if (quad.length > 0) {
    const n = quad.length;
    while (quad.length < 4) quad.push(0);
    const three = [
      (quad[0]! << 2) | (quad[1]! >> 4),
      ((quad[1]! & 0xf) << 4) | (quad[2]! >> 2),
      ((quad[2]! & 3) << 6) | quad[3]!,
    ];
    for (let j = 0; j < n - 1; j++) out.push(three[j]! & 0xff);
  }
  return { bytes: Buffer.from(out.map((b) => b & 0xff)) };
}

/** common::validation::validateID, used for task, executor, agent and framework IDs. */
export function validateId(id: string): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (Buffer.byteLength(id) > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  // iscntrl() on each byte of the UTF-8 text: only ASCII control characters and DEL count.
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return `'${id}' contains invalid characters`;
  }
  return undefined;
}

/** mulberry32: tiny, fast and seedable; good enough to pick split points. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** MasterInfo.ip: the IPv4 address packed in network byte order and read as a little-endian uint32. */
export function packIpv4(ip: string): number {
  const parts = ip.split('.').map((p) => Number(p) & 0xff);
  if (parts.length !== 4) return 0;
  return ((parts[3]! << 24) >>> 0) + (parts[2]! << 16) + (parts[1]! << 8) + parts[0]!;
}
