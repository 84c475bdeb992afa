import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addScalars,
  attributeLabels,
  attributeValue,
  compareScalars,
  consumePorts,
  formatRanges,
  normalizeRanges,
  rangesOf,
  rangesResource,
  rangesSize,
  scalarFits,
  scalarResource,
  scalarTotals,
  scalarsEqual,
  subtractRanges,
  subtractScalar,
  sumScalar,
  toFixed,
} from '../../src/mesos/resources.js';
import type { Resource } from '../../src/mesos/types.js';

test('fixed-point scalars: 0.1 + 0.2 is 0.3, rounding like llround', () => {
  assert.notEqual(0.1 + 0.2, 0.3);
  assert.equal(addScalars(0.1, 0.2), 0.3);
  assert.ok(scalarsEqual(0.1 + 0.2, 0.3));
  assert.equal(subtractScalar(0.3, 0.1), 0.2);
  assert.equal(subtractScalar(2, 0.1), 1.9);
  assert.equal(toFixed(0.0005), 1);
  assert.equal(toFixed(-0.0005), -1);
  assert.equal(toFixed(1.0004), 1000);
  assert.equal(compareScalars(0.1 + 0.2, 0.3), 0);
  assert.equal(compareScalars(0.3, 0.301), -1);
  assert.ok(scalarFits(0.1 + 0.2, 0.3));
  assert.ok(!scalarFits(0.3011, 0.3));
});

test('property: summing ten 0.1s always fits into 1.0, and adding then subtracting is exact', () => {
  let total = 0;
  for (let i = 0; i < 10; i++) total = addScalars(total, 0.1);
  assert.equal(total, 1);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (a, b) => {
      const x = a / 1000;
      const y = b / 1000;
      assert.equal(subtractScalar(addScalars(x, y), y), x);
    }),
  );
});

const offered: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, role: '*', allocation_info: { role: '*' } },
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.2 }, role: 'web', allocation_info: { role: '*' } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 4096.0 }, role: '*' },
  {
    name: 'ports',
    type: 'RANGES',
    ranges: {
      range: [
        { begin: 31006, end: 32000 },
        { begin: 31000, end: 31004 },
      ],
    },
    role: '*',
  },
];

test('summing scalars by name, optionally by role', () => {
  assert.equal(sumScalar(offered, 'cpus'), 0.3);
  assert.equal(
    sumScalar(offered, 'cpus', (r) => r.role === '*'),
    0.1,
  );
  assert.equal(sumScalar(offered, 'gpus'), 0);
  assert.deepEqual(scalarTotals(offered), { cpus: 0.3, mem: 4096 });
});

test('ranges: normalise, subtract, size, format', () => {
  assert.deepEqual(
    normalizeRanges([
      { begin: 5, end: 7 },
      { begin: 1, end: 2 },
      { begin: 3, end: 4 },
      { begin: 10, end: 9 },
    ]),
    [{ begin: 1, end: 7 }],
  );
  assert.deepEqual(
    subtractRanges(
      [{ begin: 1, end: 10 }],
      [
        { begin: 3, end: 4 },
        { begin: 10, end: 12 },
      ],
    ),
    [
      { begin: 1, end: 2 },
      { begin: 5, end: 9 },
    ],
  );
  assert.equal(rangesSize(rangesOf(offered)), 5 + 995);
  assert.equal(formatRanges(rangesOf(offered)), '[31000-31004, 31006-32000]');
});

test('ports: exact ports and the first free ones, with the consumed ranges and the remainder', () => {
  const available = rangesOf(offered);
  const allocation = consumePorts(available, [31006, 0, 0, 31003]);
  assert.ok(allocation);
  assert.deepEqual(allocation.ports, [31006, 31000, 31001, 31003]);
  assert.deepEqual(allocation.consumed, [
    { begin: 31000, end: 31001 },
    { begin: 31003, end: 31003 },
    { begin: 31006, end: 31006 },
  ]);
  assert.deepEqual(allocation.remaining, [
    { begin: 31002, end: 31002 },
    { begin: 31004, end: 31004 },
    { begin: 31007, end: 32000 },
  ]);
  // "Any" ports skip the hole at 31005 and the ports asked for exactly.
  assert.deepEqual(
    consumePorts(available, [0, 0, 0, 0, 0, 0, 31000])?.ports,
    [31001, 31002, 31003, 31004, 31006, 31007, 31000],
  );
});

test('ports: impossible requests leave nothing consumed', () => {
  const available = [{ begin: 31000, end: 31001 }];
  assert.equal(consumePorts(available, [31005]), undefined);
  assert.equal(consumePorts(available, [31000, 31000]), undefined);
  assert.equal(consumePorts(available, [0, 0, 0]), undefined);
  assert.equal(consumePorts(available, [31001, 0, 0]), undefined);
  assert.deepEqual(consumePorts(available, []), { ports: [], consumed: [], remaining: available });
});

test('property: consumed plus remaining is exactly what was offered', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ begin: fc.integer({ min: 1, max: 2000 }), len: fc.integer({ min: 0, max: 50 }) }), {
        maxLength: 6,
      }),
      fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2100 })), { maxLength: 8 }),
      (raw, requested) => {
        const available = raw.map((r) => ({ begin: r.begin, end: r.begin + r.len }));
        const allocation = consumePorts(available, requested);
        if (!allocation) return;
        assert.equal(allocation.ports.length, requested.length);
        assert.equal(new Set(allocation.ports).size, requested.length);
        assert.deepEqual(
          normalizeRanges([...allocation.consumed, ...allocation.remaining]),
          normalizeRanges(available),
        );
        assert.equal(rangesSize(allocation.consumed), requested.length);
      },
    ),
  );
});

test('task resources copy the offered role fields so they are contained in the offer', () => {
  assert.deepEqual(scalarResource('cpus', 0.1 + 0.2, offered[0]), {
    name: 'cpus',
    type: 'SCALAR',
    scalar: { value: 0.3 },
    role: '*',
    allocation_info: { role: '*' },
  });
  assert.deepEqual(
    rangesResource('ports', [
      { begin: 2, end: 2 },
      { begin: 1, end: 1 },
    ]),
    {
      name: 'ports',
      type: 'RANGES',
      ranges: { range: [{ begin: 1, end: 2 }] },
    },
  );
});

test('attributes as label strings', () => {
  assert.equal(attributeValue({ name: 'rack', type: 'TEXT', text: { value: 'r1' } }), 'r1');
  assert.equal(attributeValue({ name: 'docker_port', type: 'SCALAR', scalar: { value: 2375.0 } }), '2375');
  assert.equal(attributeValue({ name: 'x', type: 'SCALAR', scalar: { value: 0.1 + 0.2 } }), '0.3');
  assert.equal(
    attributeValue({
      name: 'r',
      type: 'RANGES',
      ranges: {
        range: [
          { begin: 1, end: 2 },
          { begin: 5, end: 9 },
        ],
      },
    }),
    '[1-2, 5-9]',
  );
  assert.equal(attributeValue({ name: 's', type: 'SET', set: { item: ['a', 'b'] } }), '{a, b}');
  assert.deepEqual(
    attributeLabels([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'zone', type: 'SCALAR', scalar: { value: 2.0 } },
      { name: 'rack', type: 'TEXT', text: { value: 'r2' } },
      { name: 'constructor', type: 'TEXT', text: { value: 'ok' } },
    ]),
    { rack: 'r1', zone: '2', constructor: 'ok' },
  );
});
