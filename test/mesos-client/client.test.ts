import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { MesosSchedulerClient, type SchedulerClientOptions } from '../../src/mesos/client.js';
import { MesosConnectionError, MesosHttpError, MesosNotSubscribedError } from '../../src/mesos/errors.js';
import type { TaskStatus } from '../../src/mesos/types.js';
import { FakeMaster, fastTimings, nextEvent, waitFor } from './fake-master.js';

const frameworkInfo = {
  user: 'root',
  name: 'mesos-client-test',
  roles: ['*'],
  capabilities: [{ type: 'MULTI_ROLE' as const }],
};
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<SchedulerClientOptions> = {}) {
  const master = await FakeMaster.start();
  const client = new MesosSchedulerClient({ master: master.address, frameworkInfo, ...fastTimings, ...options });
  cleanups.push(() => master.close());
  cleanups.push(() => client.stop());
  return { master, client };
}

async function subscribed(options: Partial<SchedulerClientOptions> = {}) {
  const ctx = await setup(options);
  const sub = nextEvent(ctx.client, 'subscribed');
  ctx.client.start();
  await sub;
  return ctx;
}

test('SUBSCRIBE: exact headers, no stream id, first-subscribe body shape, own connection', async () => {
  const { master, client } = await setup();
  const [info] = await (async () => {
    const p = nextEvent(client, 'subscribed');
    client.start();
    return p;
  })();
  const req = master.subscribes[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/api/v1/scheduler');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers.accept, 'application/json');
  assert.equal(req.headers['mesos-stream-id'], undefined);
  assert.equal(req.headers.authorization, undefined);
  assert.equal(req.headers.connection, 'close', 'the stream has a connection of its own, never pooled');
  assert.deepEqual(req.body, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo } });
  assert.equal(info.frameworkId, master.frameworkId);
  assert.equal(info.streamId, master.streams[0]!.id);
  assert.equal(info.resubscribed, false);
  assert.equal(info.heartbeatIntervalSeconds, 15);
  assert.equal(info.masterInfo?.address?.ip, '127.0.0.1');
  assert.equal(client.frameworkId, master.frameworkId);
  assert.equal(client.subscribed, true);
});

test('calls echo the stream id and framework id on a separate keep-alive connection', async () => {
  const { master, client } = await subscribed();
  await client.decline(['o-1', { value: 'o-2' }], { refuse_seconds: 30 });
  await client.reconcile();
  const [decline, reconcile] = master.calls;
  for (const call of [decline!, reconcile!]) {
    assert.equal(call.headers['mesos-stream-id'], master.streams[0]!.id);
    assert.equal(call.headers['content-type'], 'application/json');
    assert.equal(call.headers.accept, 'application/json');
    assert.equal(call.headers.connection, 'keep-alive');
    assert.notEqual(call.remotePort, master.subscribes[0]!.remotePort);
  }
  assert.equal(decline!.remotePort, reconcile!.remotePort, 'pooled socket reused');
  assert.deepEqual(decline!.body, {
    type: 'DECLINE',
    framework_id: { value: master.frameworkId },
    decline: { offer_ids: [{ value: 'o-1' }, { value: 'o-2' }], filters: { refuse_seconds: 30 } },
  });
  assert.deepEqual(reconcile!.body, {
    type: 'RECONCILE',
    framework_id: { value: master.frameworkId },
    reconcile: { tasks: [] },
  });
});

test('a re-subscribe carries the framework ID at the top level and in framework_info', async () => {
  const { master } = await subscribed({ frameworkId: 'fw-persisted' });
  master.frameworkId = 'fw-persisted';
  const body = master.subscribes[0]!.body as Record<string, unknown>;
  assert.deepEqual(body.framework_id, { value: 'fw-persisted' });
  assert.deepEqual((body.subscribe as { framework_info: { id: unknown } }).framework_info.id, {
    value: 'fw-persisted',
  });
});

test('after a first registration the next subscription carries the assigned ID', async () => {
  const { master, client } = await subscribed();
  assert.equal(master.subscribes[0]!.body!.framework_id, undefined);
  const disconnected = nextEvent(client, 'disconnected');
  const again = nextEvent(client, 'subscribed');
  master.streams[0]!.destroy();
  assert.equal((await disconnected)[0].reason, 'network');
  const [info] = await again;
  assert.equal(info.resubscribed, true);
  const body = master.subscribes[1]!.body as { framework_id: unknown; subscribe: { framework_info: { id: unknown } } };
  assert.deepEqual(body.framework_id, { value: master.frameworkId });
  assert.deepEqual(body.subscribe.framework_info.id, { value: master.frameworkId });
  assert.notEqual(master.streams[1]!.id, master.streams[0]!.id);
  await client.kill('t1');
  assert.equal(master.calls[0]!.headers['mesos-stream-id'], master.streams[1]!.id, 'the new stream id is used');
});

