import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Reconciler, type ReconcilerOptions, type RoundSummary } from '../../src/mesos/reconciler.js';
import { MesosSchedulerClient } from '../../src/mesos/client.js';
import type { ReconcileTask, TaskStatus } from '../../src/mesos/types.js';
import { FakeMaster, fastTimings, nextEvent, waitFor } from './fake-master.js';

const task = (id: string, agent?: string): ReconcileTask => ({
  task_id: { value: id },
  ...(agent ? { agent_id: { value: agent } } : {}),
});
const status = (id: string, state: TaskStatus['state'] = 'TASK_RUNNING'): TaskStatus => ({
  task_id: { value: id },
  state,
  source: 'SOURCE_MASTER',
  reason: 'REASON_RECONCILIATION',
});
const ids = (tasks: ReconcileTask[]): string[] => tasks.map((t) => t.task_id.value);

const reconcilers: Reconciler[] = [];
afterEach(() => {
  for (const r of reconcilers.splice(0)) r.stop();
});

function make(options: Partial<ReconcilerOptions> & Pick<ReconcilerOptions, 'tasks'>) {
  const sent: Array<{ at: number; tasks: string[] }> = [];
  const rounds: RoundSummary[] = [];
  const t0 = Date.now();
  const reconciler = new Reconciler({
    reconcile: async (tasks) => void sent.push({ at: Date.now() - t0, tasks: ids(tasks) }),
    backoff: { initialMs: 40, maxMs: 160, jitter: 0 },
    implicitIntervalMs: 0,
    onRoundComplete: (s) => rounds.push(s),
    ...options,
  });
  reconcilers.push(reconciler);
  return { reconciler, sent, rounds };
}

test('explicit round: answered tasks drop out, the rest are re-sent with truncated exponential backoff, then implicit', async () => {
  const { reconciler, sent, rounds } = make({ tasks: () => [task('a', 'S0'), task('b'), task('c')] });
  reconciler.start();
  await waitFor(() => sent.length === 1);
  assert.deepEqual(sent[0]!.tasks, ['a', 'b', 'c']);
  reconciler.observe(status('a'));
  await waitFor(() => sent.length === 2);
  assert.deepEqual(sent[1]!.tasks, ['b', 'c']);
  reconciler.observe(status('c', 'TASK_LOST'));
  await waitFor(() => sent.length === 3);
  assert.deepEqual(sent[2]!.tasks, ['b']);
  await waitFor(() => sent.length === 5);
  assert.deepEqual(sent[4]!.tasks, ['b']);
  const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
  assert.ok(gaps[0]! >= 35 && gaps[1]! >= 75 && gaps[2]! >= 155 && gaps[3]! >= 155, `gaps ${gaps.join(',')}`);
  assert.ok(gaps[3]! < 300, 'the delay is truncated at maxMs');
  reconciler.observe(status('b'));
  // The last answer finishes the round at once (no waiting out the backoff), with an implicit reconcile.
  await waitFor(() => rounds.length === 1, 100);
  assert.deepEqual(sent[sent.length - 1]!.tasks, []);
  assert.equal(rounds[0]!.kind, 'explicit');
  assert.equal(rounds[0]!.tasks, 3);
  assert.deepEqual(rounds[0]!.unanswered, []);
  assert.equal(reconciler.running, false);
});

test('updates that arrive before the task list is read still count for the round', async () => {
  let release!: (t: ReconcileTask[]) => void;
  const { reconciler, sent, rounds } = make({ tasks: () => new Promise((r) => (release = r)) });
  reconciler.start();
  reconciler.observe(status('a'));
  release([task('a'), task('b')]);
  await waitFor(() => sent.length === 1);
  assert.deepEqual(sent[0]!.tasks, ['b']);
  reconciler.observe(status('b'));
  await waitFor(() => rounds.length === 1);
});

test('no tasks: the round is just an implicit reconcile', async () => {
  const { reconciler, sent, rounds } = make({ tasks: () => [] });
  reconciler.start();
  await waitFor(() => rounds.length === 1);
  assert.deepEqual(sent, [{ at: sent[0]!.at, tasks: [] }]);
});

