// Container lookup in classic Swarm's order: full ID, 12-character short ID, Swarm ID, name (`web`, `/web`,
// `<node>/web`, `<node ID>/web`; unique across the cluster), unique ID prefix, unique Swarm-ID prefix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ContainerIndex, type Findable } from '../../src/cluster/lookup.js';
import { isManagerError } from '../../src/errors.js';

const hex = (seed: string) => seed.padEnd(64, '0');
function record(id: string, name: string, nodeName = 'node-1', swarmId?: string): Findable {
  return { id: hex(id), name, nodeName, nodeId: `${nodeName.toUpperCase()}-ID`, swarmId };
}

function index(...records: Findable[]): ContainerIndex<Findable> {
  const i = new ContainerIndex<Findable>();
  for (const r of records) i.set(r);
  return i;
}

const notFound = (pattern: RegExp) => (err: unknown) =>
  isManagerError(err) && err.status === 404 && pattern.test(err.message);

describe('ContainerIndex', () => {
  const web = record('aaaa1111', 'web', 'node-1', 'swarm-web-0001');
  const db = record('aaaa2222', 'db', 'node-2', 'swarm-db-0002');
  const cache = record('bbbb3333', 'cache', 'node-2');

  it('finds by full ID, 12-character short ID and Swarm ID', () => {
    const i = index(web, db, cache);
    assert.equal(i.find(web.id), web);
    assert.equal(i.find(cache.id.slice(0, 12)), cache);
    assert.equal(i.find('swarm-db-0002'), db);
  });

  it('finds by name, /name, <node>/name and <node ID>/name', () => {
    const i = index(web, db, cache);
    assert.equal(i.find('db'), db);
    assert.equal(i.find('/db'), db);
    assert.equal(i.find('node-2/db'), db);
    assert.equal(i.find('/node-2/db'), db);
    assert.equal(i.find('NODE-2-ID/db'), db);
    assert.equal(i.find('node-1/db'), undefined, 'db is not on node-1');
  });

  it('finds by a unique ID prefix and a unique Swarm-ID prefix', () => {
    const i = index(web, db, cache);
    assert.equal(i.find('bbbb'), cache);
    assert.equal(i.find('swarm-web'), web);
  });

  it('reports an ambiguous prefix as dockerd does (404)', () => {
    const i = index(web, db, cache);
    assert.throws(() => i.find('aaaa'), notFound(/^multiple containers found with provided prefix: aaaa$/));
  });

  it('prefers a name over an ID prefix that is also a name', () => {
    const named = record('cccc4444', 'bbbb');
    const i = index(cache, named);
    assert.equal(i.find('bbbb'), named);
  });

  it('asks for the node when a name is used on two nodes (containers made behind its back)', () => {
    const twinA = record('dddd5555', 'twin', 'node-1');
    const twinB = record('eeee6666', 'twin', 'node-2');
    const i = index(twinA, twinB);
    assert.throws(() => i.find('twin'), notFound(/ambiguous.*node-1, node-2.*use <node>\/twin/));
    assert.equal(i.find('node-2/twin'), twinB);
    assert.deepEqual(i.named('twin'), [twinA, twinB]);
  });

  it('resolve throws dockerd’s No such container', () => {
    assert.throws(() => index(web).resolve('nosuch'), notFound(/^No such container: nosuch$/));
    assert.equal(index().find(''), undefined);
  });

  it('follows renames and removals', () => {
    const i = index(web, db);
    i.set({ ...web, name: 'frontend' });
    assert.equal(i.find('web'), undefined);
    assert.equal(i.find('frontend')?.id, web.id);
    assert.equal(i.size, 2);
    assert.equal(i.delete(db.id), db);
    assert.equal(i.find('db'), undefined);
    assert.equal(i.find('swarm-db-0002'), undefined);
    assert.equal(i.delete(db.id), undefined);
    assert.equal(i.size, 1);
  });

  it('finds every record it holds by ID, and by name when the name is unique', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{64}$/), { minLength: 1, maxLength: 20 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_-]{1,10}$/), { minLength: 20, maxLength: 20 }),
        (ids, names) => {
          const records = ids.map((id, n) => ({
            id,
            name: names[n]!,
            nodeName: `n${n % 3}`,
            nodeId: `N${n % 3}`,
            swarmId: undefined,
          }));
          const i = index(...records);
          return records.every(
            (r) => i.find(r.id) === r && i.find(r.name) === r && i.find(`${r.nodeName}/${r.name}`) === r,
          );
        },
      ),
    );
  });
});
