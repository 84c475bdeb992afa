// The dependency filter (classic Swarm's dependency_test.go) and the container lookup it relies on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupContainer } from '../../src/scheduler/containers.js';
import type { NodeView } from '../../src/scheduler/types.js';
import { applyFilter, ids, makeContainer, makeNode, makeRequest, type RequestFields } from './helpers.js';

const depend = (nodes: NodeView[], fields: RequestFields) => applyFilter('dependency', nodes, makeRequest(fields));

describe('dependency filter', () => {
  const simple = [0, 1, 2].map((i) => makeNode({ id: `node-${i}-id`, containers: [makeContainer({ id: `c${i}` })] }));

  it('keeps every node without dependencies', () => {
    assert.equal(depend(simple, {}).nodes, simple);
    assert.equal(depend(simple, { networkMode: 'bridge' }).nodes, simple);
  });

  it('follows --volumes-from (with or without a mode), --link and --net container:', () => {
    assert.deepEqual(ids(depend(simple, { volumesFrom: ['c0'] }).nodes), ['node-0-id']);
    assert.deepEqual(ids(depend(simple, { volumesFrom: ['c0:rw'] }).nodes), ['node-0-id']);
    assert.deepEqual(ids(depend(simple, { volumesFrom: ['c0:ro'] }).nodes), ['node-0-id']);
    assert.deepEqual(ids(depend(simple, { links: ['c1:foobar'] }).nodes), ['node-1-id']);
    assert.deepEqual(ids(depend(simple, { networkMode: 'container:c2' }).nodes), ['node-2-id']);
  });

  const multi = [
    makeNode({ id: 'node-0-id', containers: [makeContainer({ id: 'c0' }), makeContainer({ id: 'c1' })] }),
    makeNode({ id: 'node-1-id', containers: [makeContainer({ id: 'c2' })] }),
    makeNode({ id: 'node-2-id' }),
  ];

  it('needs every dependency on the same node', () => {
    assert.deepEqual(ids(depend(multi, { volumesFrom: ['c0'] }).nodes), ['node-0-id']);
    assert.deepEqual(ids(depend(multi, { volumesFrom: ['c1'] }).nodes), ['node-0-id']);
    assert.deepEqual(ids(depend(multi, { volumesFrom: ['c0', 'c1'] }).nodes), ['node-0-id']);
    assert.ok(depend(multi, { volumesFrom: ['c0', 'c2'] }).error);
  });

  it('chains different kinds of dependencies', () => {
    assert.deepEqual(ids(depend(multi, { volumesFrom: ['c0'], links: ['c1'], networkMode: 'container:c1' }).nodes), [
      'node-0-id',
    ]);
    const error = depend(multi, { volumesFrom: ['c0'], links: ['c2'], networkMode: 'container:c1' }).error;
    assert.equal(
      error,
      'Unable to find a node that satisfies the following conditions \n' +
        '[--volumes-from=c0 --link=c2 --net=container:c1]',
    );
  });
});

describe('container lookup', () => {
  const node = makeNode({
    id: 'agent-1',
    name: 'host1',
    containers: [
      makeContainer({ id: 'aaaaaaaaaaaa1111', names: ['/web', '/alias'] }),
      makeContainer({ id: 'aaaaaaaaaaaa2222', names: ['/db'], labels: { 'com.docker.swarm.id': 'ffff0000ffff9999' } }),
      makeContainer({ id: 'bbbb', names: ['/dup'] }),
      makeContainer({ id: 'cccc', names: ['/dup'] }),
      makeContainer({ id: 'dup0123', names: ['/other'] }),
    ],
  });
  const found = (ref: string) => lookupContainer(node, ref)?.id;

  it('finds by full ID, 12-character ID, Swarm ID, name and node-prefixed name', () => {
    assert.equal(found('aaaaaaaaaaaa1111'), 'aaaaaaaaaaaa1111');
    assert.equal(found('aaaaaaaaaaaa'), 'aaaaaaaaaaaa1111', 'the first container with that short ID');
    assert.equal(found('ffff0000ffff9999'), 'aaaaaaaaaaaa2222');
    assert.equal(found('ffff0000ffff'), 'aaaaaaaaaaaa2222');
    assert.equal(found('web'), 'aaaaaaaaaaaa1111');
    assert.equal(found('/alias'), 'aaaaaaaaaaaa1111');
    assert.equal(found('host1/db'), 'aaaaaaaaaaaa2222');
    assert.equal(found('agent-1/db'), 'aaaaaaaaaaaa2222');
  });

  it('finds by a unique ID prefix only', () => {
    assert.equal(found('bb'), 'bbbb');
    assert.equal(found('aaaa'), undefined, 'ambiguous prefix');
    assert.equal(found('ffff0'), 'aaaaaaaaaaaa2222');
  });

  it('refuses an ambiguous name and an empty reference', () => {
    assert.equal(found('dup'), undefined, 'an ambiguous name is not retried as an ID prefix');
    assert.equal(found(''), undefined);
  });
});
