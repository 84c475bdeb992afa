// The launch queue, on a fake clock: a start waits at most mesos.tasktimeout (failing with the last reason it was
// not placed), can be cancelled while it waits but not once launched, goes back under a new task ID after a lost
// launch (a bounded number of times), waits out a not-before time before a pass may place it, and fails when its
// container is removed. The container is back as it was whenever a start is given up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StartQueue } from '../../src/cluster/mesos/queue.js';
import { FakeClock, createdContainer, openStore } from './fakes.js';

async function setup(taskTimeoutMs = 5_000) {
  const store = await openStore();
  const clock = new FakeClock();
  const queue = new StartQueue(store, clock, { taskTimeoutMs });
  const events: string[] = [];
  queue.on('waiting', () => events.push('waiting'));
  queue.on('drained', () => events.push('drained'));
  return { store, clock, queue, events };
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: Error) => err.message,
  );

test('a start that no pass places fails after the task timeout, with the last reason, and the container is as before', async () => {
  const { store, clock, queue, events } = await setup();
  const c = await createdContainer(store);
  const start = await queue.enqueue(c, c.spec);
  assert.equal(c.task?.phase, 'queued');
  assert.deepEqual(events, ['waiting']);
  assert.deepEqual(queue.ready(), [start]);
  queue.rejected(start, 'no resources available to schedule container');
  clock.advance(4_999);
  assert.equal(queue.size, 1);
  clock.advance(1);
  assert.equal(
    await rejection(start.outcome),
    'container failed to start after 5s: no resources available to schedule container',
  );
  assert.equal(c.task, undefined, 'a created container is created again');
  assert.equal(c.lastError, 'container failed to start after 5s: no resources available to schedule container');
  assert.equal(queue.size, 0);
  assert.deepEqual(events, ['waiting', 'drained']);
  assert.ok(store.isRetired(start.taskIds.values().next().value!), 'its task ID is not taken for an unknown task');
});

test('cancel takes a waiting start out; a launched one is not the queue’s to cancel', async () => {
  const { store, clock, queue } = await setup();
  const c = await createdContainer(store);
  const start = await queue.enqueue(c, c.spec);
  assert.ok(queue.cancel(c.id, 'stopped before it was placed'));
  assert.equal(await rejection(start.outcome), 'stopped before it was placed');
  assert.equal(c.task, undefined);
  const again = await queue.enqueue(c, c.spec);
  queue.launched(again);
  assert.equal(queue.size, 0);
  assert.ok(!queue.cancel(c.id, 'too late'));
  clock.advance(60_000);
  assert.equal(again.state, 'launched', 'no timeout once launched: mesos.tasktimeout covers placement only');
});

test('a lost launch goes back to the queue under a new task ID, at most five times', async () => {
  const { store, clock, queue } = await setup();
  const c = await createdContainer(store);
  const start = await queue.enqueue(c, c.spec);
  const seen = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const taskId = start.taskId!;
    seen.add(taskId);
    queue.launched(start);
    assert.ok(queue.requeue(start, taskId), `requeue ${i + 1}`);
    await new Promise((resolve) => setImmediate(resolve));
    assert.notEqual(start.taskId, taskId);
    assert.equal(c.task?.phase, 'queued');
    assert.deepEqual(queue.ready(), [start]);
    assert.equal(store.byTask(taskId), undefined, 'the dropped task no longer names the container');
  }
  queue.launched(start);
  assert.ok(!queue.requeue(start, start.taskId!), 'the sixth is refused');
  assert.ok(!queue.requeue(start, 'someone-else.1'), 'a task of another start is not this one’s');
  clock.advance(1);
  assert.equal(seen.size, 5);
});

test('a start with a not-before time is not ready before it, says why, and its timeout counts from then', async () => {
  const { store, clock, queue, events } = await setup(5_000);
  const c = await createdContainer(store);
  const start = await queue.enqueue(c, c.spec, clock.now() + 800, 'back-off');
  assert.equal(start.reason, 'back-off');
  assert.deepEqual(queue.ready(), []);
  assert.deepEqual(events, [], 'no pass is asked for before the time');
  clock.advance(800);
  assert.deepEqual(events, ['waiting']);
  assert.deepEqual(queue.ready(), [start]);
  clock.advance(4_999);
  assert.equal(start.state, 'waiting');
  clock.advance(1);
  assert.match(await rejection(start.outcome), /failed to start after 5s/);
});

test('a removed container fails its start; settle decides by the task outcome', async () => {
  const { store, queue } = await setup();
  const c = await createdContainer(store);
  const start = await queue.enqueue(c, c.spec);
  await store.remove(c);
  queue.forget(c.id);
  assert.equal(await rejection(start.outcome), 'container removed while starting');

  const d = await createdContainer(store);
  const ok = await queue.enqueue(d, d.spec);
  queue.launched(ok);
  queue.settle(ok, { kind: 'pending' });
  assert.equal(ok.state, 'launched', 'pending settles nothing');
  queue.settle(ok, { kind: 'running' });
  assert.equal(await rejection(ok.outcome), 'resolved');
  const e = await createdContainer(store);
  const bad = await queue.enqueue(e, e.spec);
  queue.settle(bad, { kind: 'ended', ran: false, error: 'x', failure: 'image not found' });
  assert.equal(await rejection(bad.outcome), 'image not found');
  assert.equal(queue.get(e.id), undefined);
});

test('acting ends (demotion, shutdown): a waiting start and a waiter on the store fail with 503, no request hangs', async () => {
  const { store, clock, queue } = await setup();
  const c = await createdContainer(store);
  const start = await queue.enqueue(c, c.spec);
  const other = await createdContainer(store);
  const waiting = store.until(other.id, (now) => (now?.isRunning ? true : undefined));
  queue.stop();
  await assert.rejects(start.outcome, (err: Error & { status?: number; code?: string }) => {
    assert.equal(err.status, 503);
    assert.equal(err.code, 'STOPPED_ACTING');
    return true;
  });
  clock.advance(60_000);
  assert.equal(start.state, 'settled');
  await store.close();
  await assert.rejects(waiting, /stopped acting/);
});