test('onFrameworkId is awaited before subscribed and before any offer; calls wait for it too', async () => {
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { master, client } = await setup({
    onFrameworkId: async (id) => {
      order.push(`hook:${id}`);
      await gate;
      order.push('hook-done');
    },
  });
  master.onSubscribe = (req, res) => {
    const stream = master.openStream(req, res);
    stream.send(master.subscribedEvent());
    stream.send({ type: 'OFFERS', offers: { offers: [{ id: { value: 'o1' } }] } });
    return true;
  };
  client.on('subscribed', () => order.push('subscribed'));
  client.on('offers', (offers) => order.push(`offers:${offers[0]!.id.value}`));
  client.start();
  await waitFor(() => order.length > 0);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(order, [`hook:${master.frameworkId}`]);
  await assert.rejects(client.decline(['o1']), MesosNotSubscribedError);
  release();
  await waitFor(() => order.length === 4);
  assert.deepEqual(order, [`hook:${master.frameworkId}`, 'hook-done', 'subscribed', 'offers:o1']);
});

test('a failing onFrameworkId closes the stream and re-subscribes with the assigned ID, calling it again', async () => {
  let calls = 0;
  const { master, client } = await setup({
    onFrameworkId: () => {
      calls++;
      if (calls === 1) throw new Error('store unavailable');
    },
  });
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  assert.equal(calls, 2);
  assert.equal(master.subscribes.length, 2);
  assert.deepEqual(master.subscribes[1]!.body!.framework_id, { value: master.frameworkId });
});

test('no hook call when the master confirms the ID the owner already holds', async () => {
  let calls = 0;
  const master = await FakeMaster.start();
  master.frameworkId = 'fw-known';
  const client = new MesosSchedulerClient({
    master: `http://${master.address}`,
    frameworkInfo,
    frameworkId: 'fw-known',
    onFrameworkId: () => void calls++,
    ...fastTimings,
  });
  cleanups.push(
    () => master.close(),
    () => client.stop(),
  );
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  assert.equal(calls, 0);
});

test('events are typed and unwrapped from the master’s real shapes', async () => {
  const { master, client } = await subscribed();
  const seen: Array<[string, unknown]> = [];
  for (const name of [
    'offers',
    'inverseOffers',
    'rescind',
    'rescindInverseOffer',
    'update',
    'operationUpdate',
    'message',
    'failure',
    'heartbeat',
  ] as const) {
    client.on(name, (...args: unknown[]) => seen.push([name, args[0]]));
  }
  const rawEvents: string[] = [];
  client.on('event', (e) => rawEvents.push(e.type));
  const offer = { id: { value: 'M-O7' }, framework_id: { value: 'fw' }, agent_id: { value: 'S0' }, hostname: 'h' };
  const status = { task_id: { value: 't1' }, state: 'TASK_RUNNING', uuid: 'ujkiX7qjSKWtLl8lHWIIDg==' };
  const stream = master.streams[0]!;
  stream.send({ type: 'OFFERS', offers: { offers: [offer] } });
  stream.send({ type: 'INVERSE_OFFERS', inverse_offers: { inverse_offers: [{ id: { value: 'M-O42' } }] } });
  stream.send({ type: 'RESCIND', rescind: { offer_id: { value: 'M-O7' } } });
  stream.send({ type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: 'M-O42' } } });
  stream.send({ type: 'UPDATE', update: { status } });
  stream.send({
    type: 'UPDATE_OPERATION_STATUS',
    update_operation_status: { status: { state: 'OPERATION_FINISHED', uuid: { value: 'x' } } },
  });
  stream.send({
    type: 'MESSAGE',
    message: { agent_id: { value: 'S0' }, executor_id: { value: 'e' }, data: 'aGVsbG8=' },
  });
  stream.send({ type: 'FAILURE', failure: { agent_id: { value: 'S0' } } });
  stream.send({ type: 'HEARTBEAT' });
  stream.send({ type: 'SOMETHING_NEW', something_new: {} });
  await waitFor(() => seen.length === 9);
  assert.deepEqual(seen, [
    ['offers', [offer]],
    ['inverseOffers', [{ id: { value: 'M-O42' } }]],
    ['rescind', 'M-O7'],
    ['rescindInverseOffer', 'M-O42'],
    ['update', status],
    ['operationUpdate', { state: 'OPERATION_FINISHED', uuid: { value: 'x' } }],
    ['message', { agent_id: { value: 'S0' }, executor_id: { value: 'e' }, data: 'aGVsbG8=' }],
    ['failure', { agent_id: { value: 'S0' } }],
    ['heartbeat', undefined],
  ]);
  await waitFor(() => rawEvents.length === 10);
  assert.equal(client.subscribed, true, 'an unknown event type does not break the stream');
});

