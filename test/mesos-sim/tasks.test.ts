// Task lifecycle in `sim` mode as a framework sees it: status updates one at a time with ACK gating and retries,
// the docker executor's update shapes, KILL (with and without TASK_KILLING_STATE, unknown task, wrong agent),
// reconciliation (implicit, explicit, the §6 table, silence while agents recover after a master failover), agent
// removal / disconnection / return, wrong user, pull failures, bad run options, and the docker argv hook.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { startMesosSim, type MesosSim } from './index.js';
import { FRAMEWORK, Scheduler, dockerTask, eventually, request, sleep, type Ev } from './helpers.js';

const PA = { ...FRAMEWORK, capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }] };

/** Launches one task on the first offer (declining the others) and acknowledges it up to TASK_RUNNING. */
async function runTask(s: Scheduler, id: string, extra: Ev = {}): Promise<{ offer: Ev; running: Ev }> {
  const [offer, ...rest] = await s.offers();
  if (rest.length > 0)
    await s.call('DECLINE', { decline: { offer_ids: rest.map((o) => o.id), filters: { refuse_seconds: 0 } } });
  await s.launch(offer, [dockerTask(id, offer.agent_id.value, extra)], { refuse_seconds: 0 });
  await s.ack(await s.update(id, 'TASK_STARTING'));
  const running = await s.update(id, 'TASK_RUNNING');
  await s.ack(running);
  return { offer, running };
}

