import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecordIODecoder, encodeRecord } from '../../src/mesos/recordio.js';
import { RecordIOError } from '../../src/mesos/errors.js';

const decodeAll = (chunks: Uint8Array[]): string[] => {
  const decoder = new RecordIODecoder();
  const out: string[] = [];
  for (const chunk of chunks) decoder.write(chunk, (r) => out.push(r.toString('utf8')));
  assert.ok(decoder.atBoundary, 'decoder ends at a record boundary');
  return out;
};

const splitAt = (buf: Buffer, cuts: number[]): Buffer[] => {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
};

test('decodes the captured stream prefix (no separator after a payload)', () => {
  const stream = Buffer.from('20\n{"type":"HEARTBEAT"}20\n{"type":"HEARTBEAT"}', 'utf8');
  assert.deepEqual(decodeAll([stream]), ['{"type":"HEARTBEAT"}', '{"type":"HEARTBEAT"}']);
});

test('lengths count bytes, not characters (multi-byte UTF-8)', () => {
  const payload = '{"type":"ERROR","error":{"message":"Ünïcödé 🚀 主机"}}';
  const framed = encodeRecord(payload);
  assert.equal(framed.toString('utf8').split('\n')[0], String(Buffer.byteLength(payload)));
  assert.notEqual(Buffer.byteLength(payload), payload.length);
  assert.deepEqual(decodeAll([framed]), [payload]);
});

test('every single split point of a mixed stream decodes identically', () => {
  const payloads = ['{"a":1}', '', 'x'.repeat(300), '{"hostname":"hôte-ü-🚀"}', '{}'];
  const stream = Buffer.concat(payloads.map((p) => encodeRecord(p)));
  for (let cut = 0; cut <= stream.length; cut++) {
    assert.deepEqual(decodeAll([stream.subarray(0, cut), stream.subarray(cut)]), payloads, `cut at ${cut}`);
  }
  // One byte per chunk: splits inside digits, before every LF, inside every UTF-8 sequence.
  const bytes = [...stream].map((b) => Buffer.from([b]));
  assert.deepEqual(decodeAll(bytes), payloads);
});

test('property: any records under any chunking decode to the same records', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeRecord(p)));
        const chunks = splitAt(stream, cuts);
        // Re-encoding through Buffer normalises lone surrogates exactly as the encoder did.
        const expected = payloads.map((p) => Buffer.from(p, 'utf8').toString('utf8'));
        assert.deepEqual(decodeAll(chunks), expected);
      },
    ),
    { numRuns: 500 },
  );
});

test('property: decoding is byte-exact for arbitrary binary payloads', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeRecord(p)));
        const decoder = new RecordIODecoder();
        const out: Buffer[] = [];
        for (const chunk of splitAt(stream, cuts)) decoder.write(chunk, (r) => out.push(Buffer.from(r)));
        assert.deepEqual(
          out.map((b) => b.toString('hex')),
          payloads.map((p) => Buffer.from(p).toString('hex')),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('zero-length records are delivered as empty records', () => {
  assert.deepEqual(decodeAll([Buffer.from('0\n0\n2\nab0\n')]), ['', '', 'ab', '']);
});

test('malformed lengths raise RecordIOError', () => {
  assert.throws(() => new RecordIODecoder().decode(Buffer.from('12a\n')), RecordIOError);
  assert.throws(() => new RecordIODecoder().decode(Buffer.from('\n')), RecordIOError);
  assert.throws(() => new RecordIODecoder().decode(Buffer.from('-1\n')), RecordIOError);
  assert.throws(() => new RecordIODecoder(100).decode(Buffer.from('101\n')), /exceeds/);
  // The limit is checked while digits arrive, so an endless digit run cannot overflow.
  assert.throws(() => new RecordIODecoder().decode(Buffer.from('9'.repeat(40))), /exceeds/);
});

test('atBoundary reports partial lengths and payloads', () => {
  const decoder = new RecordIODecoder();
  decoder.decode(Buffer.from('1'));
  assert.equal(decoder.atBoundary, false);
  decoder.decode(Buffer.from('0\nabc'));
  assert.equal(decoder.atBoundary, false);
  assert.equal(decoder.bufferedBytes, 3);
  assert.deepEqual(
    decoder.decode(Buffer.from('defghij')).map((b) => b.toString()),
    ['abcdefghij'],
  );
  assert.equal(decoder.atBoundary, true);
});

test('throughput: 300,000 events in 16 KiB chunks, and one 8 MiB record in 1 KiB chunks, stay linear', () => {
  const event = JSON.stringify({
    type: 'UPDATE',
    update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING' } },
  });
  const one = encodeRecord(event);
  const count = 300_000;
  const stream = Buffer.alloc(one.length * count);
  for (let i = 0; i < count; i++) one.copy(stream, i * one.length);
  let started = performance.now();
  let seen = 0;
  const decoder = new RecordIODecoder();
  for (let i = 0; i < stream.length; i += 16 * 1024) decoder.write(stream.subarray(i, i + 16 * 1024), () => seen++);
  const smallMs = performance.now() - started;
  assert.equal(seen, count);

  const big = encodeRecord(Buffer.alloc(8 * 1024 * 1024, 0x61));
  started = performance.now();
  let size = 0;
  for (let i = 0; i < big.length; i += 1024) decoder.write(big.subarray(i, i + 1024), (r) => (size = r.length));
  const bigMs = performance.now() - started;
  assert.equal(size, 8 * 1024 * 1024);
  // Generous bounds: a quadratic decoder takes minutes on the big record.
  assert.ok(smallMs < 3000, `small records took ${smallMs} ms`);
  assert.ok(bigMs < 3000, `big record took ${bigMs} ms`);
});
