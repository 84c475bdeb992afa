// The containerslots filter (classic Swarm's slots_test.go).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeView } from '../../src/scheduler/types.js';
import { applyFilter, ids, makeContainer, makeNode, makeRequest } from './helpers.js';

const node = (i: number, containers: number, slots?: string): NodeView =>
  makeNode({
    id: `node-${i}-id`,
    labels: slots === undefined ? {} : { containerslots: slots },
    containers: Array.from({ length: containers }, (_, c) => makeContainer({ id: `c-${i}-${c}` })),
  });
const slots = (nodes: NodeView[]) => applyFilter('containerslots', nodes, makeRequest());

describe('containerslots filter', () => {
  it('keeps nodes with free slots', () => {
    const nodes = [node(0, 1, '3'), node(1, 0, '3')];
    assert.equal(slots(nodes).nodes, nodes);
  });

  it('drops full nodes', () => {
    assert.deepEqual(ids(slots([node(0, 3, '3'), node(1, 0, '3')]).nodes), ['node-1-id']);
  });

  it('sets no limit without the label', () => {
    const nodes = [node(0, 3), node(1, 0)];
    assert.equal(slots(nodes).nodes, nodes);
  });

  it('fails when every node is full', () => {
    assert.equal(
      slots([node(0, 3, '3'), node(1, 3, '3')]).error,
      'Unable to find a node that satisfies the following conditions \n[available container slots]',
    );
  });

  it('ignores a label that is not an integer', () => {
    assert.deepEqual(ids(slots([node(0, 3, '3'), node(1, 3, 'foo')]).nodes), ['node-1-id']);
    assert.deepEqual(ids(slots([node(0, 3, '3'), node(1, 3, '3.5')]).nodes), ['node-1-id']);
    assert.deepEqual(ids(slots([node(0, 3, '3'), node(1, 3, ' 4')]).nodes), ['node-1-id']);
    assert.deepEqual(ids(slots([node(0, 3, '3'), node(1, 3, '99999999999999999999')]).nodes), ['node-1-id']);
  });

  it('reads integers as Go’s strconv.Atoi does (sign, leading zeros)', () => {
    assert.deepEqual(ids(slots([node(0, 3, '+4'), node(1, 3, '03')]).nodes), ['node-0-id']);
    assert.ok(slots([node(0, 0, '-1')]).error, 'a negative limit refuses everything');
  });

  it('counts pending and stopped containers', () => {
    const full = makeNode({
      id: 'full',
      labels: { containerslots: '2' },
      containers: [makeContainer({ id: 'a', state: 'exited' }), makeContainer({ id: 'b', state: 'pending' })],
    });
    assert.ok(slots([full]).error);
  });
});