test('a listener that throws does not stop later events', async () => {
  const { master, client } = await subscribed();
  client.on('offers', () => {
    throw new Error('listener bug');
  });
  const updates: TaskStatus[] = [];
  client.on('update', (s) => updates.push(s));
  master.streams[0]!.send({ type: 'OFFERS', offers: { offers: [] } });
  master.streams[0]!.send({ type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'TASK_LOST' } } });
  await waitFor(() => updates.length === 1);
});

test('acknowledge echoes agent_id, task_id and uuid exactly, and is a no-op without uuid', async () => {
  const { master, client } = await subscribed();
  const status: TaskStatus = {
    task_id: { value: 'wire-task-1' },
    state: 'TASK_RUNNING',
    source: 'SOURCE_EXECUTOR',
    agent_id: { value: 'd158e532-6e93-4a89-aedd-a73236feeded-S0' },
    uuid: '0OEiNCTKQ1iOEDkaD7t5Hg==',
  };
  assert.equal(await client.acknowledge(status), true);
  const reconciliation: TaskStatus = {
    task_id: { value: 'wire-task-2' },
    state: 'TASK_RUNNING',
    source: 'SOURCE_MASTER',
    reason: 'REASON_RECONCILIATION',
    agent_id: { value: 'S0' },
  };
  assert.equal(await client.acknowledge(reconciliation), false);
  assert.equal(await client.acknowledgeOperationStatus({ state: 'OPERATION_ERROR' }), false);
  assert.equal(master.calls.length, 1);
  assert.deepEqual(master.calls[0]!.body, {
    type: 'ACKNOWLEDGE',
    framework_id: { value: master.frameworkId },
    acknowledge: {
      agent_id: { value: 'd158e532-6e93-4a89-aedd-a73236feeded-S0' },
      task_id: { value: 'wire-task-1' },
      uuid: '0OEiNCTKQ1iOEDkaD7t5Hg==',
    },
  });
  assert.ok(master.calls[0]!.raw.includes('"uuid":"0OEiNCTKQ1iOEDkaD7t5Hg=="'));
  await client.acknowledgeOperationStatus({
    state: 'OPERATION_FINISHED',
    operation_id: { value: 'reserve-1' },
    agent_id: { value: 'S0' },
    uuid: { value: 'fw71wyLUTYWAaf2HVcX/xA==' },
  });
  assert.deepEqual(master.calls[1]!.body!.acknowledge_operation_status, {
    agent_id: { value: 'S0' },
    uuid: 'fw71wyLUTYWAaf2HVcX/xA==',
    operation_id: { value: 'reserve-1' },
  });
});

