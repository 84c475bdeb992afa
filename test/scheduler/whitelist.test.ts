// The whitelist filter (classic Swarm's whitelist_test.go).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFilter, ids, makeNode, makeRequest } from './helpers.js';

const nodes = [0, 1, 2, 3].map((i) => makeNode({ id: `node-${i}-id`, name: `node-${i}-name` }));
const whitelist = (...env: string[]) =>
  applyFilter('whitelist', nodes, makeRequest({ env: env.map((e) => `whitelist:${e}`) }));

describe('whitelist filter', () => {
  it('keeps every node without a whitelist', () => {
    assert.equal(applyFilter('whitelist', nodes, makeRequest()).nodes, nodes);
  });

  it('fails when no listed name exists', () => {
    assert.ok(whitelist('node==node-5-name|node-6-name|node-7-name').error);
    assert.ok(whitelist('node==node-5-name').error);
  });

  it('keeps the listed nodes that exist', () => {
    assert.deepEqual(ids(whitelist('node==node-1-name').nodes), ['node-1-id']);
    assert.deepEqual(ids(whitelist('node==node-1-name|node-2-name').nodes), ['node-1-id', 'node-2-id']);
    assert.deepEqual(ids(whitelist('node==node-1-name|node-2-name|node-5-name|node-6-name').nodes), [
      'node-1-id',
      'node-2-id',
    ]);
  });

  it('intersects several whitelists', () => {
    const result = whitelist('node==node-0-name|node-1-name|node-2-name', 'node==node-1-name|node-2-name|node-3-name');
    assert.deepEqual(ids(result.nodes), ['node-1-id', 'node-2-id']);
  });

  it('compares names exactly (no globs) and ignores the key and the operator', () => {
    assert.ok(whitelist('node==node-*').error);
    assert.deepEqual(ids(whitelist('anything!=node-3-name').nodes), ['node-3-id']);
  });

  it('matches names only, never node IDs', () => {
    assert.ok(whitelist('node==node-1-id').error);
  });
});
