// Offers and ACCEPT as a framework sees them: the offer shape for MULTI_ROLE and plain frameworks, one offer per
// agent batched into one event, outstanding offers not offered twice, refuse filters, REVIVE and SUPPRESS, invalid
// offers (TASK_LOST / TASK_DROPPED), the master's task validation texts, fixed-point containment, port ranges,
// RESCIND (hook, agent removal, offer timeout) and unused resources returned with the ACCEPT's filter.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startMesosSim, type MesosSim } from './index.js';
import { FRAMEWORK, Scheduler, dockerTask, eventually, sleep, type Ev } from './helpers.js';

const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value } });

describe('offers', () => {
  let sim: MesosSim;
  let s: Scheduler;
  before(async () => {
    sim = await startMesosSim({
      agents: [
        { cpus: 2, mem: 1024, attributes: { rack: 'r1', zone: 2, docker_port: 2375, racks: '[1-3]', tags: '{a,b}' } },
        { cpus: 1, mem: 512, attributes: { rack: 'r2' } },
        {},
      ],
      allocationIntervalMs: 50,
    });
  });
  after(() => sim.close());
  beforeEach(async () => {
    if (s && !s.ended) await s.call('TEARDOWN');
  });

  test('MULTI_ROLE offers: nested shape, one per agent in one event, role and allocation_info, attributes', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offersEvent = await s.next((e) => e.type === 'OFFERS');
    assert.ok(Array.isArray(offersEvent.offers.offers), 'offers are nested: {"offers":{"offers":[…]}}');
    const offers: Ev[] = offersEvent.offers.offers;
    assert.equal(offers.length, 3);
    assert.equal(new Set(offers.map((o) => o.agent_id.value)).size, 3);
    for (const o of offers) {
      assert.match(o.id.value, new RegExp(`^${sim.masterId}-O\\d+$`));
      assert.match(o.agent_id.value, new RegExp(`^${sim.masterId}-S\\d+$`));
      assert.equal(o.framework_id.value, s.frameworkId);
      assert.deepEqual(o.allocation_info, { role: '*' });
      assert.deepEqual(o.url.address.port, 5051);
      assert.equal(o.url.path, '/slave(1)');
      for (const r of o.resources) {
        assert.equal(r.role, '*');
        assert.deepEqual(r.allocation_info, { role: '*' });
      }
    }
    const first = offers.find((o) => o.attributes?.some((a: Ev) => a.name === 'zone'))!;
    assert.deepEqual(
      first.resources.map((r: Ev) => r.name),
      ['ports', 'cpus', 'mem', 'disk'],
    );
    assert.deepEqual(first.resources[0].ranges, { range: [{ begin: 31000, end: 32000 }] });
    assert.deepEqual(first.attributes, [
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'zone', type: 'SCALAR', scalar: { value: 2 } },
      { name: 'docker_port', type: 'SCALAR', scalar: { value: 2375 } },
      { name: 'racks', type: 'RANGES', ranges: { range: [{ begin: 1, end: 3 }] } },
      { name: 'tags', type: 'SET', set: { item: ['a', 'b'] } },
    ]);
    // Scalars keep their fraction on the wire ("2.0"), as the master writes doubles.
    const raw = Buffer.concat(s.chunks).toString();
    assert.match(raw, /"scalar":\{"value":2\.0\}/);
    assert.equal(sim.offers().length, 3);
  });

  test('a plain framework gets role "*" on resources and no allocation_info', async () => {
    s = await Scheduler.subscribe(sim.url, { user: 'root', name: 'plain' });
    const offers = await s.offers();
    for (const o of offers) {
      assert.equal(o.allocation_info, undefined);
      for (const r of o.resources) {
        assert.equal(r.role, '*');
        assert.equal(r.allocation_info, undefined);
      }
    }
  });

  test('outstanding offers are not offered again; DECLINE with a filter keeps the agent away until REVIVE', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    await s.none((e) => e.type === 'OFFERS', 300);
    const target = offers[0];
    const r = await s.call('DECLINE', {
      decline: { offer_ids: [target.id, { value: 'no-such-offer' }], filters: { refuse_seconds: 60 } },
    });
    assert.equal(r.status, 202);
    await s.none((e) => e.type === 'OFFERS', 300);
    assert.equal(sim.filters().filter((f) => f.agentId === target.agent_id.value).length, 1);
    await s.call('REVIVE', { revive: { roles: ['*'] } });
    const again = await s.offers();
    assert.deepEqual(
      again.map((o) => o.agent_id.value),
      [target.agent_id.value],
    );
    assert.notEqual(again[0].id.value, target.id.value);
  });

  test('a framework that disconnects loses its refuse filters (Mesos deactivates it): back, it is offered again', async () => {
    const info = { ...FRAMEWORK, failover_timeout: 60 };
    s = await Scheduler.subscribe(sim.url, info);
    const offers = await s.offers();
    await s.call('DECLINE', { decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 60 } } });
    assert.equal(sim.filters().length, offers.length);
    const id = s.frameworkId;
    s.close();
    await eventually(() => sim.filters().length === 0, 5000, 'filters cleared at disconnect');
    s = await Scheduler.subscribe(sim.url, info, { frameworkId: id });
    assert.equal((await s.offers()).length, offers.length);
  });

  test('the default refuse filter is 5 s; refuse_seconds 0 means none', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    await s.call('DECLINE', { decline: { offer_ids: [offers[0].id] } });
    const f = sim.filters().find((x) => x.agentId === offers[0].agent_id.value)!;
    assert.ok(f.expiresInMs > 4000 && f.expiresInMs <= 5000, String(f.expiresInMs));
    await s.call('DECLINE', { decline: { offer_ids: [offers[1].id], filters: { refuse_seconds: 0 } } });
    const back = await s.offers(2000);
    assert.equal(back[0].agent_id.value, offers[1].agent_id.value);
    await s.call('DECLINE', { decline: { offer_ids: [offers[2].id], filters: { refuse_seconds: -3 } } });
    const neg = sim.filters().find((x) => x.agentId === offers[2].agent_id.value)!;
    assert.ok(neg.expiresInMs > 4000 && neg.expiresInMs <= 5000, 'negative means the default');
  });

  test('SUPPRESS stops new offers without rescinding; REVIVE brings them back; bad roles drop the call', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    assert.equal((await s.call('SUPPRESS', { suppress: { roles: ['nope'] } })).status, 202);
    await s.call('SUPPRESS', { suppress: { roles: ['*'] } });
    assert.equal(sim.offers().length, 3, 'outstanding offers stay');
    await s.call('DECLINE', { decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 0 } } });
    await s.none((e) => e.type === 'OFFERS', 300);
    assert.equal((await s.call('REVIVE', { revive: { roles: ['nope'] } })).status, 202);
    await s.none((e) => e.type === 'OFFERS', 200);
    await s.call('REVIVE', {});
    assert.equal((await s.offers()).length, 3);
  });

  test('ACCEPT with invalid offers: all discarded, TASK_LOST with REASON_INVALID_OFFERS and no uuid', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    const [a, b] = offers;
    const t = (id: string, agent: string) => dockerTask(id, agent);
    await s.call('ACCEPT', {
      accept: {
        offer_ids: [a.id, b.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [t('multi-agent', a.agent_id.value)] } }],
      },
    });
    const lost = await s.update('multi-agent', 'TASK_LOST');
    assert.equal(lost.source, 'SOURCE_MASTER');
    assert.equal(lost.reason, 'REASON_INVALID_OFFERS');
    assert.equal(lost.uuid, undefined);
    assert.equal(lost.agent_id.value, a.agent_id.value);
    assert.match(
      lost.message,
      /^Task launched with invalid offers: Aggregated offers must belong to one single agent\. Offer /,
    );
    assert.equal(sim.offers().filter((o) => o.id === a.id.value || o.id === b.id.value).length, 0, 'both discarded');
    await s.call('ACCEPT', {
      accept: {
        offer_ids: [offers[2].id, offers[2].id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [t('dup', offers[2].agent_id.value)] } }],
      },
    });
    const dup = await s.update('dup', 'TASK_LOST');
    assert.equal(dup.message, `Task launched with invalid offers: Duplicate offer ${offers[2].id.value} in offer list`);
    await s.call('ACCEPT', {
      accept: { offer_ids: [], operations: [{ type: 'LAUNCH', launch: { task_infos: [t('none', 'x')] } }] },
    });
    assert.equal(
      (await s.update('none', 'TASK_LOST')).message,
      'Task launched with invalid offers: No offers specified',
    );
  });

  test('invalid offers for a PARTITION_AWARE framework give TASK_DROPPED', async () => {
    s = await Scheduler.subscribe(sim.url, {
      ...FRAMEWORK,
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
    });
    await s.offers();
    await s.launch({ id: { value: 'stale-offer' } }, [dockerTask('pa', 'x')]);
    const dropped = await s.update('pa', 'TASK_DROPPED');
    assert.equal(dropped.message, 'Task launched with invalid offers: Offer stale-offer is no longer valid');
  });

  test('task validation: TASK_ERROR / REASON_TASK_INVALID with the master texts, valid tasks STAGING silently', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    const offer = offers.find((o) => o.resources.find((r: Ev) => r.name === 'cpus').scalar.value === 4)!;
    const agent = offer.agent_id.value;
    const cases: Array<[Ev, string]> = [
      [dockerTask('ok-1', agent), ''],
      [dockerTask('ok-1', agent), 'Task has duplicate ID: ok-1'],
      [dockerTask('a/b', agent), "'a/b' contains invalid characters"],
      [dockerTask('', agent), 'ID must not be empty'],
      [dockerTask('wrong-agent', 'AG2'), `Task uses invalid agent AG2 while agent ${agent} is expected`],
      [dockerTask('no-res', agent, { resources: [] }), 'Task uses no resources'],
      [
        dockerTask('both', agent, { executor: { executor_id: { value: 'e' }, command: { value: 'x' } } }),
        'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
      ],
      [
        dockerTask('neither', agent, { command: undefined }),
        'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
      ],
      [
        dockerTask('grace', agent, { kill_policy: { grace_period: { nanoseconds: -1 } } }),
        "Task's 'kill_policy.grace_period' must be non-negative",
      ],
      [
        dockerTask('name-param', agent, {
          container: { type: 'DOCKER', docker: { image: 'busybox', parameters: [{ key: 'name', value: 'x' }] } },
        }),
        "Task's `ContainerInfo` is invalid: Parameter in DockerInfo must not be 'name'",
      ],
      [
        dockerTask('no-docker', agent, { container: { type: 'DOCKER' } }),
        "Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo",
      ],
      [
        dockerTask('volume', agent, {
          container: { type: 'DOCKER', docker: { image: 'busybox' }, volumes: [{ container_path: '/d', mode: 'RW' }] },
        }),
        "Task's `ContainerInfo` is invalid: Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'",
      ],
      [
        dockerTask('env', agent, {
          command: { shell: true, value: 'true', environment: { variables: [{ name: 'A' }] } },
        }),
        "Task's `CommandInfo` is invalid: Environment variable 'A' of type 'VALUE' must have a value set",
      ],
      [
        dockerTask('hc', agent, { health_check: { type: 'HTTP', http: { port: 80, path: 'x' } } }),
        "Task uses invalid health check: The path 'x' of HTTP health check must start with '/'",
      ],
      [
        dockerTask('too-big', agent, { resources: [scalar('cpus', 8), scalar('mem', 128)] }),
        'Total resources cpus(allocated: *):8; mem(allocated: *):128 required by task and its executor is more than available ' +
          'ports(allocated: *):[31000-32000]; cpus(allocated: *):3.9; mem(allocated: *):8160; disk(allocated: *):65536',
      ],
      [
        dockerTask('other-role', agent, { resources: [{ ...scalar('cpus', 0.1), allocation_info: { role: 'web' } }] }),
        'Total resources cpus(allocated: web):0.1 required by task and its executor is more than available ' +
          'ports(allocated: *):[31000-32000]; cpus(allocated: *):3.9; mem(allocated: *):8160; disk(allocated: *):65536',
      ],
    ];
    await s.launch(
      offer,
      cases.map(([t]) => t),
    );
    for (const [t, message] of cases.slice(1)) {
      const st = await s.update(t.task_id.value, 'TASK_ERROR');
      assert.equal(st.message, message, t.task_id.value);
      assert.equal(st.reason, 'REASON_TASK_INVALID');
      assert.equal(st.source, 'SOURCE_MASTER');
      assert.equal(st.uuid, undefined);
    }
    const ok = await s.update('ok-1');
    assert.equal(ok.state, 'TASK_STARTING', 'no TASK_STAGING update is ever sent');
    assert.equal(s.events.filter((e) => e.type === 'UPDATE' && e.update.status.state === 'TASK_STAGING').length, 0);
  });

  test('LAUNCH-level errors: invalid resources fail every task of the operation; an operation id is refused', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const [offer] = await s.offers();
    const agent = offer.agent_id.value;
    await s.launch(offer, [dockerTask('neg', agent, { resources: [scalar('cpus', -1)] }), dockerTask('fine', agent)], {
      refuse_seconds: 0,
    });
    assert.equal(
      (await s.update('neg', 'TASK_ERROR')).message,
      "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0",
    );
    assert.equal(
      (await s.update('fine', 'TASK_ERROR')).message,
      "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0",
    );
    const [next] = await s.offers();
    await s.call('ACCEPT', {
      accept: {
        offer_ids: [next.id],
        operations: [
          { type: 'LAUNCH', id: { value: 'op' }, launch: { task_infos: [dockerTask('with-id', next.agent_id.value)] } },
        ],
      },
    });
    assert.equal(
      (await s.update('with-id', 'TASK_ERROR')).message,
      'The `id` field cannot be set on LAUNCH operations',
    );
  });

  test('fixed-point arithmetic: 0.1 + 0.2 fits 0.3; ports are used up range by range', async () => {
    const tiny = await startMesosSim({
      agents: [{ cpus: 0.3, mem: 96, ports: [[31000, 31001]] }],
      allocationIntervalMs: 20,
    });
    try {
      const t = await Scheduler.subscribe(tiny.url, FRAMEWORK);
      const [offer] = await t.offers();
      const agent = offer.agent_id.value;
      const port = (p: number) => ({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: p, end: p }] } });
      await t.launch(offer, [
        dockerTask('f1', agent, { resources: [scalar('cpus', 0.1), scalar('mem', 32), port(31000)] }),
        dockerTask('f2', agent, { resources: [scalar('cpus', 0.2), scalar('mem', 32), port(31001)] }),
        dockerTask('f3', agent, { resources: [scalar('cpus', 0.001), scalar('mem', 32)] }),
      ]);
      assert.equal((await t.update('f1')).state, 'TASK_STARTING');
      assert.equal((await t.update('f2')).state, 'TASK_STARTING');
      const f3 = await t.update('f3', 'TASK_ERROR');
      assert.equal(
        f3.message,
        'Total resources cpus(allocated: *):0.001; mem(allocated: *):32 required by task and its executor is more than available mem(allocated: *):32; disk(allocated: *):65536',
      );
      const state = tiny.master.frameworks.get(t.frameworkId)!.tasks.get('f2')!;
      assert.equal(state.resources.describe(), 'cpus:0.2; mem:32; ports:[31001-31001]');
    } finally {
      await tiny.close();
    }
  });

  test('unused resources return with the ACCEPT filter; freed resources are offered again at once', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    const big = offers.find((o) => o.resources.find((r: Ev) => r.name === 'cpus').scalar.value === 4)!;
    await s.launch(big, [dockerTask('use-some', big.agent_id.value)], { refuse_seconds: 0 });
    const rest = await s.offers();
    assert.equal(rest[0].agent_id.value, big.agent_id.value);
    assert.equal(rest[0].resources.find((r: Ev) => r.name === 'cpus').scalar.value, 3.9);
    const starting = await s.update('use-some', 'TASK_STARTING');
    await s.ack(starting);
    await s.ack(await s.update('use-some', 'TASK_RUNNING'));
    await s.call('DECLINE', { decline: { offer_ids: [rest[0].id], filters: { refuse_seconds: 60 } } });
    sim.exitTask('use-some', 0);
    const finished = await s.update('use-some', 'TASK_FINISHED');
    await s.ack(finished);
    // More than was declined is free now, so the 60 s filter no longer hides the agent.
    const again = await s.offers();
    assert.equal(again[0].resources.find((r: Ev) => r.name === 'cpus').scalar.value, 4);
  });

  test('RESCIND: on demand, and the ACCEPT that raced it gets TASK_LOST', async () => {
    s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const offers = await s.offers();
    const rescinded = sim.rescindOffers({ offerId: offers[0].id.value });
    assert.deepEqual(rescinded, [offers[0].id.value]);
    const ev = await s.next((e) => e.type === 'RESCIND');
    assert.deepEqual(ev.rescind, { offer_id: offers[0].id });
    await s.launch(offers[0], [dockerTask('raced', offers[0].agent_id.value)]);
    assert.equal((await s.update('raced', 'TASK_LOST')).reason, 'REASON_INVALID_OFFERS');
  });

  test('allocation interval 0: declined resources come back at once', async () => {
    const eager = await startMesosSim({ agents: 1, allocationIntervalMs: 0 });
    try {
      const t = await Scheduler.subscribe(eager.url, FRAMEWORK);
      const [offer] = await t.offers();
      const t0 = Date.now();
      await t.call('DECLINE', { decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0 } } });
      const [again] = await t.offers(1000);
      assert.equal(again.agent_id.value, offer.agent_id.value);
      assert.ok(Date.now() - t0 < 100, 'no waiting for an allocation cycle');
    } finally {
      await eager.close();
    }
  });

  test('offer timeout rescinds offers that are held too long', async () => {
    const timed = await startMesosSim({ agents: 1, offerTimeoutMs: 150, allocationIntervalMs: 20 });
    try {
      const t = await Scheduler.subscribe(timed.url, FRAMEWORK);
      const [offer] = await t.offers();
      const ev = await t.next((e) => e.type === 'RESCIND', 2000);
      assert.equal(ev.rescind.offer_id.value, offer.id.value);
      await t.offers(2000);
      await sleep(10);
    } finally {
      await timed.close();
    }
  });

  test('UPDATE_FRAMEWORK answers synchronously: 200, or 400 with the master texts', async () => {
    s = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, roles: ['*', 'web'] });
    const info = { ...FRAMEWORK, roles: ['*', 'web'], id: { value: s.frameworkId } };
    const ok = await s.call('UPDATE_FRAMEWORK', {
      update_framework: { framework_info: info, suppressed_roles: ['web'] },
    });
    assert.equal(ok.status, 200);
    const user = await s.call('UPDATE_FRAMEWORK', {
      update_framework: { framework_info: { ...info, user: 'nobody' } },
    });
    assert.equal(user.status, 400);
    assert.equal(
      user.body,
      "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'root' to 'nobody'",
    );
    const sup = await s.call('UPDATE_FRAMEWORK', {
      update_framework: { framework_info: info, suppressed_roles: ['db'] },
    });
    assert.equal(
      sup.body,
      "'UpdateFramework' call is not valid: Suppressed roles { db } are not contained in the set of roles",
    );
  });
});
