// Leader detection against the real ZooKeeper at 127.0.0.1:2181 (started by .ci/services.sh). Each test works in a
// unique path and creates the masters' EPHEMERAL_SEQUENTIAL `json.info_` nodes itself.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { ZooKeeperDetector, type DetectedMaster } from '../../src/mesos/detector.js';
import { MesosSchedulerClient } from '../../src/mesos/client.js';
import type { Logger } from '../../src/mesos/logger.js';
import { FakeMaster, fastTimings, nextEvent, waitFor } from './fake-master.js';

const ZK = process.env.MESOSWARM_TEST_ZK ?? '127.0.0.1:2181';
const ROOT = '/mesoswarm-test-mesos-client';

function reachable(address: string): Promise<string | undefined> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (why?: string): void => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(1500, () => done('connection timed out'));
    socket.on('connect', () => done());
    socket.on('error', (err) => done(err.message));
  });
}

let unavailable: string | undefined;
let admin: zookeeper.Client;

const call = <T>(fn: (cb: (err: Error | null | unknown, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));

before(async () => {
  const why = await reachable(ZK);
  if (why) {
    unavailable = `ZooKeeper not reachable at ${ZK} (${why}); start it with .ci/services.sh`;
    if (process.env.CI === 'true') throw new Error(`${unavailable} — required in CI`);
    console.log(`skipping ZooKeeper tests: ${unavailable}`);
    return;
  }
  admin = zookeeper.createClient(ZK, { sessionTimeout: 10_000 });
  const connected = new Promise<void>((resolve) => admin.once('connected', () => resolve()));
  admin.connect();
  await connected;
});

after(async () => {
  if (!admin) return;
  await removeRecursive(ROOT).catch(() => {});
  admin.close();
});

async function removeRecursive(path: string): Promise<void> {
  let children: string[];
  try {
    children = await call<string[]>((cb) => admin.getChildren(path, cb));
  } catch {
    return;
  }
  for (const child of children) await removeRecursive(`${path}/${child}`);
  await call((cb) => admin.remove(path, cb)).catch(() => {});
}

async function groupPath(): Promise<string> {
  const path = `${ROOT}/${randomUUID()}`;
  await call((cb) => admin.mkdirp(path, cb));
  return path;
}

function masterInfo(port: number, ip = '127.0.0.1'): Buffer {
  // Keys sorted, as stout writes them.
  return Buffer.from(
    JSON.stringify({
      address: { hostname: 'localhost', ip, port },
      hostname: 'localhost',
      id: randomUUID(),
      ip: 16777343,
      pid: `master@${ip}:${port}`,
      port,
      version: '1.12.0',
    }),
  );
}

/** Creates a master's node the way a master does; returns its full path. */
function register(path: string, data: Buffer, client = admin): Promise<string> {
  return call<string>((cb) => client.create(`${path}/json.info_`, data, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb));
}

function recorder() {
  const seen: Array<string | null> = [];
  return {
    seen,
    listener: (leader: DetectedMaster | null) => seen.push(leader ? leader.url.host : null),
    last: () => seen[seen.length - 1],
  };
}

function captureLogger() {
  const warnings: Array<{ obj: object; msg?: string }> = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => warnings.push({ obj, msg }),
    error: (obj, msg) => warnings.push({ obj, msg }),
  };
  return { logger, warnings };
}

test('leader is the lowest json.info_ sequence; log_replicas and non-numeric children are ignored', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const path = await groupPath();
  await call((cb) => admin.create(`${path}/log_replicas`, cb));
  await call((cb) => admin.create(`${path}/json.info_abc`, masterInfo(1111), cb));
  await call((cb) => admin.create(`${path}/info_0000000000`, Buffer.from('\x08binary'), cb));
  await register(path, masterInfo(5051));
  await register(path, masterInfo(5052));
  const detector = new ZooKeeperDetector({ kind: 'zk', servers: ZK, path });
  const r = recorder();
  detector.start(r.listener);
  try {
    await waitFor(() => r.seen.length > 0, 5000, 'a leader');
    assert.deepEqual(r.seen, ['127.0.0.1:5051']);
  } finally {
    await detector.stop();
  }
});

