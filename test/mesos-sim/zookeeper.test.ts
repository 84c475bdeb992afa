// Leader publication in a real ZooKeeper: json.info_ EPHEMERAL_SEQUENTIAL nodes with sorted-key MasterInfo JSON, a
// standby answering 307 with a protocol-relative Location (or 503 when no usable leader exists), and the standby
// taking over when the leader's session ends. Every test uses its own znode path.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import zookeeper from 'node-zookeeper-client';
import { startMesosSim } from './index.js';
import { FRAMEWORK, JSON_HEADERS, Scheduler, eventually, gate, request, zookeeperAvailable } from './helpers.js';

const ZK = process.env.MESOSWARM_TEST_ZK ?? '127.0.0.1:2181';
const skip = gate(await zookeeperAvailable());

function zkClient(): Promise<zookeeper.Client> {
  const c = zookeeper.createClient(ZK, { sessionTimeout: 5000 });
  return new Promise((resolve) => {
    c.once('connected', () => resolve(c));
    c.connect();
  });
}
const children = (c: zookeeper.Client, path: string) =>
  new Promise<string[]>((resolve, reject) => c.getChildren(path, (e, ch) => (e ? reject(e) : resolve(ch))));
const data = (c: zookeeper.Client, path: string) =>
  new Promise<string>((resolve, reject) => c.getData(path, (e, d) => (e ? reject(e) : resolve(d.toString('utf8')))));

describe('ZooKeeper leader election', { skip }, () => {
  test('leader publishes json.info_, standby redirects with 307, takes over when the leader goes', async () => {
    const path = `/mesos-sim-test/${randomUUID()}`;
    const a = await startMesosSim({ zookeeper: { connect: ZK, path }, agents: 1 });
    let b: Awaited<ReturnType<typeof startMesosSim>> | undefined;
    const zk = await zkClient();
    try {
      await eventually(() => a.isLeader(), 5000, 'A leads');
      const kids = (await children(zk, path)).sort();
      assert.ok(kids.includes('log_replicas'));
      const nodes = kids.filter((k) => k.startsWith('json.info_'));
      assert.equal(nodes.length, 1);
      assert.match(nodes[0]!, /^json\.info_\d{10}$/);
      const raw = await data(zk, `${path}/${nodes[0]}`);
      const info = JSON.parse(raw);
      assert.deepEqual(Object.keys(info), [...Object.keys(info)].sort(), 'keys are sorted');
      assert.deepEqual(Object.keys(info.address), ['hostname', 'ip', 'port']);
      assert.equal(info.id, a.masterId);
      assert.deepEqual(info.address, { hostname: '127.0.0.1', ip: '127.0.0.1', port: a.port });
      assert.equal(info.pid, `master@127.0.0.1:${a.port}`);

      b = await startMesosSim({ zookeeper: { connect: ZK, path }, agents: 1 });
      await eventually(
        async () => (await request(`${b!.url}/api/v1/scheduler`, { headers: JSON_HEADERS, body: '{}' })).status === 307,
      );
      assert.equal(b.isLeader(), false);
      for (const p of ['/api/v1/scheduler', '/master/api/v1/scheduler']) {
        const r = await request(`${b.url}${p}`, { headers: JSON_HEADERS, body: '{}' });
        assert.equal(r.status, 307);
        assert.equal(r.headers.location, `//127.0.0.1:${a.port}${p}`);
      }
      assert.equal(
        (await request(`${b.url}/api/v1/scheduler`, { method: 'GET' })).status,
        307,
        'any method is redirected',
      );
      const redirect = await request(`${b.url}/redirect`, { method: 'GET' });
      assert.equal(redirect.headers.location, `//127.0.0.1:${a.port}`);

      const s = await Scheduler.subscribe(a.url, { ...FRAMEWORK, failover_timeout: 60 });
      await a.close();
      await s.endedPromise;
      await eventually(() => b!.isLeader(), 15_000, 'B takes over');
      const again = await Scheduler.subscribe(
        b.url,
        { ...FRAMEWORK, failover_timeout: 60 },
        { frameworkId: s.frameworkId },
      );
      assert.equal(again.events[0].subscribed.master_info.id, b.masterId);
      await again.offers();
      again.close();
    } finally {
      zk.close();
      await a.close();
      await b?.close();
    }
  });

  test('no usable leader (garbage in the smallest node): 503 "No leader elected" until it goes away', async () => {
    const path = `/mesos-sim-test/${randomUUID()}`;
    const zk = await zkClient();
    await new Promise<void>((resolve, reject) => zk.mkdirp(path, (e) => (e ? reject(e) : resolve())));
    const garbage = await new Promise<string>((resolve, reject) =>
      zk.create(`${path}/json.info_`, Buffer.from('not json'), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const c = await startMesosSim({ zookeeper: { connect: ZK, path }, agents: 1 });
    try {
      await eventually(
        async () => (await request(`${c.url}/api/v1/scheduler`, { headers: JSON_HEADERS, body: '{}' })).status === 503,
      );
      const r = await request(`${c.url}/api/v1/scheduler`, { headers: JSON_HEADERS, body: '{}' });
      assert.equal(r.body, 'No leader elected');
      await new Promise<void>((resolve, reject) => zk.remove(garbage, (e) => (e ? reject(e) : resolve())));
      await eventually(() => c.isLeader(), 5000, 'C leads');
      const s = await Scheduler.subscribe(c.url, FRAMEWORK);
      await s.offers();
      s.close();
    } finally {
      zk.close();
      await c.close();
    }
  });
});
