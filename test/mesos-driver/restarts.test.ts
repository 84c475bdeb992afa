// Restart policies and rescheduling in mesos mode: the pure decision (dockerd's rules: on-failure's limit and exit 0,
// the back-off doubling from 100 ms to a minute and reset by a 10 s run, the user's stop), then the stations on a fake
// Mesos and a fake clock: a policy restart is a new task after its back-off, durable first and relaunched once after
// a crash mid back-off; the user's stop ends it, the manager's own kill does not; policy starts queue behind clients'
// ones; an unreachable task is replaced after the unreachable timeout, and its stale copy killed when it comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskInfo } from '../../src/mesos/index.js';
import { checkedPolicy, decideRestart, nextBackoff, restartPolicyOf } from '../../src/cluster/mesos/restart-policy.js';
import { IDLE_HOLD_MS } from '../../src/cluster/mesos/offers.js';
import type { MesosContainer } from '../../src/cluster/mesos/container.js';
import type { CreateBody } from '../../src/cluster/cluster.js';
import type { FakeMesos } from './fakes.js';
import { MemoryBackend, FakeClock, createdContainer, offer, settle, startFramework, status } from './fakes.js';

const onFailure3 = checkedPolicy('on-failure', 3, false);
const always = checkedPolicy('always', 0, false);
const fresh = { count: 0, backoffMs: 0, stoppedByUser: false };
const crashed = { exitCode: 1, ranMs: 50, ran: true };

test('on-failure:N restarts N times, then not; exit 0 ends it; a launch failure is never restarted', () => {
  let facts = fresh;
  const delays: number[] = [];
  for (;;) {
    const d = decideRestart(onFailure3, facts, crashed);
    if (!d.restart) {
      assert.equal(d.why, 'restarted 3 times (on-failure:3)');
      break;
    }
    delays.push(d.delayMs);
    facts = { ...facts, count: d.count, backoffMs: d.delayMs };
  }
  assert.deepEqual(delays, [100, 200, 400]);
  assert.equal(decideRestart(onFailure3, fresh, { ...crashed, exitCode: 0 }).restart, false);
  assert.equal(decideRestart(always, fresh, { ...crashed, exitCode: 0 }).restart, true);
  assert.equal(decideRestart(always, fresh, { ...crashed, ran: false }).restart, false);
  assert.equal(decideRestart(checkedPolicy('on-failure', 0, false), { ...fresh, count: 1000 }, crashed).restart, true);
});

test('the user’s stop ends every policy; `no` never restarts', () => {
  for (const name of ['always', 'unless-stopped', 'on-failure']) {
    const d = decideRestart(checkedPolicy(name, 0, false), { ...fresh, stoppedByUser: true }, crashed);
    assert.deepEqual(d, { restart: false, why: 'stopped by the user' });
  }
  assert.equal(decideRestart(checkedPolicy('no', 0, false), fresh, crashed).restart, false);
});

