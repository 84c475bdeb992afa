// The manager bounds its heap growth (src/cli/heap.ts) unless the operator chose a growth on node's command line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { limitHeapGrowth } from '../../src/cli/heap.js';

describe('limitHeapGrowth', () => {
  it('applies the manager’s heap growth when nothing else chose one', () => {
    assert.equal(limitHeapGrowth([]), true);
    assert.equal(limitHeapGrowth(['--max-old-space-size=2048', '--enable-source-maps']), true);
  });
  it('leaves an operator’s choice on node’s command line alone, in either spelling', () => {
    assert.equal(limitHeapGrowth(['--heap-growing-percent=40']), false);
    assert.equal(limitHeapGrowth(['--max-semi-space-size=32', '--heap_growing_percent=300']), false);
  });
});
