// Several native-mode managers over the two real engines, in one election on a zk:// discovery that also holds the
// engines (`mesoswarm join`): roles in `docker info`, the leader killed -9 again and again while a client creates
// and starts containers through any manager (none lost, none twice), streams through a replica, a pause past the
// session timeout (SIGSTOP) that ends in a replica, and no leader at all: classic Swarm's 503.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ENGINES, needEngines, needZooKeeper, ZOOKEEPER } from '../helpers/services.js';
import { eventually, removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { within } from '../helpers/deadline.js';
import { removeZkTrees, zkClient } from '../helpers/zookeeper.js';
import {
  type Replica,
  alive,
  anotherPrimary,
  createAndStartAll,
  killLeaders,
  LOOP,
  LOOP_RUN,
  leaderOf,
  roleOf,
  spread,
  startReplica,
} from '../helpers/replicas.js';
import zookeeper from 'node-zookeeper-client';
import { freePort, spawnManager } from '../helpers/manager-process.js';

const bin = fileURLToPath(new URL('../../bin/mesoswarm', import.meta.url));
const TTL_MS = 6000;
const prefix = uniquePrefix('ha-native');
const base = `/mesoswarm-test/${randomUUID()}`;
const discovery = `zk://${ZOOKEEPER}${base}`;
const joins: ChildProcess[] = [];
const replicas: Replica[] = [];
let ready = false;

const args = (advertise: string) => [
  '--replication',
  '--advertise',
  advertise,
  '--replication-ttl',
  `${TTL_MS / 1000}s`,
  '--engine-refresh-min-interval',
  '2s',
  '--engine-refresh-max-interval',
  '4s',
  discovery,
];

function joinEngine(address: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [bin, 'join', '--advertise', address, '--heartbeat', '2s', '--ttl', '6s', discovery],
    {
      stdio: 'ignore',
    },
  );
  joins.push(child);
  return child;
}

before(async () => {
  if (!(await needEngines()) || !(await needZooKeeper())) return;
  for (const engine of ENGINES) joinEngine(engine.replace(/^tcp:\/\//, ''));
  await eventually(async () => {
    const list = await listed();
    return ENGINES.every((e) => list.includes(e.replace(/^tcp:\/\//, '')));
  }, 15_000);
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(args));
  ready = true;
});

after(async () => {
  for (const r of replicas) await r.manager.kill().catch(() => undefined);
  for (const j of joins) j.kill('SIGTERM');
  await removeContainersNamed(prefix);
  await removeZkTrees(base);
});

async function listed(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'list', discovery]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(out));
  });
}

/** The live managers other than `r`. */
const others = (r: Replica) => replicas.filter((o) => o !== r && alive(o));

test('join registers engines in zk:// discovery: list shows them, managers use them as nodes', async (t) => {
  if (!ready) return t.skip('needs the engines and ZooKeeper');
  const leader = await leaderOf(replicas);
  const nodes = await eventually(async () => {
    const info = await leader.manager.docker.ok(['info', '--format', '{{json .SystemStatus}}']);
    const pairs = JSON.parse(info) as [string, string][];
    const count = Number(pairs.find(([k]) => k === 'Nodes')?.[1] ?? 0);
    return count === ENGINES.length ? pairs : undefined;
  }, 20_000);
  assert.ok(
    nodes.some(([k, v]) => k.includes('Status') && v === 'Healthy'),
    JSON.stringify(nodes),
  );

  // A third registration (another address of the first engine) is a node while its join runs, and goes with it.
  const extra = `localhost:${ENGINES[0]!.split(':').at(-1)}`;
  const join = joinEngine(extra);
  await eventually(async () => (await listed()).includes(extra), 15_000);
  join.kill('SIGTERM');
  await eventually(async () => !(await listed()).includes(extra), 15_000);
});

test('docker info on every manager: one primary, replicas naming it, all three managers listed', async (t) => {
  if (!ready) return t.skip('needs the engines and ZooKeeper');
  const leader = await leaderOf(replicas);
  for (const r of replicas) {
    const role = await roleOf(r);
    assert.equal(role.role, r === leader ? 'primary' : 'replica', r.advertise);
    if (r !== leader) assert.equal(role.primary, leader.advertise);
    assert.equal(role.managers, 3);
  }
  const info = await others(leader)[0]!.manager.docker.ok(['info']);
  assert.match(info, /Role: replica/);
  assert.match(info, new RegExp(`Primary: ${leader.advertise.replace(/\./g, '\\.')}`));
  assert.match(info, /Nodes: 2/, 'a replica shows the leader’s figures');
});

test('attach, exec -it, logs -f, events and wait through a replica', async (t) => {
  if (!ready) return t.skip('needs the engines and ZooKeeper');
  const leader = await leaderOf(replicas);
  const docker = others(leader)[0]!.manager.docker;
  const name = `${prefix}streams`;
  const events = docker.start(['events', '--filter', `container=${name}`, '--format', '{{.Action}}']);
  try {
    await docker.ok([
      'run',
      '-d',
      '--name',
      name,
      'busybox',
      'sh',
      '-c',
      'i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.3; done',
    ]);
    const logs = docker.start(['logs', '-f', name]);
    await logs.waitFor(/tick3/, 20_000);
    await logs.stop();
    const attach = docker.start(['attach', '--no-stdin', name]);
    await attach.waitFor(/tick\d+/, 20_000);
    await attach.stop();
    // A pty through `script`: the CLI's -t needs a terminal on its side.
    const exec = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'script',
        ['-qec', `docker exec -it ${name} sh -c 'tty; echo through-$((40+2))'`, '/dev/null'],
        {
          env: { ...process.env, DOCKER_HOST: others(leader)[0]!.manager.host },
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), within(30_000));
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
    });
    assert.match(exec, /\/dev\/pts\/\d+/, 'the exec got a terminal');
    assert.match(exec, /through-42/);
    await events.waitFor(/start/, 20_000);
    const waited = docker(['wait', name], { timeoutMs: 30_000 });
    await docker.ok(['kill', name]);
    const result = await waited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '137');
    await events.waitFor(/die/, 20_000);
  } finally {
    await events.stop();
  }
});

