// RecordIO framing of the SUBSCRIBE stream: `<decimal byte length>\n<payload>`, records back to back, no separator.
// HTTP chunk boundaries are unrelated to record boundaries, so the decoder is a byte-level state machine that never
// assumes a chunk holds whole records, lengths or UTF-8 characters. Payload bytes are copied at most once: a record
// inside one chunk is a zero-copy view, a record spread over chunks is concatenated once when its last byte arrives
// (never by growing a buffer chunk by chunk, which is quadratic for big records).

import { RecordIOError } from './errors.js';

const LF = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;
const EMPTY = Buffer.alloc(0);

/** Larger than any event a master sends (a TASK_RUNNING with docker-inspect data is ~10 KiB); guards bad input. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

export class RecordIODecoder {
  /** Bytes still missing from the current record's payload; -1 while reading a length. */
  private remaining = -1;
  private length = 0;
  private digits = 0;
  private parts: Buffer[] = [];

  constructor(private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES) {}

  /**
   * Feeds one chunk and calls `onRecord` for each record it completes, in order. A record handed out may be a view
   * into `chunk`; copy it if it must outlive the call. Throws RecordIOError on a malformed length.
   */
  write(chunk: Uint8Array, onRecord: (record: Buffer) => void): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = buf.length;
    let i = 0;
    while (i < n) {
      if (this.remaining < 0) {
        let complete = false;
        while (i < n) {
          const c = buf[i++]!;
          if (c === LF) {
            if (this.digits === 0) throw new RecordIOError('RecordIO: empty record length');
            complete = true;
            break;
          }
          if (c < ZERO || c > NINE) {
            throw new RecordIOError(`RecordIO: unexpected byte 0x${c.toString(16).padStart(2, '0')} in record length`);
          }
          this.length = this.length * 10 + (c - ZERO);
          this.digits++;
          if (this.length > this.maxRecordBytes) {
            throw new RecordIOError(`RecordIO: record length exceeds ${this.maxRecordBytes} bytes`);
          }
        }
        if (!complete) return;
        const length = this.length;
        this.length = 0;
        this.digits = 0;
        if (length === 0) {
          onRecord(EMPTY);
        } else {
          this.remaining = length;
        }
        continue;
      }
      const take = Math.min(this.remaining, n - i);
      if (this.parts.length === 0 && take === this.remaining) {
        const record = buf.subarray(i, i + take);
        i += take;
        this.remaining = -1;
        onRecord(record);
        continue;
      }
      this.parts.push(buf.subarray(i, i + take));
      i += take;
      this.remaining -= take;
      if (this.remaining === 0) {
        const parts = this.parts;
        this.parts = [];
        this.remaining = -1;
        onRecord(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      }
    }
  }

  /** Convenience for tests and tools: the records a chunk completes, as an array. */
  decode(chunk: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    this.write(chunk, (record) => out.push(Buffer.from(record)));
    return out;
  }

  /** True when no partial length or payload is buffered, i.e. the stream may end here cleanly. */
  get atBoundary(): boolean {
    return this.remaining < 0 && this.digits === 0;
  }

  /** Bytes of the current partial record received so far (for diagnostics). */
  get bufferedBytes(): number {
    let total = 0;
    for (const part of this.parts) total += part.length;
    return total;
  }
}

/** Frames one payload (a string is encoded as UTF-8; the prefix counts bytes). */
export function encodeRecord(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}
