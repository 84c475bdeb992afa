import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { MesosSchedulerClient, isFatalMasterError, type SchedulerClientOptions } from '../../src/mesos/client.js';
import { MesosFatalError, MesosHttpError } from '../../src/mesos/errors.js';
import { backoffDelay } from '../../src/mesos/backoff.js';
import { FakeMaster, fastTimings, nextEvent, waitFor } from './fake-master.js';

const frameworkInfo = { user: 'root', name: 'reconnect-test' };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<SchedulerClientOptions> = {}, master?: FakeMaster) {
  const m = master ?? (await FakeMaster.start());
  const client = new MesosSchedulerClient({ master: m.address, frameworkInfo, ...fastTimings, ...options });
  cleanups.push(() => m.close());
  cleanups.push(() => client.stop());
  return { master: m, client };
}

test('backoff is truncated exponential with jitter', () => {
  const opts = { initialMs: 100, maxMs: 1000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts, () => 0)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.equal(
    backoffDelay(1, opts, () => 1),
    100,
    'jitter 0.5 halves at most',
  );
  assert.equal(
    backoffDelay(3, { ...opts, jitter: 0 }, () => 1),
    800,
  );
});

test('heartbeat watchdog: 5 silent intervals abort the stream and the client re-subscribes', async () => {
  const { master, client } = await setup();
  master.heartbeatIntervalSeconds = 0.04; // 200 ms of silence allowed
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  // Heartbeats keep it alive well past the timeout...
  let lastBeat = Date.now();
  const beat = setInterval(() => {
    master.streams[0]!.send({ type: 'HEARTBEAT' });
    lastBeat = Date.now();
  }, 30);
  await new Promise((r) => setTimeout(r, 400));
  clearInterval(beat);
  assert.equal(master.subscribes.length, 1, 'no reconnect while heartbeats flow');
  // ...then silence (socket still open, as with a stalled master) trips the watchdog.
  const [info] = await nextEvent(client, 'disconnected', 3000);
  const waited = Date.now() - lastBeat;
  assert.equal(info.reason, 'watchdog');
  assert.ok(waited >= 190 && waited < 1500, `watchdog fired ${waited} ms after the last heartbeat`);
  await waitFor(() => master.subscribes.length === 2, 3000, 're-subscribe');
  await master.streams[0]!.closed;
  assert.deepEqual(master.subscribes[1]!.body!.framework_id, { value: master.frameworkId });
});

test('SUBSCRIBE follows a 307 with a protocol-relative Location: host:port from it, our scheme and path', async () => {
  const leader = await FakeMaster.start();
  cleanups.push(() => leader.close());
  const { master: follower, client } = await setup();
  follower.onSubscribe = (_req, res) => {
    res.writeHead(307, { Location: `//127.0.0.1:${leader.port}/master/api/v1/scheduler` });
    res.end();
    return true;
  };
  const sub = nextEvent(client, 'subscribed');
  client.start();
  const [info] = await sub;
  assert.equal(follower.subscribes.length, 1);
  assert.equal(leader.subscribes.length, 1);
  assert.equal(leader.subscribes[0]!.path, '/api/v1/scheduler');
  assert.equal(info.master, `http://127.0.0.1:${leader.port}/api/v1/scheduler`);
  await client.reconcile();
  assert.equal(leader.calls.length, 1, 'calls go where the stream is');
  assert.equal(follower.calls.length, 0);
});

test('SUBSCRIBE answered 503 is retried with backoff until a leader answers', async () => {
  const { master, client } = await setup({ reconnectBackoff: { initialMs: 40, maxMs: 200, jitter: 0 } });
  let n = 0;
  const times: number[] = [];
  master.onSubscribe = (_req, res) => {
    times.push(Date.now());
    if (++n <= 2) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(n === 1 ? 'No leader elected' : 'Master has not finished recovery');
      return true;
    }
    return false;
  };
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  assert.equal(master.subscribes.length, 3);
  assert.ok(times[1]! - times[0]! >= 35, `first retry after ${times[1]! - times[0]!} ms`);
  assert.ok(times[2]! - times[1]! >= 75, `second retry after ${times[2]! - times[1]!} ms (doubled)`);
});

test('a refused connection is retried until the master comes up', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = new MesosSchedulerClient({ master: `127.0.0.1:${port}`, frameworkInfo, ...fastTimings });
  cleanups.push(() => client.stop());
  client.start();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(client.subscribed, false);
  const master = await FakeMaster.start();
  cleanups.push(() => master.close());
  // Re-point the client at the now-running master by redirecting from a server on the old port.
  const redirector = await FakeMaster.startOn(port);
  cleanups.push(() => redirector.close());
  redirector.onSubscribe = (_req, res) => {
    res.writeHead(307, { Location: `//127.0.0.1:${master.port}` });
    res.end();
    return true;
  };
  await nextEvent(client, 'subscribed', 3000);
  assert.equal(master.subscribes.length, 1);
});

test('ERROR "Framework failed over" ends the stream, is emitted, and the client re-subscribes', async () => {
  const { master, client } = await setup();
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  const errors: string[] = [];
  client.on('masterError', (m) => errors.push(m));
  const disconnected = nextEvent(client, 'disconnected');
  const again = nextEvent(client, 'subscribed');
  master.streams[0]!.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
  // Anything after ERROR on the same stream is not delivered.
  master.streams[0]!.send({ type: 'OFFERS', offers: { offers: [{ id: { value: 'late' } }] } });
  const offers: unknown[] = [];
  client.on('offers', (o) => offers.push(o));
  const [info] = await disconnected;
  assert.equal(info.reason, 'error-event');
  assert.equal(info.detail, 'Framework failed over');
  assert.deepEqual(errors, ['Framework failed over']);
  await again;
  assert.deepEqual(offers, []);
  assert.deepEqual(master.subscribes[1]!.body!.framework_id, { value: master.frameworkId });
});

