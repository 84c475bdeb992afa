// The scheduler endpoint's HTTP behaviour as a framework meets it: status codes and texts in the master's order,
// content types, stream-id rules, JSON parsing with Mesos semantics, authentication, and the operator endpoints.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMesosSim, type MesosSim } from './index.js';
import { FRAMEWORK, JSON_HEADERS, Scheduler, request } from './helpers.js';

describe('scheduler endpoint HTTP rules', () => {
  let sim: MesosSim;
  let api: string;
  before(async () => {
    sim = await startMesosSim({ agents: 1 });
    api = `${sim.url}/api/v1/scheduler`;
  });
  after(() => sim.close());

  const post = (body: unknown, headers: Record<string, string> = JSON_HEADERS) =>
    request(api, { headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test('Content-Type must match exactly: charset suffix gets 415, missing gets 400', async () => {
    const sub = { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } };
    const r415 = await post(sub, { 'Content-Type': 'application/json; charset=utf-8' });
    assert.equal(r415.status, 415);
    assert.equal(r415.body, "Expecting 'Content-Type' of application/json or application/x-protobuf");
    assert.equal(r415.headers['content-type'], 'text/plain; charset=utf-8');
    const r400 = await request(api, { body: JSON.stringify(sub) });
    assert.equal(r400.status, 400);
    assert.equal(r400.body, "Expecting 'Content-Type' to be present");
    const text = await post(sub, { 'Content-Type': 'text/plain;charset=UTF-8' });
    assert.equal(text.status, 415);
  });

  test('methods other than POST get 405 with Allow: POST', async () => {
    const r = await request(api, { method: 'GET' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'POST');
    assert.equal(r.body, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'");
  });

  test('JSON with Mesos semantics: unknown type, missing required fields, type errors, bad JSON', async () => {
    const unknown = await post({ type: 'FOO' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body, "Failed to validate scheduler::Call: Expecting 'type' to be present");
    const missing = await post({ type: 'SUBSCRIBE', subscribe: { framework_info: {} } });
    assert.equal(missing.status, 400);
    assert.equal(
      missing.body,
      'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user, subscribe.framework_info.name',
    );
    const oldShape = await post({ type: 'SUBSCRIBE', framework_info: FRAMEWORK });
    assert.equal(oldShape.body, "Failed to validate scheduler::Call: Expecting 'subscribe' to be present");
    const wrongType = await post({ type: 'SUBSCRIBE', subscribe: { framework_info: { ...FRAMEWORK, user: 5 } } });
    assert.equal(
      wrongType.body,
      "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'user'",
    );
    const notJson = await post('{"type":');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /^Failed to parse body into JSON: /);
    const array = await post([1]);
    assert.equal(array.body, 'Failed to convert JSON into Call protobuf: Expecting a JSON object');
    const noFw = await post({ type: 'KILL', kill: { task_id: { value: 'x' } } });
    assert.equal(noFw.body, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present");
    const bytes = await post({
      type: 'ACKNOWLEDGE',
      framework_id: { value: 'f' },
      acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: '!!' },
    });
    assert.equal(
      bytes.body,
      "Failed to convert JSON into Call protobuf: Failed to base64 decode bytes field 'uuid': Invalid character '!'",
    );
  });

  test('unknown keys are ignored and a camelCase typo is simply dropped', async () => {
    const r = await post({
      type: 'KILL',
      frameworkId: { value: 'x' },
      framework_id: { value: 'nope' },
      kill: { task_id: { value: 't' }, agentId: 1 },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body, 'Framework cannot be found');
  });

  test('re-subscribe needs framework_id equal to framework_info.id; SUBSCRIBE must not carry a stream id', async () => {
    const r = await post({
      type: 'SUBSCRIBE',
      framework_id: { value: 'a' },
      subscribe: { framework_info: { ...FRAMEWORK, id: { value: 'b' } } },
    });
    assert.equal(r.status, 400);
    assert.equal(
      r.body,
      "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'",
    );
    const half = await post({ type: 'SUBSCRIBE', subscribe: { framework_info: { ...FRAMEWORK, id: { value: 'b' } } } });
    assert.equal(half.status, 400);
    const withId = await post(
      { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } },
      { ...JSON_HEADERS, 'Mesos-Stream-Id': 'x' },
    );
    assert.equal(withId.status, 400);
    assert.equal(withId.body, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  });

  test('Accept: 406 when JSON is not acceptable; wildcards and a missing header are fine', async () => {
    const sub = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK } });
    const r = await request(api, { headers: { 'Content-Type': 'application/json', Accept: 'text/html' }, body: sub });
    assert.equal(r.status, 406);
    assert.equal(r.body, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
    for (const accept of ['', '*/*', 'application/*', 'text/html, application/json;q=0.5']) {
      const s = await Scheduler.open(sim.url, FRAMEWORK, { headers: { Accept: accept } });
      assert.equal(s.status, 200, `Accept: ${accept || '(none)'}`);
      assert.equal(s.headers['content-type'], 'application/json');
      s.close();
    }
    const q0 = await request(api, {
      headers: { 'Content-Type': 'application/json', Accept: 'application/json;q=0' },
      body: sub,
    });
    assert.equal(q0.status, 406);
  });

  test('non-subscribe calls: stream id required and must match; unknown framework 400; disconnected 403', async () => {
    const s = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, failover_timeout: 60 });
    assert.match(s.streamId, /^[0-9a-f-]{36}$/);
    const noId = await request(api, {
      headers: JSON_HEADERS,
      body: JSON.stringify({ framework_id: { value: s.frameworkId }, type: 'REVIVE' }),
    });
    assert.equal(noId.status, 400);
    assert.equal(noId.body, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    const wrong = await s.call('REVIVE', {}, { 'Mesos-Stream-Id': 'stale' });
    assert.equal(wrong.status, 400);
    assert.equal(
      wrong.body,
      `The stream ID 'stale' included in this request didn't match the stream ID currently associated with framework ID ${s.frameworkId}`,
    );
    const ok = await s.call('REVIVE');
    assert.equal(ok.status, 202);
    assert.equal(ok.body, '');
    assert.equal(ok.headers['content-length'], '0');
    const unknownFw = await request(api, {
      headers: { ...JSON_HEADERS, 'Mesos-Stream-Id': s.streamId },
      body: JSON.stringify({ framework_id: { value: 'no-such-framework' }, type: 'REVIVE' }),
    });
    assert.equal(unknownFw.status, 400);
    assert.equal(unknownFw.body, 'Framework cannot be found');
    s.close();
    await s.endedPromise;
    await new Promise((r) => setTimeout(r, 50));
    const gone = await s.call('REVIVE');
    assert.equal(gone.status, 403);
    assert.equal(gone.body, 'Framework is not subscribed');
    const unknownCall = await s.call('UNKNOWN');
    assert.equal(unknownCall.status, 403);
  });

  test('the C++ client path /master/api/v1/scheduler works too', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK, { path: '/master/api/v1/scheduler' });
    assert.ok(s.frameworkId.startsWith(`${sim.masterId}-`));
    s.close();
  });

  test('ACKNOWLEDGE with a uuid that is not an RFC-4122 UUID gets 400 Not a valid UUID', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const ack = (uuid: string) =>
      s.call('ACKNOWLEDGE', { acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid } });
    const short = await ack(Buffer.from('abc').toString('base64'));
    assert.equal(short.status, 400);
    assert.equal(short.body, 'Failed to validate scheduler::Call: Not a valid UUID');
    const noVersion = await ack(Buffer.alloc(16).toString('base64'));
    assert.equal(noVersion.body, 'Failed to validate scheduler::Call: Not a valid UUID');
    const v4 = Buffer.alloc(16, 0x11);
    v4[6] = 0x41;
    assert.equal((await ack(v4.toString('base64'))).status, 202);
    s.close();
  });

  test('operator endpoints: /health, /version, /redirect, /state, /tasks', async () => {
    assert.equal((await request(`${sim.url}/health`, { method: 'GET' })).status, 200);
    const version = JSON.parse((await request(`${sim.url}/version`, { method: 'GET' })).body);
    assert.equal(version.version, '1.12.0');
    const redirect = await request(`${sim.url}/redirect`, { method: 'GET' });
    assert.equal(redirect.status, 307);
    assert.equal(redirect.headers.location, `//127.0.0.1:${sim.port}`);
    for (const path of ['/state', '/master/state']) {
      const state = JSON.parse((await request(`${sim.url}${path}`, { method: 'GET' })).body);
      assert.equal(state.id, sim.masterId);
      assert.equal(state.slaves.length, 1);
      assert.equal(state.slaves[0].resources.ports, '[31000-32000]');
      assert.equal(state.slaves[0].resources.cpus, 4);
    }
    const tasks = JSON.parse((await request(`${sim.url}/tasks`, { method: 'GET' })).body);
    assert.deepEqual(tasks, { tasks: [] });
  });
});

