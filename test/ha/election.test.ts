// The election and its fencing, in-process against real ZooKeeper: lowest candidate leads, a candidate's death wakes
// only its successor's check (the others keep their leader), a leader cut off from ZooKeeper stops acting before
// anyone else can start, and after an outage that outlived every session exactly one leads again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { needZooKeeper, ZOOKEEPER } from '../helpers/services.js';
import { eventually } from '../helpers/manager.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { removeZkTrees } from '../helpers/zookeeper.js';
import { Replication } from '../../src/ha/replication.js';
import { silentLogger } from '../../src/util/logger.js';

const base = `/mesoswarm-test/${randomUUID()}`;
const TTL_MS = 4000;
const opened: Replication[] = [];
const proxies: TcpProxy[] = [];

after(async () => {
  for (const r of opened) await r.close().catch(() => undefined);
  for (const p of proxies) await p.close();
  await removeZkTrees(base);
});

interface Candidate {
  readonly replication: Replication;
  /** When its acting part started and stopped (performance.now()), in order. */
  readonly log: { what: 'start' | 'stop'; at: number }[];
}

async function candidate(path: string, advertise: string, servers = ZOOKEEPER): Promise<Candidate> {
  const log: Candidate['log'] = [];
  const replication = new Replication({
    servers,
    path,
    advertise,
    sessionTimeoutMs: TTL_MS,
    logger: silentLogger,
    startActing: async () => {
      log.push({ what: 'start', at: performance.now() });
      return {
        stop: async () => {
          log.push({ what: 'stop', at: performance.now() });
        },
      };
    },
  });
  opened.push(replication);
  await replication.start();
  return { replication, log };
}

const starts = (c: Candidate) => c.log.filter((e) => e.what === 'start').length;

test('lowest leads; a replica that goes changes nothing; the leader that goes hands over to the next only', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const path = `${base}/order`;
  const a = await candidate(path, 'a:1');
  const b = await candidate(path, 'b:1');
  const c = await candidate(path, 'c:1');
  await eventually(() => a.replication.serving && c.replication.members.length === 3);
  assert.deepEqual(
    c.replication.members.map((m) => m.address),
    ['a:1', 'b:1', 'c:1'],
  );
  assert.equal(b.replication.primary, 'a:1');
  assert.equal(b.replication.fence(), undefined, 'a replica holds no fence');
  assert.match(a.replication.fence() ?? '', new RegExp(`^${path}/n_\\d{10}$`));

  // The middle one goes: c now waits on a, and nobody acts anew.
  await b.replication.close();
  await eventually(() => c.replication.members.length === 2);
  assert.equal(starts(c), 0);
  assert.equal(c.replication.role, 'replica');

  // The leader goes (a clean stop deletes its znode at once): c leads, after a stopped.
  await a.replication.close();
  await eventually(() => c.replication.serving);
  assert.equal(starts(c), 1);
  assert.equal(a.log.at(-1)?.what, 'stop');
  assert.ok(a.log.at(-1)!.at <= c.log[0]!.at);
  assert.equal(c.replication.primary, 'c:1');
});

test('a leader cut off from ZooKeeper stops acting before its successor starts; back, it rejoins as a replica', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const path = `${base}/fence`;
  const proxy = await tcpProxy(`tcp://${ZOOKEEPER}`);
  proxies.push(proxy);
  const leader = await candidate(path, 'leader:1', proxy.address.replace(/^tcp:\/\//, ''));
  const successor = await candidate(path, 'successor:1');
  await eventually(() => leader.replication.serving && successor.replication.members.length === 2);
  const cutAt = performance.now();
  await proxy.cut();
  await eventually(() => successor.replication.serving, TTL_MS + 10_000);
  const stopped = leader.log.find((e) => e.what === 'stop')!;
  assert.ok(stopped, 'the cut-off leader stopped acting');
  assert.ok(stopped.at < successor.log[0]!.at, 'it stopped before the successor started');
  t.diagnostic(
    `stopped acting ${Math.round(stopped.at - cutAt)} ms after the cut; successor acting after ${Math.round(successor.log[0]!.at - cutAt)} ms (session timeout ${TTL_MS} ms)`,
  );
  assert.equal(leader.replication.role, 'replica');
  await proxy.restore();
  await eventually(() => leader.replication.members.length === 2, 20_000);
  assert.equal(leader.replication.primary, 'successor:1');
  assert.equal(starts(leader), 1, 'it did not act again');
});

test('ZooKeeper unreachable for longer than every session: all rejoin, exactly one leads afterwards', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const path = `${base}/outage`;
  const proxy = await tcpProxy(`tcp://${ZOOKEEPER}`);
  proxies.push(proxy);
  const servers = proxy.address.replace(/^tcp:\/\//, '');
  const all = [
    await candidate(path, 'x:1', servers),
    await candidate(path, 'y:1', servers),
    await candidate(path, 'z:1', servers),
  ];
  await eventually(() => all.filter((c) => c.replication.serving).length === 1);
  await proxy.cut();
  await eventually(() => all.every((c) => c.replication.role === 'replica' && !c.replication.serving), TTL_MS + 5000);
  await new Promise((resolve) => setTimeout(resolve, TTL_MS + 1000)); // past every session's timeout, on purpose
  await proxy.restore();
  await eventually(
    () => all.filter((c) => c.replication.serving).length === 1 && all.every((c) => c.replication.members.length === 3),
    30_000,
  );
  const leaders = all.filter((c) => c.replication.serving);
  assert.equal(leaders.length, 1);
  for (const c of all) assert.equal(c.replication.primary, leaders[0]!.replication.advertise);
  // Every acting part that started was stopped, except the one leader's.
  const acting = all.filter((c) => c.log.at(-1)?.what === 'start');
  assert.deepEqual(acting, leaders);
});