test('ERROR "Framework has been removed" is fatal: emitted, surfaced, no re-subscribe', async () => {
  const { master, client } = await setup({ frameworkId: 'fw-gone' });
  master.onSubscribe = (req, res) => {
    const stream = master.openStream(req, res);
    stream.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    stream.end();
    return true;
  };
  const errors: string[] = [];
  client.on('masterError', (m) => errors.push(m));
  const fatal = nextEvent(client, 'fatal');
  client.start();
  const [error] = await fatal;
  assert.ok(error instanceof MesosFatalError);
  assert.equal(error.reason, 'Framework has been removed');
  assert.deepEqual(errors, ['Framework has been removed']);
  assert.equal(await client.done, error);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(master.subscribes.length, 1);
});

test('fatal classification of master errors', () => {
  assert.ok(isFatalMasterError('Framework has been removed'));
  assert.ok(isFatalMasterError("User 'root' is not allowed to run frameworks without --root_submissions set"));
  assert.ok(isFatalMasterError("Changing framework's principal is not allowed."));
  assert.ok(!isFatalMasterError('Framework failed over'));
});

test('a custom fatal predicate is honoured', async () => {
  const { master, client } = await setup({ isFatalError: (m) => m.includes('failed over') });
  master.onSubscribe = (req, res) => {
    master.openStream(req, res).send({ type: 'ERROR', error: { message: 'Framework failed over' } });
    return true;
  };
  const fatal = nextEvent(client, 'fatal');
  client.start();
  assert.equal((await fatal)[0].reason, 'Framework failed over');
});

test('SUBSCRIBE answered 401 is fatal (credentials refused)', async () => {
  const { master, client } = await setup({ credentials: { principal: 'p', secret: 'wrong' } });
  master.onSubscribe = (_req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="mesos-master-scheduler"' });
    res.end('401 Unauthorized.');
    return true;
  };
  const fatal = nextEvent(client, 'fatal');
  client.start();
  const [error] = await fatal;
  assert.ok(error.cause instanceof MesosHttpError);
  assert.equal(error.cause.status, 401);
  assert.equal(master.subscribes.length, 1);
});

test('a stream ended by the master (EOF) is re-subscribed after backoff', async () => {
  const { master, client } = await setup();
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  const disconnected = nextEvent(client, 'disconnected');
  const again = nextEvent(client, 'subscribed');
  master.streams[0]!.end();
  assert.equal((await disconnected)[0].reason, 'eof');
  await again;
  assert.equal(master.subscribes.length, 2);
});

test('a stream that is not RecordIO is dropped and re-subscribed', async () => {
  const { master, client } = await setup();
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  const disconnected = nextEvent(client, 'disconnected');
  master.streams[0]!.write('garbage\n');
  assert.equal((await disconnected)[0].reason, 'protocol');
  await waitFor(() => master.subscribes.length === 2);
});

test('events split at every byte still arrive whole', async () => {
  const { master, client } = await setup();
  master.autoSubscribed = false;
  const updates: string[] = [];
  client.on('update', (s) => updates.push(s.message ?? ''));
  const sub = nextEvent(client, 'subscribed');
  client.start();
  const stream = await waitFor(() => master.streams[0]);
  const { encodeRecord } = await import('../../src/mesos/recordio.js');
  const bytes = Buffer.concat([
    encodeRecord(JSON.stringify(master.subscribedEvent())),
    encodeRecord(
      JSON.stringify({
        type: 'UPDATE',
        update: { status: { task_id: { value: 't' }, state: 'TASK_LOST', message: 'hôte 🚀' } },
      }),
    ),
  ]);
  for (const byte of bytes) {
    stream.write(Buffer.from([byte]));
    await new Promise((r) => setImmediate(r));
  }
  await sub;
  await waitFor(() => updates.length === 1);
  assert.deepEqual(updates, ['hôte 🚀']);
});

test('a malformed master address is refused by the constructor', () => {
  assert.throws(() => new MesosSchedulerClient({ master: 'zk://nohost', frameworkInfo }), /invalid ZooKeeper URL/);
  assert.throws(() => new MesosSchedulerClient({ master: 'ftp://m:1', frameworkInfo }), /expected http, https, zk/);
});

test('a custom detector: "no leader" closes the stream and waits; the client stops the detector it was given', async () => {
  const master = await FakeMaster.start();
  cleanups.push(() => master.close());
  let report!: (leader: { url: URL } | null) => void;
  let stopped = false;
  const client = new MesosSchedulerClient({
    master: {
      start: (listener) => (report = listener),
      stop: async () => void (stopped = true),
    },
    frameworkInfo: { ...frameworkInfo, id: { value: 'fw-from-info' } },
    ...fastTimings,
  });
  cleanups.push(() => client.stop());
  client.start();
  await waitFor(() => report, 1000, 'detector start');
  const sub = nextEvent(client, 'subscribed');
  report({ url: new URL(`http://${master.address}/api/v1/scheduler`) });
  await sub;
  assert.deepEqual(master.subscribes[0]!.body!.framework_id, { value: 'fw-from-info' });
  const disconnected = nextEvent(client, 'disconnected');
  report(null);
  assert.equal((await disconnected)[0].detail, 'leader changed');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(master.subscribes.length, 1, 'no subscribe without a leader');
  const again = nextEvent(client, 'subscribed');
  report({ url: new URL(`http://${master.address}/api/v1/scheduler`) });
  await again;
  await client.stop();
  assert.equal(stopped, true);
});
