// Subscription semantics as a scheduler sees them: SUBSCRIBED then an immediate HEARTBEAT and periodic ones,
// semantic refusals as 200 + ERROR + close, failover between streams, failover_timeout, re-subscription with unknown
// or removed IDs, TEARDOWN, stall mode, and redelivery of unacknowledged updates on re-subscribe.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMesosSim, type MesosSim } from './index.js';
import { FRAMEWORK, Scheduler, dockerTask, eventually, request, sleep } from './helpers.js';

describe('subscription', () => {
  let sim: MesosSim;
  before(async () => {
    sim = await startMesosSim({ agents: 2, heartbeatIntervalSeconds: 0.2, allocationIntervalMs: 50 });
  });
  after(() => sim.close());

  test('SUBSCRIBED, then an immediate HEARTBEAT, then heartbeats on the advertised interval', async () => {
    const t0 = Date.now();
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    assert.equal(s.events[0].type, 'SUBSCRIBED');
    const immediate = await s.next((e) => e.type === 'HEARTBEAT');
    assert.equal(s.events.indexOf(immediate), 1, 'the first HEARTBEAT follows SUBSCRIBED at once');
    const t1 = Date.now();
    const sub = s.events[0].subscribed;
    assert.equal(sub.heartbeat_interval_seconds, 0.2);
    assert.equal(sub.framework_id.value, `${sim.masterId}-${sub.framework_id.value.slice(-4)}`);
    assert.match(sub.framework_id.value.slice(-4), /^\d{4}$/);
    assert.equal(sub.master_info.id, sim.masterId);
    assert.equal(sub.master_info.ip, 16777343);
    assert.deepEqual(sub.master_info.address, { hostname: '127.0.0.1', ip: '127.0.0.1', port: sim.port });
    await s.next((e) => e.type === 'HEARTBEAT');
    await s.next((e) => e.type === 'HEARTBEAT');
    assert.ok(Date.now() - t1 >= 300, 'heartbeats are spaced by the interval');
    assert.ok(t1 - t0 < 150, 'the first heartbeat is immediate');
    await s.call('TEARDOWN');
  });

  test('semantic refusals arrive as 200, one ERROR event, then EOF', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...FRAMEWORK, role: 'x' }, "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"],
      [
        { user: 'root', name: 'n', roles: ['a'] },
        "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable",
      ],
      [{ ...FRAMEWORK, roles: ['a', 'a'] }, "'FrameworkInfo.roles' contains duplicate items: { a }"],
      [{ ...FRAMEWORK, failover_timeout: 1e300 }, 'The framework failover_timeout (1e+300) is invalid'],
    ];
    for (const [info, message] of cases) {
      const s = await Scheduler.open(sim.url, info);
      assert.equal(s.status, 200);
      await s.endedPromise;
      assert.deepEqual(
        s.events.map((e) => e.type),
        ['ERROR'],
      );
      assert.equal(s.events[0].error.message, message);
    }
    const sup = await Scheduler.open(sim.url, { ...FRAMEWORK, roles: ['web'] }, { suppressedRoles: ['db'] });
    await sup.endedPromise;
    assert.equal(sup.events[0].error.message, 'Suppressed roles { db } are not contained in the set of roles');
  });

  test('a second subscription fails the first over: ERROR "Framework failed over" and close', async () => {
    const a = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, failover_timeout: 10 });
    const b = await Scheduler.subscribe(
      sim.url,
      { ...FRAMEWORK, failover_timeout: 10 },
      { frameworkId: a.frameworkId },
    );
    await a.endedPromise;
    assert.equal(a.events.at(-1).type, 'ERROR');
    assert.equal(a.events.at(-1).error.message, 'Framework failed over');
    assert.equal(b.frameworkId, a.frameworkId);
    assert.notEqual(b.streamId, a.streamId);
    // The old stream id is now stale.
    assert.equal((await a.call('REVIVE')).status, 400);
    assert.equal((await b.call('REVIVE')).status, 202);
    // New offers follow on the new stream.
    await b.offers();
    await b.call('TEARDOWN');
  });

  test('re-subscription within failover_timeout keeps the tasks; the old offers become invalid', async () => {
    const a = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, failover_timeout: 30 });
    const [offer] = await a.offers();
    await a.launch(offer, [dockerTask('keep-1', offer.agent_id.value)]);
    const starting = await a.update('keep-1', 'TASK_STARTING');
    await a.ack(starting);
    await a.update('keep-1', 'TASK_RUNNING');
    a.close();
    await sleep(100);
    const b = await Scheduler.subscribe(
      sim.url,
      { ...FRAMEWORK, failover_timeout: 30 },
      { frameworkId: a.frameworkId },
    );
    // The unacknowledged TASK_RUNNING comes again first; then the reconciliation answer.
    const redelivered = await b.update('keep-1', 'TASK_RUNNING');
    assert.equal(redelivered.source, 'SOURCE_EXECUTOR');
    await b.call('RECONCILE', { reconcile: { tasks: [] } });
    const st = (await b.next((e) => e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION')).update
      .status;
    assert.equal(st.state, 'TASK_RUNNING');
    assert.equal(st.uuid, undefined);
    // The offer of the first subscription is gone without a RESCIND.
    const stale = await b.launch(offer, [dockerTask('keep-2', offer.agent_id.value)]);
    assert.equal(stale.status, 202);
    const lost = await b.update('keep-2', 'TASK_LOST');
    assert.equal(lost.reason, 'REASON_INVALID_OFFERS');
    assert.equal(lost.message, `Task launched with invalid offers: Offer ${offer.id.value} is no longer valid`);
    assert.equal(
      b.events.find((e) => e.type === 'RESCIND'),
      undefined,
    );
    await b.call('TEARDOWN');
  });

  test('failover_timeout 0: removed at disconnect, tasks killed, later SUBSCRIBE gets "Framework has been removed"', async () => {
    const a = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const [offer] = await a.offers();
    await a.launch(offer, [dockerTask('doomed', offer.agent_id.value)]);
    await a.update('doomed', 'TASK_STARTING');
    a.close();
    await eventually(() => sim.master.completedFrameworkIds.has(a.frameworkId), 2000, 'framework removal');
    const fw = sim.master.completedFrameworks.find((f) => f.id === a.frameworkId)!;
    assert.equal(fw.completedTasks[0]?.state, 'TASK_KILLED');
    const again = await Scheduler.open(sim.url, FRAMEWORK, { frameworkId: a.frameworkId });
    await again.endedPromise;
    assert.deepEqual(
      again.events.map((e) => [e.type, e.error?.message]),
      [['ERROR', 'Framework has been removed']],
    );
  });

  test('an unknown framework ID is accepted on re-subscribe (as after a master failover)', async () => {
    const id = `${sim.masterId}-9999`;
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK, { frameworkId: id });
    assert.equal(s.frameworkId, id);
    await s.call('TEARDOWN');
  });

  test('TEARDOWN: 202, stream closed without ERROR, ID unusable afterwards', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const [offer] = await s.offers();
    await s.launch(offer, [dockerTask('td-1', offer.agent_id.value)]);
    await s.update('td-1', 'TASK_STARTING');
    const r = await s.call('TEARDOWN');
    assert.equal(r.status, 202);
    await s.endedPromise;
    assert.equal(
      s.events.find((e) => e.type === 'ERROR'),
      undefined,
    );
    assert.equal(
      s.events.filter((e) => e.type === 'UPDATE' && e.update.status.state === 'TASK_KILLED').length,
      0,
      'no UPDATE for tasks of a torn-down framework',
    );
    assert.equal((await s.call('REVIVE')).body, 'Framework cannot be found');
    const again = await Scheduler.open(sim.url, FRAMEWORK, { frameworkId: s.frameworkId });
    await again.endedPromise;
    assert.equal(again.events[0].error.message, 'Framework has been removed');
    const state = JSON.parse((await request(`${sim.url}/state`, { method: 'GET' })).body);
    const done = state.completed_frameworks.find((f: { id: string }) => f.id === s.frameworkId);
    assert.equal(done.completed_tasks[0].state, 'TASK_KILLED');
  });

  test('stall mode stops every byte without closing, then resumes', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    await s.next((e) => e.type === 'HEARTBEAT');
    sim.stallStream(true, s.frameworkId);
    const n = s.chunks.length;
    await sleep(600);
    assert.equal(s.chunks.length, n, 'no bytes while stalled');
    assert.equal(s.ended, false);
    sim.stallStream(false, s.frameworkId);
    await s.next((e) => e.type === 'HEARTBEAT');
    await s.call('TEARDOWN');
  });

  test('unacknowledged updates are redelivered at once, with the same uuid, on re-subscribe', async () => {
    const a = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, failover_timeout: 30 });
    const [offer] = await a.offers();
    await a.launch(offer, [dockerTask('redeliver', offer.agent_id.value)]);
    const first = await a.update('redeliver', 'TASK_STARTING');
    assert.equal(sim.unacknowledged().find((u) => u.taskId === 'redeliver')?.state, 'TASK_STARTING');
    a.close();
    await sleep(50);
    const b = await Scheduler.subscribe(
      sim.url,
      { ...FRAMEWORK, failover_timeout: 30 },
      { frameworkId: a.frameworkId },
    );
    const again = await b.update('redeliver', 'TASK_STARTING', 1000);
    assert.equal(again.uuid, first.uuid);
    await b.ack(again);
    const running = await b.update('redeliver', 'TASK_RUNNING');
    assert.notEqual(running.uuid, first.uuid);
    await b.call('TEARDOWN');
  });

  test('dropping the stream disconnects the framework; its calls get 403', async () => {
    const s = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, failover_timeout: 30 });
    assert.ok(sim.dropStream(s.frameworkId));
    await s.endedPromise;
    await eventually(async () => (await s.call('REVIVE')).status === 403, 2000, '403');
  });
});