test('typed calls build the bodies the master expects', async () => {
  const { master, client } = await subscribed();
  const task = {
    name: 'web',
    task_id: { value: 'web.1' },
    agent_id: { value: 'S0' },
    resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } }],
    command: { shell: false },
    container: { type: 'DOCKER' as const, docker: { image: 'busybox:latest', network: 'HOST' as const } },
  };
  await client.launch(['M-O0'], [task], { refuse_seconds: 5 });
  await client.kill('web.1', 'S0', { grace_period: { nanoseconds: 1_000_000_000 } });
  await client.kill({ value: 'web.2' });
  await client.revive(['web']);
  await client.suppress();
  await client.reconcile([{ task_id: { value: 'web.1' }, agent_id: { value: 'S0' } }]);
  await client.message('S0', 'e1', 'hello');
  await client.shutdown('e1', 'S0');
  await client.declineInverseOffers(['M-O42']);
  const bodies = master.calls.map((c) => {
    const { framework_id, ...rest } = c.body!;
    assert.deepEqual(framework_id, { value: master.frameworkId });
    return rest;
  });
  assert.deepEqual(bodies, [
    {
      type: 'ACCEPT',
      accept: {
        offer_ids: [{ value: 'M-O0' }],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }],
        filters: { refuse_seconds: 5 },
      },
    },
    {
      type: 'KILL',
      kill: {
        task_id: { value: 'web.1' },
        agent_id: { value: 'S0' },
        kill_policy: { grace_period: { nanoseconds: 1_000_000_000 } },
      },
    },
    { type: 'KILL', kill: { task_id: { value: 'web.2' } } },
    { type: 'REVIVE', revive: { roles: ['web'] } },
    { type: 'SUPPRESS', suppress: {} },
    { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'web.1' }, agent_id: { value: 'S0' } }] } },
    { type: 'MESSAGE', message: { agent_id: { value: 'S0' }, executor_id: { value: 'e1' }, data: 'aGVsbG8=' } },
    { type: 'SHUTDOWN', shutdown: { executor_id: { value: 'e1' }, agent_id: { value: 'S0' } } },
    { type: 'DECLINE_INVERSE_OFFERS', decline_inverse_offers: { inverse_offer_ids: [{ value: 'M-O42' }] } },
  ]);
  assert.ok(!master.calls[3]!.raw.includes('"role"'), 'REVIVE uses roles, never role');
});

test('suppressed roles survive a re-subscribe; revive clears them', async () => {
  const { master, client } = await subscribed({ suppressedRoles: ['batch'] });
  const sub0 = master.subscribes[0]!.body as { subscribe: { suppressed_roles?: string[] } };
  assert.deepEqual(sub0.subscribe.suppressed_roles, ['batch']);
  await client.suppress();
  assert.deepEqual(client.suppressedRoles.sort(), ['*', 'batch']);
  let again = nextEvent(client, 'subscribed');
  master.streams[0]!.destroy();
  await again;
  const sub1 = master.subscribes[1]!.body as { subscribe: { suppressed_roles?: string[] } };
  assert.deepEqual(sub1.subscribe.suppressed_roles?.sort(), ['*', 'batch']);
  await client.revive();
  again = nextEvent(client, 'subscribed');
  master.streams[1]!.destroy();
  await again;
  const sub2 = master.subscribes[2]!.body as { subscribe: { suppressed_roles?: string[] } };
  assert.equal(sub2.subscribe.suppressed_roles, undefined);
});

test('4xx answers to calls are typed errors carrying status and body text', async () => {
  const { master, client } = await subscribed();
  master.onCall = (req, res) => {
    if (req.type === 'KILL') {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Framework cannot be found');
    } else {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Framework is not subscribed');
    }
    return true;
  };
  const err = await client.kill('t1').then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof MesosHttpError);
  assert.equal(err.status, 400);
  assert.equal(err.kind, 'bad-request');
  assert.equal(err.body, 'Framework cannot be found');
  assert.equal(err.callType, 'KILL');
  assert.match(err.message, /KILL .* 400: Framework cannot be found/);
  await assert.rejects(
    client.decline(['o']),
    (e: unknown) => e instanceof MesosHttpError && e.status === 403 && e.kind === 'forbidden',
  );
  assert.equal(master.calls.length, 2, '4xx is not retried');
});

test('calls retry 503 with backoff and follow 307 with a protocol-relative Location', async () => {
  const { master, client } = await subscribed();
  const other = await FakeMaster.start();
  cleanups.push(() => other.close());
  let n = 0;
  master.onCall = (_req, res) => {
    n++;
    if (n <= 2) {
      res.writeHead(503);
      res.end('Master has not finished recovery');
    } else {
      res.writeHead(307, { Location: `//127.0.0.1:${other.port}/elsewhere` });
      res.end();
    }
    return true;
  };
  await client.reconcile();
  assert.equal(master.calls.length, 3);
  assert.equal(other.calls.length, 1);
  assert.equal(other.calls[0]!.path, '/api/v1/scheduler', 'our own path is kept');
  assert.equal(other.calls[0]!.headers['mesos-stream-id'], master.streams[0]!.id);
  master.onCall = (_req, res) => {
    res.writeHead(503);
    res.end('No leader elected');
    return true;
  };
  await assert.rejects(client.reconcile(), (e: unknown) => e instanceof MesosHttpError && e.status === 503);
  assert.equal(master.calls.length, 3 + 4, 'one try plus three retries');
});

