// The binpack strategy (classic Swarm's binpack_test.go), and its weighting.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isManagerError } from '../../src/errors.js';
import { pendingContainer } from '../../src/scheduler/pending.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { GiB, ids, makeNode, makeRequest, placeOn, Placements, strategyNode } from './helpers.js';

const binpack = new Scheduler({ strategy: 'binpack', filters: [] });
const config = (memoryGiB: number, cpus: number) => makeRequest({ memory: memoryGiB * GiB, cpus });

const noResources = (fn: () => unknown) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(isManagerError(err));
    assert.equal(err.status, 500);
    assert.equal(err.message, 'no resources available to schedule container');
    return true;
  });

describe('binpack strategy', () => {
  it('breaks equal weights towards the node with more containers', () => {
    let nodes = [strategyNode('node-0', 4, 0), strategyNode('node-1', 4, 0)];
    nodes = placeOn(nodes, 'node-0', pendingContainer(config(2, 0), { id: 'c1' }));
    nodes = placeOn(nodes, 'node-1', pendingContainer(config(1, 0), { id: 'c2' }));
    nodes = placeOn(nodes, 'node-1', pendingContainer(config(1, 0), { id: 'c3' }));
    assert.equal(nodes[1]?.usedMemory, 2 * GiB);
    const cluster = new Placements(binpack, nodes);
    assert.equal(cluster.place(1, 0), 'node-1');
    assert.equal(cluster.nodes[1]?.usedMemory, 3 * GiB);
  });

  it('packs memory onto one node', () => {
    const cluster = new Placements(binpack, [strategyNode('node-0', 2, 0), strategyNode('node-1', 2, 0)]);
    assert.equal(cluster.place(1, 0), cluster.place(1, 0));
  });

  it('packs CPUs onto one node', () => {
    const cluster = new Placements(binpack, [strategyNode('node-0', 0, 2), strategyNode('node-1', 0, 2)]);
    const first = cluster.place(0, 1);
    assert.equal(cluster.place(0, 1), first);
    assert.equal(cluster.nodes.find((n) => n.id === first)?.usedCpus, 2);
  });

  it('fills 100 nodes exactly, then refuses', () => {
    const cluster = new Placements(
      binpack,
      Array.from({ length: 100 }, (_, i) => strategyNode(`node-${i}`, 1, 1)),
    );
    for (let i = 0; i < 100; i++) cluster.place(0, 1);
    noResources(() => binpack.select(cluster.nodes, config(0, 1)));
    for (let i = 0; i < 100; i++) cluster.place(1, 0);
    noResources(() => binpack.select(cluster.nodes, config(1, 0)));
  });

  it('accepts up to the overcommitted total (binpacking alias)', () => {
    const alias = new Scheduler({ strategy: 'binpacking', filters: [] });
    assert.equal(alias.strategy, 'binpack');
    const nodes = [strategyNode('node-1', 100, 1)];
    for (const gib of [90, 100, 105]) assert.equal(alias.select(nodes, config(gib, 0)).best.id, 'node-1');
    noResources(() => alias.select(nodes, config(106, 0)));
  });

  it('plays the demo', () => {
    const cluster = new Placements(
      binpack,
      Array.from({ length: 3 }, (_, i) => strategyNode(`node-${i}`, 2, 4)),
    );
    noResources(() => binpack.select(cluster.nodes, config(10, 0)));
    const n1 = cluster.place(1, 0);
    assert.equal(cluster.place(1, 0), n1);
    const n2 = cluster.place(2, 0);
    assert.notEqual(n2, n1);
    const n3 = cluster.place(1, 0);
    assert.notEqual(n3, n1);
    assert.notEqual(n3, n2);
    assert.equal(cluster.place(1, 0), n3);
    noResources(() => binpack.select(cluster.nodes, config(1, 0)));
    // The container in the middle goes away: its node takes the next one.
    cluster.nodes = cluster.nodes.map((node) =>
      node.id === n2 ? { ...node, containers: [], usedMemory: 0, usedCpus: 0 } : node,
    );
    assert.equal(cluster.place(1, 0), n2);
  });

  it('places a complex sequence', () => {
    const cluster = new Placements(binpack, [strategyNode('node-0', 4, 4), strategyNode('node-1', 4, 4)]);
    const n1 = cluster.place(2, 0);
    const n2 = cluster.place(3, 0);
    assert.notEqual(n1, n2);
    assert.equal(cluster.place(1, 0), n2);
  });
});

describe('binpack weighting', () => {
  it('orders by weight descending, then containers descending, then input order', () => {
    const nodes = [
      makeNode({ id: 'light', totalMemory: 10 * GiB, usedMemory: 1 * GiB }),
      makeNode({ id: 'heavy', totalMemory: 10 * GiB, usedMemory: 8 * GiB }),
      makeNode({ id: 'mid-a', totalMemory: 10 * GiB, usedMemory: 5 * GiB }),
      makeNode({ id: 'mid-b', totalMemory: 10 * GiB, usedMemory: 5 * GiB }),
    ];
    assert.deepEqual(ids(binpack.select(nodes, config(1, 0)).ordered()), ['heavy', 'mid-a', 'mid-b', 'light']);
  });

  it('prefers a healthy node over a fuller degraded one', () => {
    const nodes = [
      makeNode({ id: 'degraded-full', totalMemory: 10 * GiB, usedMemory: 8 * GiB, healthIndicator: 90 }),
      makeNode({ id: 'healthy-empty', totalMemory: 10 * GiB, healthIndicator: 100 }),
    ];
    assert.equal(binpack.select(nodes, config(1, 0)).best.id, 'healthy-empty');
  });
});