test('when the leader node goes away the next lowest becomes leader', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const path = await groupPath();
  const first = await register(path, masterInfo(5061));
  const second = await register(path, masterInfo(5062));
  const detector = new ZooKeeperDetector({ kind: 'zk', servers: ZK, path });
  const r = recorder();
  detector.start(r.listener);
  try {
    await waitFor(() => r.last() === '127.0.0.1:5061', 5000, 'first leader');
    // A node newer than the leader changes nothing.
    await register(path, masterInfo(5063));
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(r.seen, ['127.0.0.1:5061']);
    await call((cb) => admin.remove(first, cb));
    await waitFor(() => r.last() === '127.0.0.1:5062', 5000, 'second leader');
    await call((cb) => admin.remove(second, cb));
    await waitFor(() => r.last() === '127.0.0.1:5063', 5000, 'third leader');
    assert.deepEqual(r.seen, ['127.0.0.1:5061', '127.0.0.1:5062', '127.0.0.1:5063']);
  } finally {
    await detector.stop();
  }
});

test('a node with garbage data is skipped and logged once', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const path = await groupPath();
  const garbage = await register(path, Buffer.from('\x08\x01not json at all'));
  await register(path, masterInfo(5071));
  const { logger, warnings } = captureLogger();
  const detector = new ZooKeeperDetector({ kind: 'zk', servers: ZK, path }, { logger });
  const r = recorder();
  detector.start(r.listener);
  try {
    await waitFor(() => r.seen.length > 0, 5000, 'a leader');
    assert.deepEqual(r.seen, ['127.0.0.1:5071']);
    const skipped = warnings.filter((w) => w.msg?.includes('skipping'));
    assert.equal(skipped.length, 1);
    assert.equal((skipped[0]!.obj as { node: string }).node, garbage);
    await register(path, masterInfo(5072));
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(warnings.filter((w) => w.msg?.includes('skipping')).length, 1, 'not logged again');
  } finally {
    await detector.stop();
  }
});

test('no children means no leader; the client waits and subscribes once a master appears', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const path = await groupPath();
  const master = await FakeMaster.start();
  const client = new MesosSchedulerClient({
    master: `zk://${ZK}${path}`,
    frameworkInfo: { user: 'u', name: 'zk-wait' },
    ...fastTimings,
  });
  const leaders: Array<string | null> = [];
  client.on('leader', (l) => leaders.push(l ? l.url.host : null));
  try {
    client.start();
    await waitFor(() => leaders.length > 0, 5000, 'first detection');
    assert.deepEqual(leaders, [null]);
    await new Promise((res) => setTimeout(res, 150));
    assert.equal(master.subscribes.length, 0);
    const sub = nextEvent(client, 'subscribed');
    await register(path, masterInfo(master.port));
    await sub;
    assert.deepEqual(leaders, [null, `127.0.0.1:${master.port}`]);
  } finally {
    await client.stop();
    await master.close();
  }
});

test('a group path that does not exist yet is watched until it does', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const path = `${ROOT}/${randomUUID()}/mesos`;
  const detector = new ZooKeeperDetector({ kind: 'zk', servers: ZK, path });
  const r = recorder();
  detector.start(r.listener);
  try {
    await waitFor(() => r.seen.length > 0, 5000, 'no-leader report');
    assert.deepEqual(r.seen, [null]);
    await call((cb) => admin.mkdirp(path, cb));
    await register(path, masterInfo(5081));
    await waitFor(() => r.last() === '127.0.0.1:5081', 5000, 'leader after creation');
  } finally {
    await detector.stop();
  }
});

