// The updates station, on a fake client: an update is acknowledged only once what it says is durable (and not at
// all when the write failed, so Mesos sends it again); duplicates and late updates change nothing; a task without a
// record goes to adoption unless it is one we retired; a waiting start is settled by the task's outcome; a launch
// Mesos dropped before it reached an agent is placed again, one an agent refused is not; ended tasks are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskStatus } from '../../src/mesos/index.js';
import { StartQueue } from '../../src/cluster/mesos/queue.js';
import { Updates } from '../../src/cluster/mesos/updates.js';
import type { Adoption } from '../../src/cluster/mesos/adoption.js';
import type { DockerSide } from '../../src/cluster/mesos/docker-side.js';
import { silentLogger } from '../../src/util/logger.js';
import {
  FakeClock,
  FakeMesos,
  MemoryBackend,
  createdContainer,
  noMetrics,
  openStore,
  settle,
  status,
} from './fakes.js';

async function setup() {
  const backend = new MemoryBackend();
  const store = await openStore(backend);
  const queue = new StartQueue(store, new FakeClock(), { taskTimeoutMs: 60_000 });
  const mesos = new FakeMesos();
  const adopted: TaskStatus[] = [];
  const adoption = { adopt: async (s: TaskStatus) => void adopted.push(s) } as unknown as Adoption;
  const docker = {
    startError: async () => 'driver failed programming external connectivity: port is already allocated',
    find: async () => undefined,
  } as unknown as DockerSide;
  const updates = new Updates(mesos, store, queue, docker, adoption, noMetrics, silentLogger);
  const ended: string[] = [];
  updates.on('ended', (c, task) => ended.push(`${c.name}:${task.phase}`));
  /** A container with a start launched on agent S1. */
  const launched = async () => {
    const c = await createdContainer(store);
    const start = await queue.enqueue(c, c.spec);
    queue.launched(start);
    await store.advance(c, 'launching', { agentId: 'S1' });
    return { c, start, taskId: start.taskId! };
  };
  return { backend, store, queue, mesos, updates, adopted, ended, launched };
}

const outcome = (p: Promise<unknown>) =>
  Promise.race([
    p.then(
      () => 'resolved',
      (err: Error) => err.message,
    ),
    settle().then(() => 'pending'),
  ]);

test('an update is acknowledged only after the journal has it; a failed write is not acknowledged', async () => {
  const { backend, mesos, updates, launched } = await setup();
  const { c, taskId } = await launched();
  backend.hold = true;
  const applying = updates.received(status(taskId, 'TASK_RUNNING'));
  await settle();
  assert.equal(backend.heldWrites, 1, 'the running state is being written');
  assert.equal(mesos.of('ACKNOWLEDGE').length, 0, 'no ACK before the write is durable');
  backend.release();
  await applying;
  assert.equal(mesos.of('ACKNOWLEDGE').length, 1);
  assert.equal(c.task?.phase, 'running');

  backend.hold = false;
  backend.failNext = true;
  await updates.received(status(taskId, 'TASK_FINISHED', { message: 'Container exited with status 0' }));
  assert.equal(mesos.of('ACKNOWLEDGE').length, 1, 'not acknowledged: Mesos will send it again');
});

test('a start is settled by its task: RUNNING resolves it, a failure before running rejects it with the message', async () => {
  const { updates, launched } = await setup();
  const a = await launched();
  await updates.received(status(a.taskId, 'TASK_STARTING'));
  assert.equal(await outcome(a.start.outcome), 'pending');
  await updates.received(status(a.taskId, 'TASK_RUNNING'));
  assert.equal(await outcome(a.start.outcome), 'resolved');

  const b = await launched();
  await updates.received(status(b.taskId, 'TASK_FAILED', { message: 'Failed to pull image nosuch' }));
  assert.equal(await outcome(b.start.outcome), 'Failed to pull image nosuch');

  // It ran (exited on its own before RUNNING was reported): the start succeeded.
  const quick = await launched();
  await updates.received(status(quick.taskId, 'TASK_FINISHED', { message: 'Container exited with status 0' }));
  assert.equal(await outcome(quick.start.outcome), 'resolved');

  // docker run's own 125: it never ran; the engine says why.
  const taken = await launched();
  await updates.received(status(taken.taskId, 'TASK_FAILED', { message: 'Container exited with status 125' }));
  assert.match(await outcome(taken.start.outcome), /status 125: driver failed .* port is already allocated/);
});

