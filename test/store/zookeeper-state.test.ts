// The shared state in ZooKeeper beyond the StateBackend contract (state-backend.test.ts): its size (100,000
// containers' entries, every znode under the limit), its ACLs with digest credentials, fencing (the leader's election
// znode gone, no election znode, a second writer), and ZooKeeper going away under a write (an answer lost with the
// connection, a connection cut for a moment, a session that expired). Real ZooKeeper, reached straight or through a
// TCP proxy the test cuts (the shared ZooKeeper itself keeps running for every other suite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import type { StateEntry } from '../../src/cluster/mesos/persistence.js';
import { JournalEncodeError } from '../../src/store/journal.js';
import { CHUNK_LIMIT } from '../../src/store/zookeeper-chunks.js';
import { LOG_CHUNK_WEIGHT } from '../../src/store/zookeeper-state.js';
import { isManagerError } from '../../src/errors.js';
import { ZOOKEEPER, needZooKeeper } from '../helpers/services.js';
import { zooKeeperPlace, ephemeralFence, type ZooKeeperPlace } from '../helpers/state-backends.js';
import { fillStore } from '../helpers/state-entries.js';
import { getData, zkClient } from '../helpers/zookeeper.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';
import { eventually } from '../helpers/manager.js';
import { within } from '../helpers/deadline.js';

const entry = (k: string, v: string): StateEntry => ({ t: 'name', id: k, name: v });
const none = () => [];

/** What an opening replays (under `fence`, when the place's own is gone). */
async function replayed(place: ZooKeeperPlace, fence?: string): Promise<StateEntry[]> {
  const out: StateEntry[] = [];
  const log = await place.reopen(fence ? { fence: () => fence } : {}).open((e) => out.push(e), none);
  await log.close();
  return out;
}

const children = (client: zookeeper.Client, path: string) =>
  new Promise<string[]>((resolve, reject) =>
    client.getChildren(path, (err, names) => (err ? reject(err) : resolve(names))),
  );
const dataLength = (client: zookeeper.Client, path: string) =>
  new Promise<number>((resolve, reject) =>
    client.exists(path, (err, stat) => (err ? reject(err) : resolve(stat.dataLength))),
  );
const removeNode = (client: zookeeper.Client, path: string) =>
  new Promise<void>((resolve, reject) => client.remove(path, -1, (err) => (err ? reject(err) : resolve())));

/** Asserts `promise` rejects with the catalogue's NOT_LEADING, whose message matches `why`. */
async function rejectsNotLeading(promise: Promise<unknown>, why: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isManagerError(err), String(err));
    assert.equal(err.code, 'NOT_LEADING');
    assert.equal(err.status, 503);
    assert.match(err.message, why);
    return true;
  });
}

function withPlace(name: string, run: (p: ZooKeeperPlace) => Promise<void>) {
  test(name, async (t) => {
    if (!(await needZooKeeper(t))) return;
    const place = await zooKeeperPlace();
    try {
      await run(place);
    } finally {
      await place.remove();
    }
  });
}

withPlace('100,000 containers fit: every znode under the limit, replayed whole and in order', async (p) => {
  // One container made through the store for the real shapes, then 100,000 of them varied as the store varies them.
  const { snapshot } = await fillStore(1);
  const [framework, put] = [...snapshot()] as [StateEntry, Extract<StateEntry, { t: 'put' }>];
  const COUNT = 100_000;
  const containers = function* (): Iterable<StateEntry> {
    yield framework;
    for (let i = 0; i < COUNT; i++) {
      const id = `${i}`.padStart(8, '0') + put.c.id.slice(8);
      yield { t: 'put', c: { ...put.c, id, name: `c${i}`, task: { ...put.c.task!, taskId: `c${i}.${i}` } } };
    }
  };
  const log = await p.backend.open(() => undefined, none);
  await log.compact(containers());
  await log.append(entry('after', 'the snapshot'));
  assert.equal(log.size, COUNT + 2 + LOG_CHUNK_WEIGHT, 'the snapshot, one append and its read');
  await log.close();
  // A write after acting ended is the client's to retry elsewhere (503), not a server error.
  await assert.rejects(log.append(entry('too', 'late')), (err) => isManagerError(err) && err.status === 503);

  const pointer = JSON.parse(await getData(p.client, p.root)) as { snapshot: string; chunks: number };
  const chunks = await children(p.client, `${p.root}/snapshots`);
  assert.equal(chunks.length, pointer.chunks);
  assert.ok(pointer.chunks > 1, 'the snapshot spans several znodes');
  for (const name of chunks) {
    const bytes = await dataLength(p.client, `${p.root}/snapshots/${name}`);
    assert.ok(bytes <= CHUNK_LIMIT && bytes < 1024 * 1024, `${name}: ${bytes} bytes`);
  }

  let n = 0;
  let last: StateEntry | undefined;
  const again = await p.reopen().open((e) => {
    if (n > 0 && n <= COUNT) assert.equal((e as { c: { name: string } }).c.name, `c${n - 1}`);
    n++;
    last = e;
  }, none);
  await again.close();
  assert.equal(n, COUNT + 2);
  assert.deepEqual(last, entry('after', 'the snapshot'));
});