describe('tasks in sim mode', () => {
  // A fresh simulator per test, so one test's held offers or frameworks cannot starve the next.
  let sim: MesosSim;
  beforeEach(async () => {
    sim = await startMesosSim({
      agents: 3,
      allocationIntervalMs: 20,
      statusUpdateRetryMs: 200,
      statusUpdateRetryMaxMs: 800,
      simImages: ['busybox:latest'],
    });
  });
  afterEach(() => sim.close());

  test('STARTING then RUNNING, one update in flight, retried with back-off until acknowledged', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const [offer] = await s.offers();
    await s.launch(offer, [dockerTask('t1', offer.agent_id.value)]);
    const t0 = Date.now();
    const starting = await s.update('t1', 'TASK_STARTING');
    assert.equal(starting.source, 'SOURCE_EXECUTOR');
    assert.equal(starting.executor_id.value, 't1');
    assert.equal(starting.agent_id.value, offer.agent_id.value);
    const uuid = Buffer.from(starting.uuid, 'base64');
    assert.equal(uuid.length, 16);
    assert.equal(uuid[6]! >> 4, 4, 'RFC-4122 version 4');
    assert.equal(uuid[8]! >> 6, 2, 'RFC-4122 variant');
    assert.deepEqual(starting.container_status.network_infos, [
      { ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] },
    ]);
    // Not acknowledged: the same update again after 200 ms, then 400 ms; RUNNING is held back.
    const retry1 = await s.update('t1', 'TASK_STARTING', 2000);
    const retry2 = await s.update('t1', 'TASK_STARTING', 2000);
    assert.equal(retry1.uuid, starting.uuid);
    assert.equal(retry2.uuid, starting.uuid);
    assert.ok(Date.now() - t0 >= 550, `back-off doubles (${Date.now() - t0} ms)`);
    assert.equal(s.events.filter((e) => e.type === 'UPDATE' && e.update.status.state === 'TASK_RUNNING').length, 0);
    const unacked = sim.unacknowledged().filter((u) => u.taskId === 't1');
    assert.deepEqual(
      unacked.map((u) => [u.state, u.inFlight]),
      [
        ['TASK_STARTING', true],
        ['TASK_RUNNING', false],
      ],
    );
    // /state shows the latest state while reconciliation still says STARTING.
    const state = JSON.parse((await request(`${sim.url}/state`, { method: 'GET' })).body);
    assert.equal(state.frameworks[0].tasks[0].state, 'TASK_RUNNING');
    await s.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 't1' } }] } });
    const rec = (await s.next((e) => e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION')).update
      .status;
    assert.equal(rec.state, 'TASK_STARTING');

    const before = sim.acks();
    await s.ack(starting);
    const running = await s.update('t1', 'TASK_RUNNING');
    assert.ok(running.timestamp > starting.timestamp);
    const inspect = JSON.parse(Buffer.from(running.data, 'base64').toString('utf8'));
    assert.ok(Array.isArray(inspect) && inspect.length === 1);
    assert.equal(inspect[0].Name, `/mesos-${running.container_status.container_id.value}`);
    assert.match(inspect[0].Id, /^[0-9a-f]{64}$/);
    assert.equal(inspect[0].HostConfig.NetworkMode, 'host');
    assert.match(Buffer.from(running.data, 'base64').toString('utf8'), /^\[\n {4}\{\n {8}"Id"/);
    // A stale ACK is accepted (202) but changes nothing.
    await s.ack(starting);
    const after = sim.acks();
    assert.equal(after.matched, before.matched + 1);
    assert.equal(after.ignored, before.ignored + 1);
    await s.ack(running);
    await s.call('TEARDOWN');
  });

  test('exit codes: 0 → TASK_FINISHED, n → TASK_FAILED; the terminal ACK moves the task to completed', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    await runTask(s, 'ok');
    sim.exitTask('ok', 0);
    const fin = await s.update('ok', 'TASK_FINISHED');
    assert.equal(fin.message, 'Container exited with status 0');
    // Terminal but unacknowledged: the ID is still taken.
    const [offer] = await s.offers();
    await s.launch(offer, [dockerTask('ok', offer.agent_id.value)], { refuse_seconds: 0 });
    assert.equal((await s.update('ok', 'TASK_ERROR')).message, 'Task has duplicate ID: ok');
    await s.ack(fin);
    await eventually(() => sim.master.frameworks.get(s.frameworkId)!.completedTasks.some((t) => t.taskId === 'ok'));
    await runTask(s, 'bad');
    sim.exitTask('bad', 3);
    const failed = await s.update('bad', 'TASK_FAILED');
    assert.equal(failed.message, 'Container exited with status 3');
    assert.equal(failed.reason, undefined);
    await s.call('TEARDOWN');
  });

  test('KILL: TASK_KILLING only with TASK_KILLING_STATE, then TASK_KILLED "Container exited with status 143"', async () => {
    const plain = await Scheduler.subscribe(sim.url, FRAMEWORK);
    await runTask(plain, 'k1');
    await plain.call('KILL', { kill: { task_id: { value: 'k1' } } });
    const killed = await plain.update('k1', 'TASK_KILLED');
    assert.equal(killed.message, 'Container exited with status 143');
    assert.equal(plain.events.filter((e) => e.type === 'UPDATE' && e.update.status.state === 'TASK_KILLING').length, 0);
    await plain.call('TEARDOWN');

    const killing = await Scheduler.subscribe(sim.url, {
      ...FRAMEWORK,
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'TASK_KILLING_STATE' }],
    });
    const { offer } = await runTask(killing, 'k2');
    // A KILL naming another agent is ignored.
    await killing.call('KILL', { kill: { task_id: { value: 'k2' }, agent_id: { value: 'elsewhere' } } });
    await killing.none((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'k2', 200);
    await killing.call('KILL', { kill: { task_id: { value: 'k2' }, agent_id: offer.agent_id } });
    const k = await killing.update('k2', 'TASK_KILLING');
    await killing.ack(k);
    await killing.update('k2', 'TASK_KILLED');
    await killing.call('TEARDOWN');
  });

  test('KILL of an unknown task is answered like explicit reconciliation', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const [offer] = await s.offers();
    await s.call('KILL', { kill: { task_id: { value: 'ghost' }, agent_id: offer.agent_id } });
    const lost = await s.update('ghost', 'TASK_LOST');
    assert.equal(lost.message, 'Reconciliation: Task is unknown to the agent');
    assert.equal(lost.reason, 'REASON_RECONCILIATION');
    assert.equal(lost.uuid, undefined);
    await s.call('KILL', { kill: { task_id: { value: 'ghost2' } } });
    assert.equal((await s.update('ghost2', 'TASK_LOST')).message, 'Reconciliation: Task is unknown');
    await s.call('TEARDOWN');
    const pa = await Scheduler.subscribe(sim.url, PA);
    await pa.call('KILL', { kill: { task_id: { value: 'ghost3' } } });
    assert.equal((await pa.update('ghost3')).state, 'TASK_UNKNOWN');
    await pa.call('TEARDOWN');
  });

  test('implicit reconciliation covers STAGING and terminal-but-unacknowledged tasks', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    await runTask(s, 'r-run');
    sim.exitTask('r-run', 1);
    await s.update('r-run', 'TASK_FAILED');
    await s.call('RECONCILE', { reconcile: { tasks: [] } });
    const answer = (await s.next((e) => e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION'))
      .update.status;
    assert.equal(answer.task_id.value, 'r-run');
    assert.equal(answer.state, 'TASK_FAILED');
    assert.equal(answer.message, 'Reconciliation: Latest task state');
    assert.equal(answer.source, 'SOURCE_MASTER');
    assert.equal(answer.uuid, undefined);
    assert.ok(answer.container_status.container_id.value);
    await s.call('TEARDOWN');
  });

  test('agent removed: TASK_LOST (or TASK_UNREACHABLE with unreachable_time), RESCIND, FAILURE; back to RUNNING on return', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const { offer } = await runTask(s, 'rm-1');
    const agentId = offer.agent_id.value;
    // The PARTITION_AWARE framework runs a task on the same agent; `s` keeps away meanwhile.
    await s.call('SUPPRESS', {});
    for (const id of [...sim.master.offers.keys()]) sim.rescindOffers({ offerId: id });
    const pa = await Scheduler.subscribe(sim.url, PA);
    const paOffers = await pa.offers();
    const paOffer = paOffers.find((o) => o.agent_id.value === agentId)!;
    const others = paOffers.filter((o) => o !== paOffer).map((o) => o.id);
    await pa.call('DECLINE', { decline: { offer_ids: others, filters: { refuse_seconds: 60 } } });
    await pa.launch(paOffer, [dockerTask('rm-pa', agentId)], { refuse_seconds: 60 });
    await pa.ack(await pa.update('rm-pa', 'TASK_STARTING'));
    await pa.ack(await pa.update('rm-pa', 'TASK_RUNNING'));
    // An OFFERS event sent to `s` before its SUPPRESS took effect names offers rescinded since: only what REVIVE
    // brings counts.
    s.drain((e) => e.type === 'OFFERS');
    await s.call('REVIVE', {});
    const sOffers = await s.offers();
    const held = sOffers.find((o) => o.agent_id.value === agentId);

    sim.removeAgent(agentId);
    const lost = await s.update('rm-1', 'TASK_LOST');
    assert.equal(lost.reason, 'REASON_AGENT_REMOVED');
    assert.equal(lost.source, 'SOURCE_MASTER');
    assert.equal(lost.uuid, undefined);
    assert.ok(lost.unreachable_time.nanoseconds > 1.7e18);
    const unreachable = await pa.update('rm-pa', 'TASK_UNREACHABLE');
    assert.equal(unreachable.reason, 'REASON_AGENT_REMOVED');
    assert.match(Buffer.concat(pa.chunks).toString(), /"unreachable_time":\{"nanoseconds":\d{19}\}/);
    if (held) await s.next((e) => e.type === 'RESCIND' && e.rescind.offer_id.value === held.id.value);
    await s.next((e) => e.type === 'FAILURE' && e.failure.agent_id.value === agentId);
    await pa.next((e) => e.type === 'FAILURE' && e.failure.agent_id.value === agentId);

    // Explicit reconciliation about an unreachable agent.
    await pa.call('RECONCILE', {
      reconcile: { tasks: [{ task_id: { value: 'other' }, agent_id: { value: agentId } }] },
    });
    const r = await pa.update('other');
    assert.equal(r.state, 'TASK_UNREACHABLE');
    assert.equal(r.message, 'Reconciliation: Task is unreachable');
    // The unreachable task's ID cannot be reused.
    // Every offer `s` holds now (REVIVE may have brought more than one OFFERS event), so the agents' resources go to pa.
    const stillHeld = [...sim.master.offers.values()]
      .filter((o) => o.frameworkId === s.frameworkId)
      .map((o) => ({ value: o.id }));
    await s.call('DECLINE', { decline: { offer_ids: stillHeld, filters: { refuse_seconds: 60 } } });
    await pa.call('REVIVE', {});
    const [o2] = await pa.offers();
    await pa.launch(o2, [dockerTask('rm-pa', o2.agent_id.value)], { refuse_seconds: 0 });
    assert.equal((await pa.update('rm-pa', 'TASK_ERROR')).message, 'Task reuses the ID of an unreachable task: rm-pa');

    sim.restoreAgent(agentId);
    await pa.call('RECONCILE', {
      reconcile: { tasks: [{ task_id: { value: 'rm-pa' }, agent_id: { value: agentId } }] },
    });
    const back = (
      await pa.next(
        (e) =>
          e.type === 'UPDATE' &&
          e.update.status.task_id.value === 'rm-pa' &&
          e.update.status.reason === 'REASON_RECONCILIATION',
      )
    ).update.status;
    assert.equal(back.state, 'TASK_RUNNING');
    await s.call('TEARDOWN');
    await pa.call('TEARDOWN');
  });

  test('agent marked gone: TASK_GONE_BY_OPERATOR for PARTITION_AWARE, "Task is gone" in reconciliation', async () => {
    const pa = await Scheduler.subscribe(sim.url, PA);
    const { offer } = await runTask(pa, 'g-1');
    const agentId = offer.agent_id.value;
    sim.removeAgent(agentId, { gone: true });
    const gone = await pa.update('g-1', 'TASK_GONE_BY_OPERATOR');
    assert.equal(gone.reason, 'REASON_AGENT_REMOVED_BY_OPERATOR');
    assert.equal(gone.message, 'Agent has been marked gone');
    assert.equal(gone.unreachable_time, undefined);
    await pa.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'g-2' }, agent_id: { value: agentId } }] } });
    const r = await pa.update('g-2');
    assert.equal(r.state, 'TASK_GONE_BY_OPERATOR');
    assert.equal(r.message, 'Reconciliation: Task is gone');
    await pa.call('TEARDOWN');
  });

  test('agent disconnected: non-checkpointing frameworks get TASK_LOST "Agent <host> disconnected" at once', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const cp = await Scheduler.subscribe(sim.url, { ...PA, checkpoint: true });
    const { offer } = await runTask(s, 'dc-1');
    const agentId = offer.agent_id.value;
    const host = sim.agents().find((a) => a.id === agentId)!.hostname;
    sim.disconnectAgent(agentId);
    const lost = await s.update('dc-1', 'TASK_LOST');
    assert.equal(lost.message, `Agent ${host} disconnected`);
    assert.equal(lost.reason, 'REASON_AGENT_DISCONNECTED');
    await cp.none((e) => e.type === 'UPDATE', 200);
    sim.restoreAgent(agentId);
    await s.call('TEARDOWN');
    await cp.call('TEARDOWN');
  });

  test('agent restarted: checkpointed tasks come back running, the others are lost and gone from the agent', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const { offer } = await runTask(s, 'rs-1');
    const agentId = offer.agent_id.value;
    await s.call('SUPPRESS', {});
    for (const id of [...sim.master.offers.keys()]) sim.rescindOffers({ offerId: id });
    const cp = await Scheduler.subscribe(sim.url, { ...PA, checkpoint: true });
    const [cpOffer] = (await cp.offers()).filter((o) => o.agent_id.value === agentId);
    await cp.launch(cpOffer, [dockerTask('rs-cp', agentId)], { refuse_seconds: 0 });
    await cp.ack(await cp.update('rs-cp', 'TASK_STARTING'));
    await cp.ack(await cp.update('rs-cp', 'TASK_RUNNING'));
    sim.restartAgent(agentId, 100);
    assert.equal((await s.update('rs-1', 'TASK_LOST')).reason, 'REASON_AGENT_DISCONNECTED');
    await eventually(() => sim.agents().find((a) => a.id === agentId)?.state === 'registered');
    assert.equal(sim.agents().find((a) => a.id === agentId)!.tasks, 1, 'only the checkpointed task is back');
    await cp.call('RECONCILE', {
      reconcile: { tasks: [{ task_id: { value: 'rs-cp' }, agent_id: { value: agentId } }] },
    });
    const back = await cp.next((e) => e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION');
    assert.equal(back.update.status.state, 'TASK_RUNNING');
    await cp.none((e) => e.type === 'UPDATE' && e.update.status.state === 'TASK_LOST', 200);
    await s.call('TEARDOWN');
    await cp.call('TEARDOWN');
  });

  test('master failover: stream cut, new master ID, no answer about recovering agents, tasks back on re-registration', async () => {
    const s = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, failover_timeout: 60 });
    const { offer } = await runTask(s, 'fo-1');
    const oldMaster = sim.masterId;
    const newMaster = sim.failoverMaster({ agentReregisterDelayMs: 400 });
    assert.notEqual(newMaster, oldMaster);
    await s.endedPromise;
    assert.equal(
      s.events.find((e) => e.type === 'ERROR'),
      undefined,
      'a failover cuts the stream without ERROR',
    );
    assert.equal((await s.call('REVIVE')).body, 'Framework cannot be found');
    const again = await Scheduler.subscribe(
      sim.url,
      { ...FRAMEWORK, failover_timeout: 60 },
      { frameworkId: s.frameworkId },
    );
    assert.equal(again.events[0].subscribed.master_info.id, newMaster);
    await again.call('RECONCILE', {
      reconcile: {
        tasks: [{ task_id: { value: 'fo-1' }, agent_id: offer.agent_id }, { task_id: { value: 'fo-unknown' } }],
      },
    });
    await again.none((e) => e.type === 'UPDATE', 150);
    await again.next((e) => e.type === 'OFFERS', 3000);
    await again.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'fo-1' }, agent_id: offer.agent_id }] } });
    const st = await again.update('fo-1');
    assert.equal(st.state, 'TASK_RUNNING');
    await again.call('TEARDOWN');
  });

  test('a master still recovering answers 503 "Master has not finished recovery"', async () => {
    sim.failoverMaster({ recoveryMs: 300 });
    const r = await request(`${sim.url}/api/v1/scheduler`, {
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(r.status, 503);
    assert.equal(r.body, 'Master has not finished recovery');
    await sleep(350);
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    await s.offers();
    await s.call('TEARDOWN');
  });

  test('wrong user: the agent drops the task (TASK_LOST, TASK_DROPPED when partition-aware), no TASK_STARTING', async () => {
    for (const [framework, expected] of [
      [FRAMEWORK, 'TASK_LOST'],
      [PA, 'TASK_DROPPED'],
    ] as const) {
      const s = await Scheduler.subscribe(sim.url, { ...framework, user: 'test_wrong_user' });
      const [offer] = await s.offers();
      await s.launch(offer, [dockerTask('wu', offer.agent_id.value)]);
      const failed = await s.update('wu');
      assert.equal(failed.state, expected);
      assert.equal(failed.source, 'SOURCE_AGENT');
      assert.equal(failed.reason, 'REASON_EXECUTOR_TERMINATED');
      assert.match(
        failed.message,
        /^Failed to create executor directory '[^']+\/executors\/wu\/runs\/[0-9a-f-]{36}': Failed to chown directory to 'test_wrong_user': No such user 'test_wrong_user'$/,
      );
      await s.call('TEARDOWN');
    }
  });

  test('image pull failure: TASK_FAILED from the agent with the docker message, no TASK_STARTING', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const [offer] = await s.offers();
    await s.launch(offer, [
      dockerTask('pull', offer.agent_id.value, { container: { type: 'DOCKER', docker: { image: 'nosuch/img' } } }),
    ]);
    const failed = await s.update('pull');
    assert.equal(failed.state, 'TASK_FAILED');
    assert.equal(failed.source, 'SOURCE_AGENT');
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.match(
      failed.message,
      /^Failed to launch container: Failed to run 'docker -H unix:\/\/\/var\/run\/docker\.sock pull nosuch\/img:latest': exited with status 1; stderr='Error response from daemon: /,
    );
    assert.ok(failed.uuid, 'agent updates must be acknowledged');
    await s.call('TEARDOWN');
  });

  test('bad run options: TASK_STARTING, then TASK_FAILED "Failed to create docker run options: …"', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    const [offer] = await s.offers();
    const agent = offer.agent_id.value;
    const port = { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31005, end: 31005 }] } };
    const port6 = { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31006, end: 31006 }] } };
    const res = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ];
    const cases: Array<[Ev, string]> = [
      [dockerTask('o1', agent, { command: { shell: true } }), 'Shell specified but no command value provided'],
      [
        dockerTask('o2', agent, {
          resources: [...res, port],
          container: {
            type: 'DOCKER',
            docker: { image: 'busybox', network: 'HOST', port_mappings: [{ host_port: 31005, container_port: 80 }] },
          },
        }),
        'Port mappings are only supported for bridge and user-defined networks',
      ],
      [
        dockerTask('o3', agent, {
          resources: [...res, port6],
          container: {
            type: 'DOCKER',
            docker: { image: 'busybox', network: 'BRIDGE', port_mappings: [{ host_port: 31099, container_port: 80 }] },
          },
        }),
        'Port [31099] not included in resources',
      ],
      [
        dockerTask('o4', agent, { container: { type: 'DOCKER', hostname: 'h', docker: { image: 'busybox' } } }),
        'Unable to set hostname with host network mode',
      ],
      [
        dockerTask('o5', agent, { container: { type: 'DOCKER', docker: { image: 'busybox', network: 'USER' } } }),
        'No network info found in container info',
      ],
    ];
    await s.launch(
      offer,
      cases.map(([t]) => t),
    );
    for (const [t, why] of cases) {
      const id = t.task_id.value;
      await s.ack(await s.update(id, 'TASK_STARTING'));
      const failed = await s.update(id, 'TASK_FAILED');
      assert.equal(failed.message, `Failed to create docker run options: ${why}`, id);
      assert.equal(failed.source, 'SOURCE_EXECUTOR');
    }
    await s.call('TEARDOWN');
  });

  test('the docker argv hook shows the executor’s `docker run` flag mapping', async () => {
    const s = await Scheduler.subscribe(sim.url, { ...FRAMEWORK, roles: ['web'] });
    const [offer] = await s.offers();
    const agent = offer.agent_id.value;
    const port = { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31005, end: 31005 }] } };
    await s.launch(offer, [
      dockerTask('argv', agent, {
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
          { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
          port,
        ],
        command: {
          shell: true,
          value: 'echo hi; sleep 5',
          environment: {
            variables: [
              { name: 'ZED', value: 'z' },
              { name: 'ALPHA', value: 'a' },
            ],
          },
        },
        container: {
          type: 'DOCKER',
          hostname: 'web-1',
          volumes: [
            { container_path: '/data', host_path: '/srv/data', mode: 'RW' },
            { container_path: 'rel', host_path: '/srv/rel', mode: 'RO' },
          ],
          docker: {
            image: 'busybox:latest',
            network: 'BRIDGE',
            privileged: true,
            port_mappings: [{ host_port: 31005, container_port: 8080, protocol: 'TCP' }],
            parameters: [
              { key: 'label', value: 'app=web' },
              { key: 'ulimit', value: 'nofile=1024' },
            ],
          },
        },
      }),
    ]);
    const starting = await s.update('argv', 'TASK_STARTING');
    const cid = starting.container_status.container_id.value;
    const argv = sim.dockerArgv('argv')!;
    const sandbox = `${sim.workDir}/slaves/${agent}/frameworks/${s.frameworkId}/executors/argv/runs/${cid}`;
    assert.deepEqual(argv, [
      'docker', '-H', 'unix:///var/run/docker.sock', 'run',
      '--privileged',
      '--cpu-shares', '512',
      '--memory', String(32 * 1024 * 1024),
      '-e', 'ALPHA=a',
      '-e', `MESOS_ALLOCATION_ROLE=web`,
      '-e', `MESOS_CONTAINER_NAME=mesos-${cid}`,
      '-e', 'MESOS_SANDBOX=/mnt/mesos/sandbox',
      '-e', 'ZED=z',
      '-v', '/srv/data:/data:rw',
      '-v', '/srv/rel:/mnt/mesos/sandbox/rel:ro',
      '-v', `${sandbox}:/mnt/mesos/sandbox`,
      '--net', 'bridge',
      '--hostname', 'web-1',
      '-p', '31005:8080/tcp',
      '--entrypoint', '/bin/sh',
      '--name', `mesos-${cid}`,
      '--label=app=web',
      '--ulimit=nofile=1024',
      'busybox:latest',
      '-c', 'echo hi; sleep 5',
    ]); // prettier-ignore
    await s.ack(starting);
    const running = await s.update('argv', 'TASK_RUNNING');
    assert.match(running.container_status.network_infos[0].ip_addresses[0].ip_address, /^172\.17\./);
    await s.call('TEARDOWN');
  });

  test('a KILL before the executor registers: TASK_KILLED from the agent, REASON_TASK_KILLED_DURING_LAUNCH', async () => {
    const slow = await startMesosSim({ agents: 1, allocationIntervalMs: 20, launchDelayMs: 300 });
    try {
      const s = await Scheduler.subscribe(slow.url, FRAMEWORK);
      const [offer] = await s.offers();
      await s.launch(offer, [dockerTask('early', offer.agent_id.value)]);
      await sleep(50);
      await s.call('KILL', { kill: { task_id: { value: 'early' } } });
      const killed = await s.update('early');
      assert.equal(killed.state, 'TASK_KILLED');
      assert.equal(killed.source, 'SOURCE_AGENT');
      assert.equal(killed.reason, 'REASON_TASK_KILLED_DURING_LAUNCH');
      assert.equal(killed.message, 'Killed before delivery to the executor');
      assert.equal(killed.executor_id.value, 'early');
      await s.ack(killed);
      await s.none((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'early', 500);
      assert.equal(slow.dockerArgv('early'), undefined, 'nothing was run');
    } finally {
      await slow.close();
    }
  });

  test('fault: duplicated and delayed status updates', async () => {
    const s = await Scheduler.subscribe(sim.url, FRAMEWORK);
    sim.setStatusUpdateFaults({ duplicate: true, delayMs: 100 });
    try {
      const [offer] = await s.offers();
      const t0 = Date.now();
      await s.launch(offer, [dockerTask('dup', offer.agent_id.value)]);
      const a = await s.update('dup', 'TASK_STARTING');
      assert.ok(Date.now() - t0 >= 90);
      const b = await s.update('dup', 'TASK_STARTING', 500);
      assert.equal(a.uuid, b.uuid);
    } finally {
      sim.setStatusUpdateFaults({ duplicate: false, delayMs: 0 });
    }
    await s.call('TEARDOWN');
    await sleep(10);
  });
});