describe('HTTP framework authentication', () => {
  let sim: MesosSim;
  before(async () => {
    sim = await startMesosSim({ agents: 1, credentials: { 'ts-sched': 's3cr3t', other: 'pw' } });
  });
  after(() => sim.close());
  const basic = (p: string, s: string) => ({ Authorization: `Basic ${Buffer.from(`${p}:${s}`).toString('base64')}` });

  test('missing or wrong credentials: 401 with the realm, even for GET', async () => {
    for (const headers of [
      JSON_HEADERS,
      { ...JSON_HEADERS, ...basic('ts-sched', 'nope') },
      { ...JSON_HEADERS, ...basic('a:b', 'c') },
    ]) {
      const r = await request(`${sim.url}/api/v1/scheduler`, { headers, body: '{}' });
      assert.equal(r.status, 401);
      assert.equal(r.headers['www-authenticate'], 'Basic realm="mesos-master-scheduler"');
    }
    const get = await request(`${sim.url}/api/v1/scheduler`, { method: 'GET' });
    assert.equal(get.status, 401);
  });

  test('principal must match FrameworkInfo.principal; a missing one is filled in', async () => {
    const mismatch = await request(`${sim.url}/api/v1/scheduler`, {
      headers: { ...JSON_HEADERS, ...basic('ts-sched', 's3cr3t') },
      body: JSON.stringify({
        type: 'SUBSCRIBE',
        subscribe: { framework_info: { ...FRAMEWORK, principal: 'someone' } },
      }),
    });
    assert.equal(mismatch.status, 400);
    assert.equal(
      mismatch.body,
      "Failed to validate scheduler::Call: Authenticated principal 'ts-sched' does not match principal 'someone' set in `FrameworkInfo`",
    );
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK, { headers: basic('ts-sched', 's3cr3t') });
    const state = JSON.parse((await request(`${sim.url}/state`, { method: 'GET' })).body);
    assert.equal(state.frameworks[0].principal, 'ts-sched');
    assert.equal((await s.call('REVIVE')).status, 202);
    const other = await s.call('REVIVE', {}, basic('other', 'pw'));
    assert.equal(other.status, 400);
    assert.equal(
      other.body,
      "Authenticated principal 'other' does not match principal 'ts-sched' set in `FrameworkInfo`",
    );
    s.close();
  });
});