test('Basic auth on every request, SUBSCRIBE included', async () => {
  const { master, client } = await subscribed({ credentials: { principal: 'ts-sched', secret: 's3cr3t' } });
  await client.reconcile();
  const expected = `Basic ${Buffer.from('ts-sched:s3cr3t').toString('base64')}`;
  assert.equal(master.subscribes[0]!.headers.authorization, expected);
  assert.equal(master.calls[0]!.headers.authorization, expected);
});

test('calls fail fast when not subscribed, and after stop', async () => {
  const { client } = await setup();
  await assert.rejects(client.reconcile(), MesosNotSubscribedError);
  const sub = nextEvent(client, 'subscribed');
  client.start();
  await sub;
  await client.stop();
  await assert.rejects(client.reconcile(), MesosNotSubscribedError);
  assert.equal(await client.done, undefined);
});

test('TEARDOWN stops the client once the master accepted it', async () => {
  const { master, client } = await subscribed();
  master.onCall = (req, res) => {
    res.writeHead(202);
    res.end();
    if (req.type === 'TEARDOWN') master.streams[0]!.end();
    return true;
  };
  await client.teardown();
  assert.deepEqual(master.calls[0]!.body, { type: 'TEARDOWN', framework_id: { value: master.frameworkId } });
  assert.equal(await client.done, undefined);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(master.subscribes.length, 1, 'no re-subscribe after teardown');
});

test('offers arrive as an array of typed offers', async () => {
  const { master, client } = await subscribed();
  const got = nextEvent(client, 'offers');
  master.streams[0]!.send({
    type: 'OFFERS',
    offers: {
      offers: [
        {
          id: { value: 'O0' },
          framework_id: { value: 'fw' },
          agent_id: { value: 'S0' },
          hostname: '127.0.0.1',
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 2.0 }, role: '*' }],
          attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }],
        },
      ],
    },
  });
  const [offers] = await got;
  assert.equal(offers[0]!.resources![0]!.scalar!.value, 2);
  assert.equal(offers[0]!.attributes![0]!.text!.value, 'r1');
});

test('throughput: 100,000 UPDATE events through a live stream', async () => {
  const { master, client } = await subscribed();
  const { encodeRecord } = await import('../../src/mesos/recordio.js');
  const count = 100_000;
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(
      encodeRecord(
        JSON.stringify({
          type: 'UPDATE',
          update: {
            status: {
              task_id: { value: `task-${i}` },
              state: 'TASK_RUNNING',
              agent_id: { value: 'S0' },
              uuid: 'ujkiX7qjSKWtLl8lHWIIDg==',
              message: 'hôte',
            },
          },
        }),
      ),
    );
  }
  const payload = Buffer.concat(parts);
  let seen = 0;
  let last = '';
  client.on('update', (s) => {
    seen++;
    last = s.task_id.value;
  });
  const started = performance.now();
  for (let i = 0; i < payload.length; i += 65_536) master.streams[0]!.write(payload.subarray(i, i + 65_536));
  await waitFor(() => seen === count, 20_000, `${count} updates (saw ${seen})`);
  const ms = performance.now() - started;
  assert.equal(last, `task-${count - 1}`);
  assert.ok(ms < 10_000, `took ${ms} ms`);
});

test('TEARDOWN answered after the stream has ended still resolves, and is sent once', async () => {
  const { master, client } = await subscribed();
  master.onCall = (req, res) => {
    if (req.type !== 'TEARDOWN') return false;
    master.streams[0]!.end();
    setTimeout(() => {
      res.writeHead(202);
      res.end();
    }, 100);
    return true;
  };
  await client.reconcile(); // so the TEARDOWN goes out on a reused keep-alive socket
  await client.teardown();
  assert.equal(master.callsOf('TEARDOWN').length, 1);
  assert.equal(await client.done, undefined);
});

test('a reset on a reused keep-alive socket is retried for idempotent calls only', async () => {
  const { master, client } = await subscribed();
  let drop = 0;
  master.onCall = (_req, res) => {
    if (drop > 0) {
      drop--;
      res.socket?.destroy();
      return true;
    }
    return false;
  };
  await client.reconcile();
  drop = 1;
  await client.decline(['o1']);
  assert.equal(master.callsOf('DECLINE').length, 2, 'DECLINE re-sent on a fresh socket');
  await client.reconcile();
  drop = 1;
  await assert.rejects(client.accept(['o2'], []), MesosConnectionError);
  assert.equal(master.callsOf('ACCEPT').length, 1, 'ACCEPT is never sent twice');
});