test('never two rounds at once: a new start abandons the running round', async () => {
  let list = [task('a')];
  const { reconciler, sent, rounds } = make({ tasks: () => list });
  reconciler.start();
  await waitFor(() => sent.length === 1);
  list = [task('x')];
  reconciler.start();
  await waitFor(() => sent.length === 2);
  assert.deepEqual(sent[1]!.tasks, ['x']);
  reconciler.observe(status('a'));
  await new Promise((r) => setTimeout(r, 60));
  // Only the new round's task is re-sent; the old round is gone.
  assert.ok(
    sent.slice(2).every((s) => s.tasks.join() === 'x'),
    JSON.stringify(sent),
  );
  reconciler.observe(status('x'));
  await waitFor(() => rounds.length === 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(rounds.length, 1);
});

test('implicit() and periodic rounds do not overlap a running explicit round', async () => {
  const { reconciler, sent, rounds } = make({ tasks: () => [task('a')], implicitIntervalMs: 30 });
  reconciler.start();
  await waitFor(() => sent.length === 1);
  await reconciler.implicit();
  await new Promise((r) => setTimeout(r, 70));
  assert.ok(
    sent.every((s) => s.tasks.join() === 'a'),
    'no implicit round while the explicit one runs',
  );
  reconciler.observe(status('a'));
  await waitFor(() => rounds.length >= 3, 2000, 'periodic implicit rounds');
  assert.equal(rounds[0]!.kind, 'explicit');
  assert.equal(rounds[1]!.kind, 'implicit');
  reconciler.stop();
  const count = sent.length;
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(sent.length, count, 'stop() ends periodic rounds');
});

test('send failures are retried; maxAttempts gives up and reports unanswered tasks', async () => {
  let fail = 2;
  const sent: string[][] = [];
  const rounds: RoundSummary[] = [];
  const reconciler = new Reconciler({
    reconcile: async (tasks) => {
      if (fail-- > 0) throw new Error('not subscribed');
      sent.push(ids(tasks));
    },
    tasks: () => [task('a'), task('b')],
    backoff: { initialMs: 5, maxMs: 10 },
    maxAttempts: 4,
    batchSize: 1,
    implicitIntervalMs: 0,
    onRoundComplete: (s) => rounds.push(s),
  });
  reconcilers.push(reconciler);
  reconciler.start();
  await waitFor(() => rounds.length === 1);
  // Sends 1 and 2 fail; 3 and 4 go out in batches of one task; then the implicit reconcile.
  assert.equal(rounds[0]!.attempts, 4);
  assert.deepEqual(rounds[0]!.unanswered, ['a', 'b']);
  assert.deepEqual(sent, [['a'], ['b'], ['a'], ['b'], []]);
});

test('attach() drives rounds from a real client: SUBSCRIBED → explicit RECONCILE → implicit', async () => {
  const master = await FakeMaster.start();
  const client = new MesosSchedulerClient({
    master: master.address,
    frameworkInfo: { user: 'u', name: 'n' },
    ...fastTimings,
  });
  const reconciler = new Reconciler({
    reconcile: (t) => client.reconcile(t),
    tasks: () => [task('web.1', 'S0')],
    backoff: { initialMs: 30, maxMs: 60 },
    implicitIntervalMs: 0,
  });
  reconcilers.push(reconciler);
  const detach = reconciler.attach(client);
  try {
    const sub = nextEvent(client, 'subscribed');
    client.start();
    await sub;
    await waitFor(() => master.callsOf('RECONCILE').length === 1);
    assert.deepEqual(master.callsOf('RECONCILE')[0]!.body!.reconcile, {
      tasks: [{ task_id: { value: 'web.1' }, agent_id: { value: 'S0' } }],
    });
    master.streams[0]!.send({
      type: 'UPDATE',
      update: { status: { ...status('web.1'), agent_id: { value: 'S0' } } },
    });
    await waitFor(() => master.callsOf('RECONCILE').some((c) => JSON.stringify(c.body!.reconcile) === '{"tasks":[]}'));
  } finally {
    detach();
    await client.stop();
    await master.close();
  }
});