test('duplicate and out-of-order updates change nothing, and an end is reported once', async () => {
  const { store, mesos, updates, ended, launched } = await setup();
  const { c, taskId } = await launched();
  await updates.received(status(taskId, 'TASK_RUNNING'));
  const version = c.version;
  const changes = store.changes;
  await updates.received(status(taskId, 'TASK_STARTING'));
  assert.equal(c.task?.phase, 'running', 'a late STARTING does not undo RUNNING');
  await updates.received(status(taskId, 'TASK_RUNNING'));
  assert.equal(c.version, version, 'a duplicate changes nothing');
  assert.equal(store.changes, changes);
  await updates.received(status(taskId, 'TASK_KILLED', { message: 'Container exited with status 143' }));
  await updates.received(status(taskId, 'TASK_KILLED', { message: 'Container exited with status 143' }));
  await updates.received(status(taskId, 'TASK_RUNNING'));
  assert.equal(c.task?.phase, 'killed', 'terminal is final');
  assert.equal(c.exitCode(), 143);
  assert.deepEqual(ended, [`${c.name}:killed`]);
  assert.equal(mesos.of('ACKNOWLEDGE').length, 6, 'every update is acknowledged, duplicates included');
});

test('a task without a record goes to adoption, unless it ended or is one we retired', async () => {
  const { queue, updates, adopted, launched } = await setup();
  await updates.received(status('stranger.1', 'TASK_RUNNING'));
  await updates.received(status('stranger.2', 'TASK_FINISHED'));
  const { start, taskId } = await launched();
  queue.requeue(start, taskId); // the old task is retired
  await settle();
  await updates.received(status(taskId, 'TASK_RUNNING'));
  assert.deepEqual(
    adopted.map((s) => s.task_id.value),
    ['stranger.1'],
  );
});

test('a launch Mesos dropped before an agent had it is placed again; one the agent refused fails with the hint', async () => {
  const { queue, updates, launched } = await setup();
  const dropped = await launched();
  await updates.received(
    status(dropped.taskId, 'TASK_DROPPED', { reason: 'REASON_INVALID_OFFERS', message: 'Offer O1 is no longer valid' }),
  );
  await settle();
  assert.equal(await outcome(dropped.start.outcome), 'pending');
  assert.deepEqual(queue.ready(), [dropped.start], 'waiting again');
  assert.notEqual(dropped.start.taskId, dropped.taskId, 'under a new task ID');
  assert.equal(dropped.c.task?.phase, 'queued');

  // Mesos 1.12's agent, for a framework user it has no account for: the task is dropped, not failed.
  const refused = await launched();
  const message =
    "Failed to create executor directory '/var/lib/mesos/slaves/S1/frameworks/FW/executors/x/runs/y': " +
    "Failed to chown directory to 'test_wrong_user': No such user 'test_wrong_user'";
  await updates.received(status(refused.taskId, 'TASK_DROPPED', { reason: 'REASON_EXECUTOR_TERMINATED', message }));
  const why = await outcome(refused.start.outcome);
  assert.ok(why.startsWith(message), why);
  assert.match(why, /please verify your SWARM_MESOS_USER is correctly set$/);
  assert.equal(refused.c.task?.phase, 'lost');
});

test('the Docker executor’s wording of a wrong user gets the same hint', async () => {
  const { updates, launched } = await setup();
  const { start, taskId } = await launched();
  await updates.received(
    status(taskId, 'TASK_FAILED', {
      message: "Abnormal executor termination: Failed to chown directory to 'u': No such user 'u'",
    }),
  );
  assert.match(await outcome(start.outcome), /^Abnormal executor termination.* : please verify your SWARM_MESOS_USER/);
});
