// The spread strategy (classic Swarm's spread_test.go), and its weighting.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isManagerError } from '../../src/errors.js';
import { pendingContainer } from '../../src/scheduler/pending.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { percentUsed } from '../../src/scheduler/strategy/weigh.js';
import { GiB, ids, makeContainer, makeNode, makeRequest, placeOn, Placements, strategyNode } from './helpers.js';

const spread = new Scheduler({ filters: [] });
const config = (memoryGiB: number, cpus: number) => makeRequest({ memory: memoryGiB * GiB, cpus });
const refuses = (fn: () => unknown) =>
  assert.throws(
    fn,
    (err: unknown) => isManagerError(err) && err.message === 'no resources available to schedule container',
  );

describe('spread strategy', () => {
  it('is the default', () => assert.equal(spread.strategy, 'spread'));

  it('spreads containers without requests evenly over different node sizes', () => {
    const cluster = new Placements(spread, [strategyNode('node-0', 64, 21), strategyNode('node-1', 128, 42)]);
    for (let i = 0; i < 60; i++) cluster.place(0, 0);
    assert.equal(cluster.count('node-0'), 30);
    assert.equal(cluster.count('node-1'), 30);
  });

  it('spreads CPU requests in proportion to node size', () => {
    const cluster = new Placements(spread, [strategyNode('node-0', 64, 21), strategyNode('node-1', 128, 42)]);
    for (let i = 0; i < 60; i++) cluster.place(0, 1);
    assert.equal(cluster.count('node-0'), 20);
    assert.equal(cluster.count('node-1'), 40);
  });

  it('breaks equal weights towards the node with fewer containers', () => {
    let nodes = [strategyNode('node-0', 4, 0), strategyNode('node-1', 4, 0)];
    nodes = placeOn(nodes, 'node-0', pendingContainer(config(2, 0), { id: 'c1' }));
    nodes = placeOn(nodes, 'node-1', pendingContainer(config(1, 0), { id: 'c2' }));
    nodes = placeOn(nodes, 'node-1', pendingContainer(config(1, 0), { id: 'c3' }));
    const cluster = new Placements(spread, nodes);
    assert.equal(cluster.place(1, 0), 'node-0');
    assert.equal(cluster.count('node-0'), cluster.count('node-1'));
  });

  it('spreads memory and CPU requests over two nodes', () => {
    const memory = new Placements(spread, [strategyNode('node-0', 2, 0), strategyNode('node-1', 2, 0)]);
    assert.notEqual(memory.place(1, 0), memory.place(1, 0));
    const cpus = new Placements(spread, [strategyNode('node-0', 0, 2), strategyNode('node-1', 0, 2)]);
    assert.notEqual(cpus.place(0, 1), cpus.place(0, 1));
  });

  it('fills 100 nodes exactly, then refuses', () => {
    const cluster = new Placements(
      spread,
      Array.from({ length: 100 }, (_, i) => strategyNode(`node-${i}`, 1, 1)),
    );
    for (let i = 0; i < 100; i++) cluster.place(0, 1);
    refuses(() => spread.select(cluster.nodes, config(0, 1)));
    for (let i = 0; i < 100; i++) cluster.place(1, 0);
    refuses(() => spread.select(cluster.nodes, config(1, 0)));
  });

  it('accepts up to the overcommitted total', () => {
    const nodes = [strategyNode('node-1', 100, 1)];
    for (const gib of [90, 100, 105]) assert.equal(spread.select(nodes, config(gib, 0)).best.id, 'node-1');
    refuses(() => spread.select(nodes, config(106, 0)));
  });

  it('places a complex sequence', () => {
    const cluster = new Placements(spread, [strategyNode('node-0', 4, 4), strategyNode('node-1', 4, 4)]);
    const n1 = cluster.place(2, 0);
    const n2 = cluster.place(3, 0);
    assert.notEqual(n1, n2);
    assert.equal(cluster.place(1, 0), n1);
  });
});

describe('spread weighting', () => {
  it('orders by weight ascending, then fewer containers, then input order', () => {
    const one = [makeContainer({ id: 'x' })];
    const nodes = [
      makeNode({ id: 'busy', totalCpus: 4, usedCpus: 3 }),
      makeNode({ id: 'idle-with-one', totalCpus: 4, containers: one }),
      makeNode({ id: 'idle-a', totalCpus: 4 }),
      makeNode({ id: 'idle-b', totalCpus: 4 }),
    ];
    assert.deepEqual(ids(spread.select(nodes, config(0, 1)).ordered()), ['idle-a', 'idle-b', 'idle-with-one', 'busy']);
  });

  it('lets health outweigh load', () => {
    const nodes = [
      makeNode({ id: 'degraded-idle', totalCpus: 4, healthIndicator: 80 }),
      makeNode({ id: 'healthy-busy', totalCpus: 4, usedCpus: 3, healthIndicator: 100 }),
    ];
    assert.equal(spread.select(nodes, config(0, 1)).best.id, 'healthy-busy');
  });

  it('skips nodes smaller than the request even when nothing is used', () => {
    const nodes = [makeNode({ id: 'small', totalCpus: 1 }), makeNode({ id: 'big', totalCpus: 4, usedCpus: 1 })];
    assert.deepEqual(ids(spread.select(nodes, config(0, 2)).ordered()), ['big']);
    const full = [makeNode({ id: 'small', totalCpus: 1 }), makeNode({ id: 'big', totalCpus: 2, usedCpus: 1 })];
    refuses(() => spread.select(full, config(0, 2)));
  });

  it('keeps a node at exactly 100% and drops it at 101%', () => {
    const at = (usedCpus: number, usedMemory: number) =>
      makeNode({ id: 'n', totalCpus: 100, usedCpus, totalMemory: 1000, usedMemory });
    assert.equal(spread.select([at(99, 0)], makeRequest({ cpus: 1 })).best.id, 'n');
    refuses(() => spread.select([at(100, 0)], makeRequest({ cpus: 1 })));
    assert.equal(spread.select([at(0, 990)], makeRequest({ memory: 10 })).best.id, 'n');
    assert.equal(spread.select([at(0, 1000)], makeRequest({ memory: 9 })).best.id, 'n', '100.9% floors to 100');
    refuses(() => spread.select([at(0, 1000)], makeRequest({ memory: 10 })));
  });

  it('computes integer percentages as Go does', () => {
    assert.equal(percentUsed(0, 1, 3), 33);
    assert.equal(percentUsed(1, 1, 3), 66);
    assert.equal(percentUsed(2, 1, 3), 100);
    assert.equal(percentUsed(0, 0.29, 1), 29, 'a fractional CPU request is not floored below its percentage');
    assert.equal(percentUsed(7 * GiB, 3, 10 * GiB), 70);
    assert.equal(percentUsed(1024 * GiB - 1, 0, 1024 * GiB), 99);
  });
});