test('the back-off doubles from 100 ms to a minute, and a 10 s run resets it', () => {
  const seen: number[] = [];
  let backoff = 0;
  for (let i = 0; i < 12; i++) seen.push((backoff = nextBackoff(backoff, 500)));
  assert.deepEqual(seen, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
  assert.equal(nextBackoff(60_000, 9_999), 60_000);
  assert.equal(nextBackoff(60_000, 10_000), 100);
});

test('policies are read and checked as dockerd does', () => {
  assert.deepEqual(restartPolicyOf({}), { name: 'no', maxRetries: 0 });
  const body = (RestartPolicy: unknown, AutoRemove = false) =>
    ({ HostConfig: { RestartPolicy, AutoRemove } }) as CreateBody;
  assert.deepEqual(restartPolicyOf(body({ Name: 'on-failure', MaximumRetryCount: 2 })), {
    name: 'on-failure',
    maxRetries: 2,
  });
  assert.throws(() => restartPolicyOf(body({ Name: 'sometimes' })), { message: "invalid restart policy 'sometimes'" });
  assert.throws(() => restartPolicyOf(body({ Name: 'always', MaximumRetryCount: 2 })), /cannot be used with/);
  assert.throws(() => restartPolicyOf(body({ Name: 'on-failure', MaximumRetryCount: -1 })), /cannot be negative/);
  assert.throws(() => restartPolicyOf(body({ Name: 'always' }, true)), /AutoRemove/);
});

// --- the stations --------------------------------------------------------------------------------------------------

const setup = startFramework;

type Setup = Awaited<ReturnType<typeof setup>>;

const launched = (mesos: FakeMesos) => mesos.of('LAUNCH').flatMap((c) => c.args[1] as TaskInfo[]);

async function until(check: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await settle();
  assert.ok(check(), `${what} not reached`);
}

const withPolicy = (Name: string, MaximumRetryCount = 0, extra: Partial<CreateBody> = {}): CreateBody => ({
  Image: 'busybox',
  ...extra,
  HostConfig: { Memory: 64 * 1024 * 1024, RestartPolicy: { Name, MaximumRetryCount }, ...extra.HostConfig },
});

/** Offers until the container's current task is launched, then reports it running on `agent`. */
async function runOn(s: Setup, c: MesosContainer, agent = 'S1'): Promise<string> {
  const before = launched(s.mesos).length;
  await until(() => s.framework.queue.ready().some((r) => r.container === c), 'a start ready to place');
  s.mesos.emit('offers', [offer(agent)]);
  await until(() => launched(s.mesos).length > before, 'a launch');
  const taskId = launched(s.mesos).at(-1)!.task_id.value;
  s.mesos.emit('update', status(taskId, 'TASK_RUNNING', {}, agent));
  await until(() => c.task?.taskId === taskId && c.task.phase === 'running', 'running');
  return taskId;
}

async function crash(s: Setup, c: MesosContainer, taskId: string, code = 1, agent = 'S1'): Promise<void> {
  s.mesos.emit('update', status(taskId, 'TASK_FAILED', { message: `Container exited with status ${code}` }, agent));
  await until(() => c.task?.taskId !== taskId || c.hasExited, 'the end');
  await settle();
}

test('on-failure:3: three restarts after growing back-offs, each a new task on the same agent, then exited', async () => {
  const s = await setup();
  try {
    const c = await createdContainer(s.store, withPolicy('on-failure', 3));
    // Every state a client could read, as `status:RestartCount`.
    const seen: string[] = [];
    s.store.on('changed', (x) => x === c && seen.push(`${x.dockerStatus}:${x.restartCount}`));
    void s.framework.launch(c, c.spec);
    const tasks = [await runOn(s, c)];
    for (const wait of [100, 200, 400]) {
      await crash(s, c, tasks.at(-1)!);
      assert.equal(c.dockerStatus, 'restarting');
      assert.equal((c.inspect(undefined).State as { ExitCode: number }).ExitCode, 1);
      s.clock.advance(wait - 1);
      s.mesos.emit('offers', [offer('S2'), offer('S1')]);
      await settle();
      const count = launched(s.mesos).length;
      assert.equal(count, tasks.length, `not launched before its ${wait} ms back-off`);
      s.clock.advance(1);
      tasks.push(await runOn(s, c));
      assert.equal(launched(s.mesos).at(-1)!.agent_id.value, 'S1', 'the agent it ran on is preferred');
    }
    assert.equal(c.restartCount, 3);
    // The count moves with the decision; a client that read `exited` with the new count would act on a container
    // about to run again (a `docker rm` refused: it is running).
    const counted = seen.filter(
      (state, i) => i > 0 && Number(state.split(':')[1]) > Number(seen[i - 1]!.split(':')[1]),
    );
    assert.ok(
      counted.every((state) => state.startsWith('restarting:')),
      `a restart decided is shown as restarting at once: ${seen.join(' ')}`,
    );

    await crash(s, c, tasks.at(-1)!);
    s.clock.advance(120_000);
    await settle();
    assert.equal(c.dockerStatus, 'exited');
    assert.equal(c.restartCount, 3);
    assert.equal(new Set(tasks).size, 4);
    assert.ok(
      launched(s.mesos).every((t) => !t.container?.docker?.parameters?.some((p) => p.key === 'restart')),
      'the agent’s Docker is never given the policy',
    );
  } finally {
    await s.done();
  }
});

test('a restart waiting out its back-off holds no offers: they go back to Mesos, and it asks again when due', async () => {
  const s = await setup();
  try {
    const c = await createdContainer(s.store, withPolicy('always'));
    void s.framework.launch(c, c.spec);
    let task = await runOn(s, c);
    for (let i = 0; i < 6; i++) {
      await crash(s, c, task);
      s.clock.advance(c.restart.backoffMs);
      task = await runOn(s, c);
    }
    await crash(s, c, task);
    assert.equal(c.restart.backoffMs, 6400);
    const declinedBefore = s.mesos.of('DECLINE').length;
    s.mesos.emit('offers', [offer('S1'), offer('S2')]);
    await settle();
    s.clock.advance(IDLE_HOLD_MS);
    await settle();
    // Held through a back-off of up to a minute, these agents would be offered to no other framework meanwhile.
    assert.equal(s.mesos.of('DECLINE').length, declinedBefore + 1, 'the offers went back during the back-off');
    assert.equal(s.framework.offers.book.size, 0);
    assert.ok(s.framework.offers.suppressed, 'and the framework stopped asking');
    const revivals = s.mesos.of('REVIVE').length;
    s.clock.advance(6400 - IDLE_HOLD_MS);
    await until(() => s.mesos.of('REVIVE').length > revivals, 'a REVIVE when the back-off ends');
    await runOn(s, c);
    assert.equal(c.restartCount, 7);
  } finally {
    await s.done();
  }
});

test('the user’s stop ends the policy; docker start resumes it from a zero count; the manager’s own kill restarts', async () => {
  const s = await setup();
  try {
    const c = await createdContainer(s.store, withPolicy('always'));
    void s.framework.launch(c, c.spec);
    let task = await runOn(s, c);
    await s.framework.restarts.stoppedByUser(c);
    const stopped = s.framework.kill(c, 0);
    s.mesos.emit('update', status(task, 'TASK_KILLED'));
    await stopped;
    s.clock.advance(120_000);
    await settle();
    assert.equal(c.dockerStatus, 'exited', 'stopped for good');
    assert.equal(s.store.values().next().value!.restart.stoppedByUser, true);

    await s.framework.restarts.startedByUser(c);
    void s.framework.launch(c, c.spec);
    task = await runOn(s, c);
    assert.equal(c.restartCount, 0);
    // A kill the manager makes itself (an unhealthy task, say) is a failure the policy restarts.
    const killed = s.framework.kill(c, 0);
    s.mesos.emit('update', status(task, 'TASK_KILLED'));
    await killed;
    await settle();
    assert.equal(c.dockerStatus, 'restarting');
    s.clock.advance(100);
    await runOn(s, c);
    assert.equal(c.restartCount, 1);
  } finally {
    await s.done();
  }
});

test('a manager that stops mid back-off relaunches the container at its time after it recovers, once', async () => {
  const backend = new MemoryBackend();
  const clock = new FakeClock();
  const first = await setup(backend, clock);
  const c = await createdContainer(first.store, withPolicy('always'));
  void first.framework.launch(c, c.spec);
  let task = await runOn(first, c);
  for (let i = 0; i < 4; i++) {
    await crash(first, c, task);
    clock.advance(c.restart.backoffMs);
    task = await runOn(first, c);
  }
  await crash(first, c, task);
  assert.equal(c.restart.backoffMs, 1600);
  await first.done();
  clock.advance(1000);

  const second = await setup(backend, clock);
  try {
    const again = second.store.index.get(c.id)!;
    assert.equal(again.restartCount, 5);
    await until(() => again.dockerStatus === 'restarting', 'restarting after recovery');
    second.mesos.emit('offers', [offer('S1')]);
    await settle();
    assert.equal(launched(second.mesos).length, 0, 'not before the back-off it was given');
    clock.advance(600);
    const relaunched = await runOn(second, again);
    assert.notEqual(relaunched, task);
    assert.equal(again.restartCount, 5, 'the recovered restart is the one counted before the crash');
    await second.done();
    const third = await setup(backend, clock);
    try {
      third.mesos.emit('offers', [offer('S1')]);
      clock.advance(120_000);
      await settle();
      await settle();
      assert.equal(launched(third.mesos).length, 0, 'a restart already launched is not made again');
      assert.equal(third.store.index.get(c.id)!.task?.taskId, relaunched);
    } finally {
      await third.done();
    }
  } finally {
    await second.done().catch(() => undefined);
  }
});

test('policy relaunches queue behind clients’ starts in a pass', async () => {
  const s = await setup();
  try {
    const loopers: MesosContainer[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await createdContainer(s.store, withPolicy('always'));
      void s.framework.launch(c, c.spec);
      await crash(s, c, await runOn(s, c));
      loopers.push(c);
    }
    const newcomer = await createdContainer(s.store);
    // Still waiting when the framework stops at the end, which fails it (503, stopped acting).
    s.framework.launch(newcomer, newcomer.spec).catch(() => undefined);
    s.clock.advance(100);
    await settle();
    const ready = s.framework.queue.ready();
    assert.equal(ready.length, 4);
    assert.equal(ready[0]!.container, newcomer, 'the client’s start first, though it queued last');
    assert.deepEqual(
      ready.slice(1).map((r) => r.origin),
      ['restart', 'restart', 'restart'],
    );
  } finally {
    await s.done();
  }
});

test('an unreachable task is replaced after the unreachable timeout; its copy is killed when its agent is back', async () => {
  const s = await setup();
  try {
    const c = await createdContainer(s.store, withPolicy('unless-stopped'));
    const plain = await createdContainer(s.store);
    void s.framework.launch(c, c.spec);
    const old = await runOn(s, c, 'S1');
    void s.framework.launch(plain, plain.spec);
    const plainTask = await runOn(s, plain, 'S1');
    s.mesos.emit('update', status(old, 'TASK_UNREACHABLE'));
    s.mesos.emit('update', status(plainTask, 'TASK_UNREACHABLE'));
    await until(() => c.task?.phase === 'unreachable' && plain.task?.phase === 'unreachable');
    await settle();
    s.clock.advance(59_000);
    await settle();
    assert.equal(c.task?.taskId, old, 'not replaced before the timeout');
    s.clock.advance(1_000);
    await until(() => c.task?.taskId !== old, 'relaunched');
    const fresh = await runOn(s, c, 'S2');
    assert.equal(launched(s.mesos).at(-1)!.agent_id.value, 'S2');
    assert.equal(plain.task?.phase, 'unreachable', 'a container without a policy waits for its agent');

    // The agent is back with the old copy running: Mesos is asked, and the copy is killed.
    s.mesos.emit('offers', [offer('S1')]);
    await until(() =>
      s.mesos
        .of('RECONCILE')
        .some((r) => (r.args[0] as { task_id: { value: string } }[]).some((t) => t.task_id.value === old)),
    );
    s.mesos.emit('update', status(old, 'TASK_RUNNING'));
    await until(() => s.mesos.of('KILL').some((k) => k.args[0] === old), 'the stale copy killed');
    assert.equal(c.task?.taskId, fresh, 'the relaunched copy stays');
    s.mesos.emit('update', status(old, 'TASK_KILLED'));
    await until(() => c.restart.stale.length === 0, 'stale copy forgotten');
  } finally {
    await s.done();
  }
});

test('a gone task’s container is relaunched after the reschedule timeout; one no agent can take waits, saying why', async () => {
  const s = await setup();
  try {
    const c = await createdContainer(
      s.store,
      withPolicy('no', 0, { Labels: { 'com.docker.swarm.reschedule-policies': '["on-node-failure"]' } }),
    );
    const pinned = await createdContainer(
      s.store,
      withPolicy('always', 0, { Labels: { 'com.docker.swarm.constraints': '["node==h1"]' } }),
    );
    void s.framework.launch(c, c.spec);
    const old = await runOn(s, c, 'S1');
    s.mesos.emit('offers', [offer('S1', 4, 4096, 'h1')]);
    void s.framework.launch(pinned, pinned.spec);
    await until(() => pinned.task?.phase === 'launching');
    const pinnedTask = pinned.task!.taskId;
    s.mesos.emit('update', status(pinnedTask, 'TASK_RUNNING'));
    s.mesos.emit('update', status(old, 'TASK_GONE_BY_OPERATOR'));
    s.mesos.emit('update', status(pinnedTask, 'TASK_GONE_BY_OPERATOR'));
    await until(() => c.task?.taskId !== old && pinned.task?.taskId !== pinnedTask, 'relaunches queued');
    s.clock.advance(4_999);
    s.mesos.emit('offers', [offer('S2', 4, 4096, 'h2')]);
    await settle();
    assert.equal(c.task?.phase, 'queued');
    s.clock.advance(1);
    await runOn(s, c, 'S2');
    s.mesos.emit('offers', [offer('S3', 4, 4096, 'h3')]);
    await until(() => /node==h1/.test(s.framework.queue.get(pinned.id)?.lastRejection ?? ''), 'the reason');
    s.clock.advance(600_000);
    await settle();
    assert.equal(pinned.dockerStatus, 'restarting', 'still waiting: no task timeout, no crash loop');
    assert.equal(s.framework.queue.get(pinned.id)?.state, 'waiting');
  } finally {
    await s.done();
  }
});