test('the leader killed -9 again and again under a client creating and starting through any manager', async (t) => {
  if (!ready) return t.skip('needs the engines and ZooKeeper');
  const { kills: KILLS, names: NAMES } = LOOP;
  const startedAt = Date.now();
  const names = Array.from({ length: NAMES }, (_, i) => `${prefix}loop${i}`);
  const client = createAndStartAll(replicas, names, LOOP_RUN, within(120000));
  const takeovers = await killLeaders(replicas, KILLS, () => startReplica(args), 1500);
  const outcomes = await client;
  const retried = outcomes.filter((o) => o.errors.length > 0).length;

  // Straight from the engines: exactly one container per name, running.
  const found = new Map<string, string[]>();
  for (const engine of ENGINES) {
    const out = await dockerCli(engine).ok([
      'ps',
      '-a',
      '--filter',
      `name=${prefix}loop`,
      '--format',
      '{{.Names}} {{.State}}',
    ]);
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, state] = line.split(' ');
      found.set(name!, [...(found.get(name!) ?? []), state!]);
    }
  }
  const lost = names.filter((n) => !found.has(n));
  const duplicated = names.filter((n) => (found.get(n)?.length ?? 0) > 1);
  const notRunning = names.filter((n) => found.get(n)?.length === 1 && found.get(n)![0] !== 'running');
  t.diagnostic(
    `kills=${KILLS} names=${NAMES} retried=${retried} lost=${lost.length} duplicated=${duplicated.length} ` +
      `not-running=${notRunning.length} takeover ms min/median/max=${spread(takeovers)} ` +
      `(session timeout ${TTL_MS} ms) wall=${Math.round((Date.now() - startedAt) / 1000)} s; ` +
      `takeover ms=${takeovers.join(',')}`,
  );
  assert.deepEqual(lost, []);
  assert.deepEqual(duplicated, []);
  assert.deepEqual(notRunning, []);
  for (const ms of takeovers) assert.ok(ms <= within(TTL_MS + 5000), `takeover took ${ms} ms`);
});

test('a leader paused past its session timeout stops acting; resumed, it is a replica', async (t) => {
  if (!ready) return t.skip('needs the engines and ZooKeeper');
  const leader = await leaderOf(replicas);
  const pid = leader.manager.child.pid!;
  process.kill(pid, 'SIGSTOP');
  const stoppedAt = Date.now();
  try {
    const next = await anotherPrimary(replicas, leader, TTL_MS + 20_000);
    t.diagnostic(`new primary after ${Date.now() - stoppedAt} ms`);
    await next.manager.docker.ok(['run', '-d', '--name', `${prefix}paused`, 'busybox', 'sleep', '300']);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await eventually(async () => (await roleOf(leader)).role === 'replica', 20_000);
  const after = await leaderOf(replicas);
  assert.notEqual(after, leader);
  assert.match(leader.manager.log(), /no longer primary: stopped acting/);
  // Through the old leader, now a replica: the container the new leader started.
  const ps = await leader.manager.docker.ok(['ps', '--filter', `name=${prefix}paused`, '--format', '{{.Names}}']);
  assert.match(ps, /paused/);
});

test('no leader: a replica waits, then answers 503 "No elected primary cluster manager"', async (t) => {
  if (!ready) return t.skip('needs the engines and ZooKeeper');
  // An election of its own whose lowest candidate claims the replica's own address: it leads nobody, so there is no
  // primary to proxy to (the replica never serves a leadership it does not hold).
  const path = `${base}-lonely/docker/swarm/leader`;
  const zk = await zkClient();
  try {
    await new Promise<void>((resolve, reject) => zk.mkdirp(path, (err) => (err ? reject(err) : resolve())));
    const port = await freePort();
    const advertise = `127.0.0.1:${port}`;
    await new Promise<void>((resolve, reject) =>
      zk.create(`${path}/n_`, Buffer.from(advertise), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    const manager = await spawnManager(
      ['--replication', '--advertise', advertise, '--replication-ttl', '4s', `zk://${ZOOKEEPER}${base}-lonely`],
      port,
    );
    const lonely: Replica = { port, advertise, manager };
    replicas.push(lonely);
    const role = await roleOf(lonely);
    assert.equal(role.role, 'replica');
    const started = Date.now();
    const ps = await lonely.manager.docker(['ps'], { timeoutMs: 60_000 });
    assert.notEqual(ps.code, 0);
    assert.match(ps.stderr, /No elected primary cluster manager/);
    assert.ok(Date.now() - started >= 4000, 'it waited for a leader first');
  } finally {
    zk.close();
    await removeZkTrees(`${base}-lonely`);
  }
});
