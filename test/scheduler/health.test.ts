// The health filter (classic Swarm's health_test.go).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFilter, ids, makeNode, makeRequest } from './helpers.js';

const nodesWithHealth = (...health: number[]) =>
  health.map((healthIndicator, i) => makeNode({ id: `node-${i}-id`, healthIndicator }));

describe('health filter', () => {
  it('keeps every healthy node', () => {
    const nodes = nodesWithHealth(100, 100);
    assert.equal(applyFilter('health', nodes, makeRequest()).nodes, nodes);
  });

  it('drops nodes with a health indicator of 0, keeps degraded ones', () => {
    assert.deepEqual(ids(applyFilter('health', nodesWithHealth(0, 100), makeRequest()).nodes), ['node-1-id']);
    assert.deepEqual(ids(applyFilter('health', nodesWithHealth(0, 30), makeRequest()).nodes), ['node-1-id']);
  });

  it('fails with classic Swarm’s own message when no node is healthy', () => {
    assert.equal(
      applyFilter('health', nodesWithHealth(0, 0), makeRequest()).error,
      'No healthy node available in the cluster',
    );
  });
});
