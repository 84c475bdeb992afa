// Reservations: a pending container makes the next decision see its slot, ports and resources as taken.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isManagerError } from '../../src/errors.js';
import { pendingContainer, withPending } from '../../src/scheduler/pending.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { GiB, makeContainer, makeNode, makeRequest } from './helpers.js';

describe('withPending', () => {
  it('returns a new view with the container added and its resources reserved', () => {
    const node = makeNode({ id: 'n', totalCpus: 4, usedCpus: 1, totalMemory: 8 * GiB, usedMemory: GiB });
    const request = makeRequest({ cpus: 2, memory: 2 * GiB, labels: { app: 'web' } });
    const pending = pendingContainer(request, { id: 'manager-id-1', name: 'web-1' });
    const reserved = withPending(node, pending);
    assert.equal(reserved.usedCpus, 3);
    assert.equal(reserved.usedMemory, 3 * GiB);
    assert.deepEqual(reserved.containers, [pending]);
    assert.deepEqual(pending.names, ['/web-1']);
    assert.equal(pending.state, 'pending');
    assert.equal(node.containers.length, 0, 'the original view is unchanged');
    assert.equal(node.usedCpus, 1);
  });

  it('keeps two placements in a row from both taking the last container slot', () => {
    const nodes = [
      makeNode({ id: 'a', labels: { containerslots: '1' } }),
      makeNode({ id: 'b', labels: { containerslots: '2' }, containers: [makeContainer({ id: 'x' })] }),
    ];
    const scheduler = new Scheduler();
    const request = makeRequest();
    const first = scheduler.select(nodes, request).best;
    const afterFirst = nodes.map((n) => (n === first ? withPending(n, pendingContainer(request, { id: 'p1' })) : n));
    const second = scheduler.select(afterFirst, request).best;
    assert.notEqual(second.id, first.id);
    const afterSecond = afterFirst.map((n) =>
      n === second ? withPending(n, pendingContainer(request, { id: 'p2' })) : n,
    );
    assert.throws(
      () => scheduler.select(afterSecond, request),
      (err: unknown) => isManagerError(err) && /available container slots/.test(err.message),
    );
  });

  it('keeps two placements in a row from both taking the last CPUs', () => {
    const nodes = [makeNode({ id: 'a', totalCpus: 2, usedCpus: 1 })];
    const request = makeRequest({ cpus: 1 });
    const scheduler = new Scheduler();
    const first = scheduler.select(nodes, request).best;
    const after = [withPending(first, pendingContainer(request, { id: 'p1' }))];
    assert.throws(() => scheduler.select(after, request), /no resources available/);
  });

  it('makes a pending container a dependency target and an affinity target by name', () => {
    const request = makeRequest();
    const nodes = [
      makeNode({ id: 'a' }),
      withPending(makeNode({ id: 'b' }), pendingContainer(request, { id: 'p', name: 'db' })),
    ];
    const scheduler = new Scheduler();
    assert.equal(scheduler.select(nodes, makeRequest({ links: ['db:database'] })).best.id, 'b');
    assert.equal(scheduler.select(nodes, makeRequest({ env: ['affinity:container==db'] })).best.id, 'b');
  });
});