test('with digest credentials, every node is the creator’s to change and the world’s to read', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const auth = { user: `ms${process.pid}`, password: randomBytes(6).toString('hex') };
  const place = await zooKeeperPlace({ auth });
  const other = await zkClient();
  const owner = await zkClient(`${auth.user}:${auth.password}`);
  try {
    const log = await place.backend.open(() => undefined, none);
    await log.append(entry('k', 'v'));
    await log.close();
    const chunk = `${place.root}/log/${(await children(other, `${place.root}/log`))[0]}`;
    for (const path of [place.root, `${place.root}/log`, chunk]) {
      const acls = await new Promise<zookeeper.ACL[]>((resolve, reject) =>
        other.getACL(path, (err, acl) => (err ? reject(err) : resolve(acl))),
      );
      const perms = (acl: zookeeper.ACL) => (acl as unknown as { permission: number }).permission;
      assert.deepEqual(
        acls.map((a) => `${a.id.scheme}:${a.id.id.split(':')[0]}:${perms(a)}`).sort(),
        [`digest:${auth.user}:${zookeeper.Permission.ALL}`, `world:anyone:${zookeeper.Permission.READ}`],
        path,
      );
    }
    // Anyone reads; nobody else writes, creates in it or removes.
    assert.ok((await getData(other, place.root)).includes('"snapshot"'));
    const refused = (fn: (done: (err: unknown) => void) => void) =>
      new Promise<number | undefined>((resolve) =>
        fn((err) => resolve((err as { getCode?: () => number } | null)?.getCode?.())),
      );
    const NO_AUTH = zookeeper.Exception.NO_AUTH;
    assert.equal(await refused((done) => other.setData(place.root, Buffer.from('{}'), -1, done)), NO_AUTH);
    assert.equal(await refused((done) => other.create(`${place.root}/log/9999999999`, done)), NO_AUTH);
    assert.equal(await refused((done) => other.remove(chunk, -1, done)), NO_AUTH);
    const logNode = `${place.root}/log`;
    assert.equal(
      await refused((done) => owner.setData(logNode, Buffer.alloc(0), -1, done)),
      undefined,
      'the owner may',
    );
    // The backend reopens with the same credentials and reads its entries back.
    assert.deepEqual(await replayed(place), [entry('k', 'v')]);
  } finally {
    other.close();
    owner.close();
    place.client.close();
    // The tree is the credentials' holder's to remove.
    const { removeTree } = await import('../helpers/zookeeper.js');
    const remover = await zkClient(`${auth.user}:${auth.password}`);
    await removeTree(remover, place.root);
    remover.close();
  }
});

withPlace(
  'the leader’s election znode gone, the next append rejects, nothing of it is written, and writing stops',
  async (p) => {
    const log = await p.backend.open(() => undefined, none);
    await log.append(entry('a', '1'));
    await removeNode(p.client, p.fence); // the session that held it expired, or the leader was deposed
    await rejectsNotLeading(log.append(entry('b', '2')), /election znode .* is gone/);
    // Writing stays stopped, with the same reason, even where a later check would pass.
    const successor = await ephemeralFence(p.client);
    await rejectsNotLeading(log.append(entry('c', '3')), /is gone/);
    await rejectsNotLeading(log.compact([entry('a', '1')]), /is gone/);
    await log.close();
    assert.deepEqual(await replayed(p, successor), [entry('a', '1')]);
  },
);

withPlace('without an election znode, opening and appending fail at once', async (p) => {
  await rejectsNotLeading(
    p.reopen({ fence: () => undefined }).open(() => undefined, none),
    /not the leader/,
  );
  let leading = true;
  const log = await p.reopen({ fence: () => (leading ? p.fence : undefined) }).open(() => undefined, none);
  await log.append(entry('a', '1'));
  leading = false;
  await rejectsNotLeading(log.append(entry('b', '2')), /not the leader/);
  await log.close();
  assert.deepEqual(await replayed(p), [entry('a', '1')]);
});

