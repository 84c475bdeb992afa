// The framework's stations wired together, on a fake Mesos client and a fake clock: a start waits for offers, is
// placed and launched (recorded as launching before its ACCEPT is sent), and resolves on TASK_RUNNING; a start no
// agent could ever take fails at once; an ACCEPT that failed is reconciled; a dropped launch is placed again once;
// a stopped framework no longer acts on the client's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskInfo } from '../../src/mesos/index.js';
import type { FakeMesos } from './fakes.js';
import { createdContainer, offer, settle, startFramework, status } from './fakes.js';

const setup = () => startFramework();

const launched = (mesos: FakeMesos) => mesos.of('LAUNCH').flatMap((c) => c.args[1] as TaskInfo[]);

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await settle();
  assert.ok(check(), 'condition not reached');
}

test('a start waits for an offer, launches durable-first, and resolves on TASK_RUNNING', async () => {
  const { backend, store, mesos, framework, done } = await setup();
  try {
    const c = await createdContainer(store);
    let answered = false;
    const starting = framework.launch(c, c.spec).then(() => (answered = true));
    await settle();
    assert.equal(framework.queue.size, 1);
    backend.hold = true;
    const o = offer('S1');
    mesos.emit('offers', [o]);
    await until(() => c.task?.phase === 'launching');
    await settle();
    assert.equal(mesos.of('LAUNCH').length, 0, 'no ACCEPT before the launch is durable');
    backend.release();
    backend.hold = false;
    await until(() => mesos.of('LAUNCH').length === 1);
    const [info] = launched(mesos);
    assert.deepEqual(mesos.of('LAUNCH')[0]!.args[0], [o.id.value], 'only the offer it draws on');
    assert.equal(info!.agent_id.value, 'S1');
    assert.equal(info!.task_id.value, c.task!.taskId);
    assert.deepEqual(
      info!.resources.map((r) => [r.name, r.scalar?.value]),
      [['mem', 64]],
    );
    assert.equal(framework.queue.size, 0);
    assert.ok(!answered);
    mesos.emit('update', status(c.task!.taskId, 'TASK_RUNNING'));
    await starting;
    assert.equal(c.task?.phase, 'running');
    await until(() => mesos.of('ACKNOWLEDGE').length === 1);
  } finally {
    await done();
  }
});

test('a start no known agent could take, whatever its resources, fails at once with the scheduler’s words', async () => {
  const { store, mesos, framework, done } = await setup();
  try {
    const c = await createdContainer(store, {
      Image: 'busybox',
      HostConfig: { Memory: 64 * 1024 * 1024 },
      Labels: { 'com.docker.swarm.constraints': '["node==nowhere"]' },
    });
    const starting = framework.launch(c, c.spec);
    mesos.emit('offers', [offer('S1')]);
    await assert.rejects(
      starting,
      (err: Error) =>
        err.message.startsWith('Unable to find a node that satisfies the following conditions \n') &&
        err.message.endsWith('\n[node==nowhere]'),
    );
    assert.equal(c.task, undefined);
    assert.equal(mesos.of('LAUNCH').length, 0);
  } finally {
    await done();
  }
});

test('a start that does not fit waits, and fails after the task timeout naming why', async () => {
  const { store, mesos, clock, framework, done } = await setup();
  try {
    const c = await createdContainer(store, { Image: 'busybox', HostConfig: { Memory: 8192 * 1024 * 1024 } });
    const starting = framework.launch(c, c.spec);
    mesos.emit('offers', [offer('S1')]);
    await until(() => framework.queue.get(c.id)?.lastRejection !== '');
    clock.advance(20_000);
    await assert.rejects(starting, {
      message: 'container failed to start after 20s: no resources available to schedule container',
    });
  } finally {
    await done();
  }
});

test('a failed ACCEPT is reconciled; a dropped launch is placed again, once, under a new task', async () => {
  const { store, mesos, framework, done } = await setup();
  try {
    const c = await createdContainer(store);
    const starting = framework.launch(c, c.spec);
    mesos.failing.add('LAUNCH');
    mesos.emit('offers', [offer('S1')]);
    await until(() => mesos.of('RECONCILE').some((r) => (r.args[0] as unknown[]).length === 1));
    const first = launched(mesos)[0]!.task_id.value;
    mesos.failing.clear();
    // The master answers the reconciliation: it never had the task.
    mesos.emit('update', status(first, 'TASK_DROPPED', { reason: 'REASON_INVALID_OFFERS', uuid: undefined }));
    await until(() => framework.queue.size === 1);
    mesos.emit('offers', [offer('S2')]);
    await until(() => launched(mesos).length === 2);
    const second = launched(mesos)[1]!;
    assert.notEqual(second.task_id.value, first);
    mesos.emit('update', status(second.task_id.value, 'TASK_RUNNING', {}, 'S2'));
    await starting;
    assert.equal(c.task?.agentId, 'S2');
    assert.equal(store.byTask(first), undefined);
  } finally {
    await done();
  }
});

test('a stopped framework does not act on the client’s events any more', async () => {
  const { store, mesos, framework, done } = await setup();
  const c = await createdContainer(store);
  void framework.launch(c, c.spec).catch(() => undefined);
  await done();
  mesos.emit('offers', [offer('S1')]);
  await settle();
  await settle();
  assert.equal(mesos.of('LAUNCH').length, 0);
  assert.equal(framework.offers.book.size, 0);
  assert.equal(mesos.listenerCount('offers'), 0);
});
