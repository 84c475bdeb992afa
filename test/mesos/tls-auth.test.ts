// The Mesos link's security: an https master (given as https://, or found through zk:// with mesos.tls), its
// certificate verified by default against a test CA made here, a client certificate when the master requires one;
// and ZooKeeper digest credentials (zk://user:pass@…) owning the framework ID's znode, so other ZooKeeper clients
// can read but not rewrite or delete it, with the password in no log line and not in `docker info`. Over the Mesos
// double only: real Mesos' build here speaks no TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import zookeeper from 'node-zookeeper-client';
import { needZooKeeper, ZOOKEEPER } from '../helpers/services.js';
import { zkClient } from '../helpers/zookeeper.js';
import { eventually, startTestManager, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { doubleOnly, oncePerRun, waitForNodes } from '../helpers/mesos.js';
import { makeTestPki, type TestPki } from '../helpers/test-ca.js';
import { startMesosSim, type MesosSim, type MesosSimOptions } from '../mesos-sim/index.js';

const NO_SSL =
  'an https master: the Mesos build of /work/shared/mesos has no libprocess SSL (configured without --enable-ssl)';

let pki: TestPki;
const cleanups: (() => Promise<unknown>)[] = [];

before(() => {
  pki = makeTestPki();
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  pki.remove();
});

async function sim(options: MesosSimOptions = {}): Promise<MesosSim> {
  const s = await startMesosSim({ agents: 2, allocationIntervalMs: 50, ...options });
  cleanups.push(() => s.close());
  return s;
}

/** A manager in mesos mode with its own state directory; `lines` collects every log line it writes (debug on). */
async function manager(master: string, clusterOpt: string[]): Promise<{ m: TestManager; lines: string[] }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-state-'));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const m = await startTestManager(
    {
      clusterDriver: 'mesos-experimental',
      clusterOpt: ['mesos.user=root', `mesos.statedir=${stateDir}`, ...clusterOpt],
    },
    master,
    { logger: pino({ level: 'debug' }, sink) },
  );
  cleanups.push(async () => {
    await m.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  return { m, lines };
}

async function mesosStatus(m: TestManager): Promise<string> {
  const status = new Map(
    JSON.parse(await m.docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][],
  );
  return status.get('Mesos') ?? '';
}

const serverTls = (requireClientCert = false) => ({
  cert: pki.pem('serverCert'),
  key: pki.pem('serverKey'),
  ...(requireClientCert ? { ca: pki.pem('ca'), requireClientCert } : {}),
});

test('https master: verified against mesos.tlscacert; refused unverified by default; tlsverify=false accepts it', async (t) => {
  if (doubleOnly(t, NO_SSL)) return;
  const master = await sim({ tls: serverTls() });
  assert.match(master.url, /^https:/);
  const trusted = await manager(master.url, [`mesos.tlscacert=${pki.files.ca}`]);
  await waitForNodes(trusted.m, 2);

  // No CA given: the system's CAs do not know ours, and verification is on unless turned off.
  const untrusted = await manager(master.url, []);
  await eventually(
    async () => /not subscribed \(.*(certificate|self.signed)/i.test(await mesosStatus(untrusted.m)),
    15_000,
  );
  // A CA that did not sign the master's certificate is no better.
  const wrongCa = await manager(master.url, [`mesos.tlscacert=${pki.files.otherCa}`]);
  await eventually(async () => /not subscribed \(.*certificate/i.test(await mesosStatus(wrongCa.m)), 15_000);

  const unverified = await manager(master.url, ['mesos.tlsverify=false']);
  await waitForNodes(unverified.m, 2);
});

test('a master that requires a client certificate gets mesos.tlscert/tlskey; without them it refuses us', async (t) => {
  if (doubleOnly(t, NO_SSL)) return;
  const master = await sim({ tls: serverTls(true) });
  const withCert = await manager(master.url, [
    `mesos.tlscacert=${pki.files.ca}`,
    `mesos.tlscert=${pki.files.clientCert}`,
    `mesos.tlskey=${pki.files.clientKey}`,
  ]);
  await waitForNodes(withCert.m, 2);
  const without = await manager(master.url, [`mesos.tlscacert=${pki.files.ca}`]);
  await eventually(async () => /^not subscribed \(/.test(await mesosStatus(without.m)), 15_000);
});

test('host:port with mesos.tls speaks https; a plain http master is not reached over https', async (t) => {
  if (doubleOnly(t, NO_SSL)) return;
  const master = await sim({ tls: serverTls() });
  const bare = await manager(`127.0.0.1:${master.port}`, ['mesos.tls=true', `mesos.tlscacert=${pki.files.ca}`]);
  await waitForNodes(bare.m, 2);
  const plain = await sim();
  const mismatch = await manager(`127.0.0.1:${plain.port}`, ['mesos.tls=true', `mesos.tlscacert=${pki.files.ca}`]);
  await eventually(async () => /^not subscribed \(/.test(await mesosStatus(mismatch.m)), 15_000);
});

const zkCall = <T>(fn: (done: (err: unknown, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
const codeOf = (err: unknown) => (err as { getCode?: () => number }).getCode?.();

test('zk:// with digest credentials and mesos.tls: an https master found through ZooKeeper; the framework ID is ours alone', async (t) => {
  if (doubleOnly(t, NO_SSL)) return;
  if (!(await needZooKeeper(t))) return;
  const masterPath = `/mesoswarm-test/${randomUUID()}`;
  const framework = uniquePrefix('zkauth').replace(/-$/, '');
  const password = `pw-${randomUUID()}`;
  await sim({ tls: serverTls(), zookeeper: { connect: ZOOKEEPER, path: masterPath } });
  const { m, lines } = await manager(`zk://alice:${password}@${ZOOKEEPER}${masterPath}`, [
    `mesos.name=${framework}`,
    'mesos.tls=true',
    `mesos.tlscacert=${pki.files.ca}`,
  ]);
  await waitForNodes(m, 2);
  const info = await m.docker.ok(['info']);
  const frameworkId = /Framework: (\S+)/.exec(info)?.[1];
  assert.ok(frameworkId, info);
  assert.match(info, /Master: https:\/\/127\.0\.0\.1:\d+\//, 'the leader, over https');

  const node = `/mesoswarm/${framework}/framework_id`;
  const owner = await zkClient(`alice:${password}`);
  const stranger = await zkClient();
  const impostor = await zkClient('alice:not-the-password');
  cleanups.push(async () => {
    for (const path of [node, `/mesoswarm/${framework}`])
      await zkCall((done) => owner.remove(path, -1, done)).catch(() => undefined);
    for (const c of [owner, stranger, impostor]) c.close();
  });
  const acls = await zkCall<zookeeper.ACL[]>((done) => owner.getACL(node, (err, acl) => done(err, acl)));
  const described = acls.map((a) => `${a.id.scheme}:${a.id.id}:${(a as unknown as { permission: number }).permission}`);
  assert.equal(described.length, 2, described.join(' '));
  assert.ok(
    described.some((d) => /^digest:alice:/.test(d) && d.endsWith(`:${zookeeper.Permission.ALL}`)),
    described.join(' '),
  );
  assert.ok(described.includes(`world:anyone:${zookeeper.Permission.READ}`), described.join(' '));

  // Anyone reads it; nobody but alice writes or deletes it.
  const read = await zkCall<Buffer>((done) => stranger.getData(node, (err, data) => done(err, data)));
  assert.equal(read.toString('utf8'), frameworkId);
  for (const client of [stranger, impostor]) {
    await assert.rejects(
      zkCall((done) => client.setData(node, Buffer.from('someone-else'), -1, done)),
      (err) => codeOf(err) === zookeeper.Exception.NO_AUTH,
    );
    await assert.rejects(
      zkCall((done) => client.remove(node, -1, done)),
      (err) => codeOf(err) === zookeeper.Exception.NO_AUTH,
    );
  }
  const after = await zkCall<Buffer>((done) => owner.getData(node, (err, data) => done(err, data)));
  assert.equal(after.toString('utf8'), frameworkId, 'unchanged');

  // The password is in no log line (debug level) and not in docker info.
  assert.ok(lines.length > 10, 'the manager logged');
  assert.equal(lines.filter((l) => l.includes(password)).length, 0, 'the secret is never logged');
  assert.ok(!info.includes(password));
});

test('the password of a zk:// master is not shown before the leader is found either', async (t) => {
  if (oncePerRun(t)) return;
  if (!(await needZooKeeper(t))) return;
  const password = `pw-${randomUUID()}`;
  // No master publishes under this path: the manager waits for a leader and shows the address it was given.
  const { m, lines } = await manager(`zk://bob:${password}@${ZOOKEEPER}/mesoswarm-test/${randomUUID()}`, [
    `mesos.name=${uniquePrefix('zknoleader').replace(/-$/, '')}`,
  ]);
  const info = await m.docker.ok(['info']);
  assert.match(info, /Master: zk:\/\/bob:\*\*\*@/);
  assert.ok(!info.includes(password));
  assert.equal(lines.filter((l) => l.includes(password)).length, 0);
});