test('leader change: the client closes its stream and re-subscribes to the new leader with the same framework ID', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const path = await groupPath();
  const m1 = await FakeMaster.start();
  const m2 = await FakeMaster.start();
  m2.frameworkId = m1.frameworkId;
  const node1 = await register(path, masterInfo(m1.port));
  await register(path, masterInfo(m2.port));
  const client = new MesosSchedulerClient({
    master: `zk://${ZK}${path}`,
    frameworkInfo: { user: 'u', name: 'zk-failover' },
    ...fastTimings,
  });
  try {
    let sub = nextEvent(client, 'subscribed');
    client.start();
    assert.equal((await sub)[0].master, `http://127.0.0.1:${m1.port}/api/v1/scheduler`);
    const disconnected = nextEvent(client, 'disconnected');
    sub = nextEvent(client, 'subscribed');
    await call((cb) => admin.remove(node1, cb));
    const [why] = await disconnected;
    assert.equal(why.reason, 'closed');
    assert.equal(why.detail, 'leader changed');
    assert.equal((await sub)[0].master, `http://127.0.0.1:${m2.port}/api/v1/scheduler`);
    await m1.streams[0]!.closed;
    const body = m2.subscribes[0]!.body as { framework_id: unknown; subscribe: { framework_info: { id: unknown } } };
    assert.deepEqual(body.framework_id, { value: m1.frameworkId });
    assert.deepEqual(body.subscribe.framework_info.id, { value: m1.frameworkId });
    await client.reconcile();
    assert.equal(m2.calls.length, 1);
    assert.equal(m1.calls.length, 0);
  } finally {
    await client.stop();
    await m1.close();
    await m2.close();
  }
});

/**
 * A TCP relay to ZooKeeper that the test can cut, as a network partition would: while cut, it drops every connection
 * it relays and refuses new ones, so the server expires the sessions that came through it.
 */
async function partitionableRelay(target: string) {
  const [host, port] = target.split(':');
  const open = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect({ host, port: Number(port) });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    setCut(value: boolean): void {
      cut = value;
      if (value) for (const socket of open) socket.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('session expiry: a new session is created and watching goes on', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const path = await groupPath();
  const first = await register(path, masterInfo(5091));
  await register(path, masterInfo(5092));
  const relay = await partitionableRelay(ZK);
  let sessions = 0;
  const detector = new ZooKeeperDetector(
    { kind: 'zk', servers: relay.address, path },
    {
      sessionTimeoutMs: 4000,
      createClient: (servers, options) => {
        sessions++;
        return zookeeper.createClient(servers, options);
      },
    },
  );
  const r = recorder();
  detector.start(r.listener);
  try {
    await waitFor(() => r.last() === '127.0.0.1:5091', 5000, 'leader');
    assert.equal(sessions, 1);
    // A partition longer than the session timeout: the server expires the session; when the detector gets through
    // again it learns so and must open a new session and watch again.
    relay.setCut(true);
    await new Promise((resolve) => setTimeout(resolve, 9000));
    relay.setCut(false);
    await waitFor(() => sessions === 2, 15_000, 'a new session');
    await call((cb) => admin.remove(first, cb));
    await waitFor(() => r.last() === '127.0.0.1:5092', 10_000, 'leader seen through the new session');
  } finally {
    await detector.stop();
    await relay.close();
  }
});

test('digest credentials from the zk:// URL are used', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const parent = await groupPath();
  const path = `${parent}/secured`;
  const digest = createHash('sha1').update('mesos:s3cret').digest('base64');
  const acl = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', `mesos:${digest}`))];
  await call((cb) => admin.create(path, acl, zookeeper.CreateMode.PERSISTENT, cb));
  const owner = zookeeper.createClient(ZK);
  owner.addAuthInfo('digest', Buffer.from('mesos:s3cret'));
  await new Promise<void>((resolve) => {
    owner.once('connected', () => resolve());
    owner.connect();
  });
  await register(path, masterInfo(5101), owner);
  const anonymous = new ZooKeeperDetector({ kind: 'zk', servers: ZK, path }, { retryDelayMs: 50 });
  const a = recorder();
  anonymous.start(a.listener);
  const authed = new ZooKeeperDetector({ kind: 'zk', servers: ZK, path, auth: { user: 'mesos', password: 's3cret' } });
  const b = recorder();
  authed.start(b.listener);
  try {
    await waitFor(() => b.last() === '127.0.0.1:5101', 5000, 'leader with credentials');
    assert.deepEqual(a.seen, [], 'without credentials the group cannot be read');
  } finally {
    await anonymous.stop();
    await authed.stop();
    // Closing the owner's session removes its ephemeral node; `after` removes the (open-ACL) parents.
    owner.close();
  }
});
