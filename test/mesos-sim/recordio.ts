// RecordIO as the master writes it (`<decimal byte length>\n<payload>`, no trailing newline, lengths in bytes), and
// the fuzz splitter: given a run of bytes holding whole records, it picks cut points so that HTTP chunks end inside
// the length digits, just before the `\n`, inside a multi-byte UTF-8 sequence and at random places, while keeping
// several records in one chunk now and then. Chunk boundaries never mean anything to a correct reader.

export function encodeRecord(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}

/** Cut points (byte offsets into `record`, exclusive of 0 and length) that a fuzzer should use for this record. */
export function interestingCuts(record: Buffer, rng: () => number): number[] {
  const cuts: number[] = [];
  const nl = record.indexOf(0x0a);
  if (nl > 1) cuts.push(1 + Math.floor(rng() * (nl - 1))); // inside the digits
  if (nl > 0) cuts.push(nl); // between the digits and the newline
  const continuation: number[] = [];
  for (let i = nl + 1; i < record.length; i++) if ((record[i]! & 0xc0) === 0x80) continuation.push(i);
  if (continuation.length > 0) {
    // Split inside one or two multi-byte characters.
    cuts.push(continuation[Math.floor(rng() * continuation.length)]!);
    if (continuation.length > 4) cuts.push(continuation[Math.floor(rng() * continuation.length)]!);
  }
  const randomCuts = Math.floor(rng() * 4);
  for (let k = 0; k < randomCuts; k++) cuts.push(1 + Math.floor(rng() * Math.max(1, record.length - 1)));
  return cuts.filter((c) => c > 0 && c < record.length);
}

/**
 * Splits `data` (several records back to back, starting at `recordStarts`) into chunks. Most records get the cuts of
 * interestingCuts; record boundaries are cut only now and then, so chunks also join the end of one record with the
 * start (or the whole) of the next.
 */
export function fuzzSplit(data: Buffer, recordStarts: readonly number[], rng: () => number): Buffer[] {
  const cuts = new Set<number>();
  const ascii = (i: number) =>
    !data.subarray(recordStarts[i], recordStarts[i + 1] ?? data.length).some((b) => b >= 0x80);
  // When several records go out together, one ASCII record and the start of the next always share a chunk.
  const candidates = recordStarts
    .slice(0, -1)
    .map((_, i) => i)
    .filter(ascii);
  const together = candidates.length > 0 ? candidates[Math.floor(rng() * candidates.length)] : undefined;
  recordStarts.forEach((start, i) => {
    const end = recordStarts[i + 1] ?? data.length;
    const record = data.subarray(start, end);
    // Other ASCII-only records stay whole now and then too; multi-byte ones are always cut.
    const whole = i === together || (ascii(i) && rng() < 0.4);
    if (!whole) for (const c of interestingCuts(record, rng)) cuts.add(start + c);
    if (start > 0 && i - 1 !== together && rng() < 0.4) cuts.add(start);
  });
  const sorted = [...cuts].filter((c) => c > 0 && c < data.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(data.subarray(prev, c));
    prev = c;
  }
  out.push(data.subarray(prev));
  return out.filter((b) => b.length > 0);
}
