// RecordIO framing on the SUBSCRIBE stream: byte (not character) lengths, no trailing newline, and in fuzz mode
// chunk boundaries inside the length digits, before the newline, inside multi-byte UTF-8, several records per
// chunk and one record over many chunks. Checked with the test's own reader, from the raw chunks as they arrived.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeRecord } from './recordio.js';
import { startMesosSim } from './index.js';
import { FRAMEWORK, RecordIOReader, Scheduler, dockerTask } from './helpers.js';

/** Where each record's prefix and payload lie in the concatenated stream. */
function layout(stream: Buffer): Array<{ start: number; newline: number; end: number }> {
  const out: Array<{ start: number; newline: number; end: number }> = [];
  let pos = 0;
  while (pos < stream.length) {
    const nl = stream.indexOf(0x0a, pos);
    const len = Number(stream.subarray(pos, nl).toString('latin1'));
    out.push({ start: pos, newline: nl, end: nl + 1 + len });
    pos = nl + 1 + len;
  }
  return out;
}

async function collect(fuzz: boolean, seed: number): Promise<{ chunks: Buffer[]; events: unknown[] }> {
  const sim = await startMesosSim({
    agents: 3,
    fuzz: fuzz ? { seed } : false,
    allocationIntervalMs: 20,
    heartbeatIntervalSeconds: 0.05,
  });
  try {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    for (const [i, o] of offers.entries()) await s.launch(o, [dockerTask(`fz-${i}`, o.agent_id.value)]);
    for (let i = 0; i < offers.length; i++) await s.ack(await s.update(`fz-${i}`, 'TASK_STARTING'));
    for (let i = 0; i < offers.length; i++) await s.update(`fz-${i}`, 'TASK_RUNNING');
    for (let i = 0; i < 6; i++) await s.next((e) => e.type === 'HEARTBEAT');
    await s.call('TEARDOWN');
    await s.endedPromise;
    return { chunks: s.chunks, events: s.events };
  } finally {
    await sim.close();
  }
}

describe('RecordIO', () => {
  test('lengths count UTF-8 bytes and no newline follows the payload', () => {
    const rec = encodeRecord('{"m":"ünï😀"}');
    const text = rec.toString('utf8');
    assert.equal(text, `${Buffer.byteLength('{"m":"ünï😀"}')}\n{"m":"ünï😀"}`);
    assert.ok(!text.endsWith('\n'));
    const r = new RecordIOReader();
    assert.deepEqual(
      r.push(Buffer.concat([rec, rec])).map((b) => b.toString()),
      ['{"m":"ünï😀"}', '{"m":"ünï😀"}'],
    );
  });

  test('without fuzzing every record is written whole', async () => {
    const { chunks } = await collect(false, 0);
    const stream = Buffer.concat(chunks);
    const records = layout(stream);
    assert.equal(records.at(-1)!.end, stream.length, 'the stream ends on a record boundary');
    assert.ok(records.length > 5);
  });

  for (const seed of [1, 42, Date.now() % 1_000_000]) {
    test(`fuzz mode (seed ${seed}) splits the byte stream everywhere it hurts`, async () => {
      const { chunks, events } = await collect(true, seed);
      const stream = Buffer.concat(chunks);
      const records = layout(stream);
      assert.equal(records.length, events.length, 'every record was decoded by the reader');
      assert.equal(records.at(-1)!.end, stream.length);
      const cuts: number[] = [];
      let off = 0;
      for (const c of chunks.slice(0, -1)) cuts.push((off += c.length));
      const inDigits = cuts.some((c) => records.some((r) => c > r.start && c < r.newline));
      const beforeNewline = cuts.some((c) => records.some((r) => c === r.newline));
      const inUtf8 = cuts.some((c) => (stream[c]! & 0xc0) === 0x80);
      const manyPerChunk = chunks.some((_, i) => {
        const start = cuts[i - 1] ?? 0;
        const end = cuts[i] ?? stream.length;
        return records.filter((r) => r.start >= start && r.start < end).length >= 2;
      });
      const spread = records.some((r) => cuts.filter((c) => c > r.start && c < r.end).length >= 3);
      assert.ok(inDigits, 'a chunk ends inside the length digits');
      assert.ok(beforeNewline, 'a chunk ends right before the newline');
      assert.ok(inUtf8, 'a chunk ends inside a multi-byte UTF-8 character');
      assert.ok(manyPerChunk, 'a chunk carries the starts of several records');
      assert.ok(spread, 'a record is spread over several chunks');
      assert.match(stream.toString('utf8'), /ünïcødé ✓ 😀/, 'agent data carries non-ASCII text');
    });
  }
});
