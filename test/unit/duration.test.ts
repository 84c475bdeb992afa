// Go-style durations, as classic Swarm's flags and cluster options take them, and Go's way of printing them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', () => {
  it('reads every unit, fractions and sequences, into milliseconds', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['0s', 0],
      ['500ms', 500],
      ['30s', 30_000],
      ['1m', 60_000],
      ['1h', 3_600_000],
      ['1.5h', 5_400_000],
      ['1h2m3.5s', 3_723_500],
      ['.5s', 500],
      ['2us', 0.002],
      ['2µs', 0.002],
      ['1000000ns', 1],
      ['-1s', -1000],
      ['+2s', 2000],
      [' 10m ', 600_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it('refuses bare numbers, unknown units and junk, naming the text', () => {
    for (const text of ['', '30', '1d', 's', '1s2', 'abc', '1 s', '-', '1.2.3s']) {
      assert.throws(() => parseDuration(text), new RegExp(`invalid duration "${text.replace(/[.+]/g, '\\$&')}"`), text);
    }
  });
});

describe('formatDuration', () => {
  it('prints like Go’s time.Duration', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [500, '500ms'],
      [1500, '1.5s'],
      [5000, '5s'],
      [60_000, '1m0s'],
      [3_723_000, '1h2m3s'],
      [3_600_000, '1h0m0s'],
      [-2000, '-2s'],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  });

  it('round-trips through parseDuration', () => {
    fc.assert(fc.property(fc.integer({ min: -1e10, max: 1e10 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