withPlace('a second writer takes the state over: the first one’s write is refused by version, whole', async (p) => {
  const first = await p.backend.open(() => undefined, none);
  await first.append(entry('a', 'first'));
  // Another manager opens the same state (its own election znode stands, as a deposed leader's may for a while).
  const otherFence = await ephemeralFence(p.client);
  const seen: StateEntry[] = [];
  const second = await p.reopen({ fence: () => otherFence }).open((e) => seen.push(e), none);
  assert.deepEqual(seen, [entry('a', 'first')]);
  await rejectsNotLeading(first.append(entry('b', 'stale')), /another manager took the shared state over/);
  await second.append(entry('c', 'second'));
  await rejectsNotLeading(first.compact([]), /another manager/);
  await first.close();
  await second.close();
  assert.deepEqual(await replayed(p), [entry('a', 'first'), entry('c', 'second')]);
});

withPlace('an entry too large for a znode fails its own append only; those beside it land', async (p) => {
  const log = await p.backend.open(() => undefined, none);
  const huge = { t: 'name', id: 'huge', name: randomBytes(600 * 1024).toString('base64') } as StateEntry;
  const writes = [log.append(entry('a', '1')), log.append(huge), log.append(entry('b', '2'))];
  const [a, h, b] = (await Promise.allSettled(writes)).map((r) => (r.status === 'rejected' ? r.reason : 'ok'));
  assert.equal(a, 'ok');
  assert.equal(b, 'ok');
  assert.ok(h instanceof JournalEncodeError, String(h));
  await log.append(entry('c', '3'));
  await log.close();
  assert.deepEqual(await replayed(p), [entry('a', '1'), entry('b', '2'), entry('c', '3')]);
});

withPlace('an opening compacts a log longer than its snapshot, and the old chunks are removed', async (p) => {
  const log = await p.backend.open(() => undefined, none);
  for (let round = 0; round < 30; round++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry(`k${i}`, `${round}`))));
  }
  await log.close();
  const logChunks = (await children(p.client, `${p.root}/log`)).length;
  assert.ok(logChunks >= 30, `${logChunks} log chunks`);
  const state = new Map<string, string>();
  const again = await p.reopen().open(
    (e) => state.set((e as { id: string }).id, (e as { name: string }).name),
    () => [...state].map(([k, v]) => entry(k, v)),
  );
  assert.equal(again.size, 50, 'the compacted form: one entry a key');
  await eventually(async () => (await children(p.client, `${p.root}/log`)).length === 0, 10_000);
  await again.close();
  const entries = await replayed(p);
  assert.equal(entries.length, 50);
  assert.deepEqual(entries.at(-1), entry('k49', '29'));
});

test('ZooKeeper going away under the writer', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const proxy = await tcpProxy(`tcp://${ZOOKEEPER}`);
  const hosts = proxy.address.replace('tcp://', '');
  const place = await zooKeeperPlace({ hosts, sessionTimeoutMs: 4000 });
  try {
    await t.test('an answer lost with the connection: read back, the append lands once', async () => {
      const log = await place.reopen().open(() => undefined, none);
      await log.append(entry('a', '1'));
      const before = (await children(place.client, `${place.root}/log`)).length;
      proxy.dropReplies();
      let settled = false;
      const write = log.append(entry('b', '2')).finally(() => (settled = true));
      // The request reached ZooKeeper (its chunk is there) but its answer went nowhere.
      await eventually(async () => (await children(place.client, `${place.root}/log`)).length > before, 10_000);
      assert.equal(settled, false);
      await proxy.cut();
      await proxy.restore();
      await write;
      await log.append(entry('c', '3'));
      await log.close();
      assert.deepEqual(await replayed(place), [entry('a', '1'), entry('b', '2'), entry('c', '3')]);
    });

    await t.test('a connection cut for less than the session: the append waits and lands', async () => {
      const log = await place.reopen().open(() => undefined, none);
      await proxy.cut();
      const write = log.append(entry('d', '4'));
      await new Promise((resolve) => setTimeout(resolve, 500)); // a short outage, well inside the session
      await proxy.restore();
      await write;
      await log.close();
      assert.deepEqual((await replayed(place)).at(-1), entry('d', '4'));
    });

    await t.test('a session that expired: the append rejects, nothing lands, writing stops', async () => {
      const log = await place.reopen().open(() => undefined, none);
      await proxy.cut();
      const started = Date.now();
      await rejectsNotLeading(log.append(entry('e', '5')), /session lost/);
      assert.ok(Date.now() - started < within(8000), 'rejected about the session timeout after the cut');
      await proxy.restore();
      await rejectsNotLeading(log.append(entry('f', '6')), /session lost/);
      await log.close();
      const entries = await replayed(place);
      assert.deepEqual(entries.at(-1), entry('d', '4'));
    });
  } finally {
    await place.remove();
    await proxy.close();
  }
});
