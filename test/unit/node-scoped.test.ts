// Objects that live on one node (local networks, volumes): found by ID, name, `<node>/<name>` or unique ID prefix;
// a bare name several nodes use is ambiguous and answered with a 404 that says to add the node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dedupeGlobal, resolveScoped, splitNodeName, type Scoped } from '../../src/cluster/node-scoped.js';
import type { Engine } from '../../src/engine/engine.js';
import { isManagerError } from '../../src/errors.js';

const engine = (name: string, id: string) => ({ name, id }) as unknown as Engine;
const n1 = engine('node-1', 'N1-ID');
const n2 = engine('node-2', 'N2-ID');
const item = (e: Engine, id: string, name: string, global = false): Scoped<string> => ({
  engine: e,
  item: `${e.name}:${name}`,
  id,
  name,
  global,
});

const all = [
  item(n1, 'aaa111', 'bridge'),
  item(n2, 'bbb222', 'bridge'),
  item(n2, 'bbb333', 'backend'),
  item(n1, 'ccc444', 'overlay', true),
  item(n2, 'ccc444', 'overlay', true),
];
const notFound = (pattern: RegExp) => (err: unknown) =>
  isManagerError(err) && err.status === 404 && pattern.test(err.message);

describe('resolveScoped', () => {
  it('finds by node/name, node ID/name, ID, unique name and unique ID prefix', () => {
    assert.equal(resolveScoped(all, 'node-2/bridge', 'network').id, 'bbb222');
    assert.equal(resolveScoped(all, 'N1-ID/bridge', 'network').id, 'aaa111');
    assert.equal(resolveScoped(all, 'node-1/aaa111', 'network').name, 'bridge');
    assert.equal(resolveScoped(all, 'bbb222', 'network').engine, n2);
    assert.equal(resolveScoped(all, 'backend', 'network').id, 'bbb333');
    assert.equal(resolveScoped(all, 'aaa', 'network').id, 'aaa111');
  });

  it('sees a global object once, from any node', () => {
    assert.equal(resolveScoped(all, 'overlay', 'network').id, 'ccc444');
    assert.equal(dedupeGlobal(all).length, 4);
  });

  it('answers an ambiguous name or prefix with a 404 that says how to choose', () => {
    assert.throws(
      () => resolveScoped(all, 'bridge', 'network'),
      notFound(/^network bridge is ambiguous \(2 matches found on node-1, node-2\); use <node>\/bridge$/),
    );
    assert.throws(() => resolveScoped(all, 'bbb', 'network'), notFound(/bbb is ambiguous \(2 matches found\)/));
  });

  it('answers a missing object with the daemon’s wording for its kind', () => {
    assert.throws(() => resolveScoped(all, 'nothing', 'network'), notFound(/^network nothing not found$/));
    assert.throws(() => resolveScoped([], 'data', 'volume'), notFound(/^get data: no such volume$/));
    assert.throws(() => resolveScoped(all, 'node-1/backend', 'network'), notFound(/not found/));
  });
});

describe('splitNodeName', () => {
  it('splits off a known node by name or ID', () => {
    assert.deepEqual(splitNodeName([n1, n2], 'node-2/data'), { engine: n2, name: 'data' });
    assert.deepEqual(splitNodeName([n1, n2], 'N1-ID/data'), { engine: n1, name: 'data' });
    assert.deepEqual(splitNodeName([n1, n2], 'data'), { name: 'data' });
    assert.deepEqual(splitNodeName([n1, n2], '/data'), { name: '/data' });
  });

  it('refuses an unknown node with a 404', () => {
    assert.throws(() => splitNodeName([n1, n2], 'node-3/data'), notFound(/^No such node: node-3$/));
  });
});
