// The mesos driver's container store and journal: task phases only move forward, durable changes survive a
// restart (replayed from the journal), a torn last line is ignored, and an interrupted queued start is forgotten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerStore } from '../../src/cluster/mesos/store.js';
import { localJournal } from '../../src/cluster/mesos/persistence.js';
import { MesosContainer } from '../../src/cluster/mesos/container.js';
import { canAdvance, exitCodeOf, phaseAfter, phaseOf } from '../../src/cluster/mesos/task-phase.js';
import { EventLog, type ClusterEvent } from '../../src/cluster/events.js';

const node = () => ({ Name: 'n1', Id: 'S0', Addr: 'h:2375', Ip: 'h' });

function container(id: string, name: string): MesosContainer {
  return new MesosContainer({
    id,
    name,
    config: { Image: 'busybox', Labels: { app: 'x' } },
    created: new Date().toISOString(),
    restartCount: 0,
  });
}

test('task phases only move forward, with Mesos’ one way back from an unreachable agent', () => {
  assert.ok(canAdvance('queued', 'launching'));
  assert.ok(canAdvance('starting', 'running'));
  assert.ok(!canAdvance('running', 'starting'), 'a late STARTING does not undo RUNNING');
  assert.ok(!canAdvance('finished', 'running'), 'terminal is final');
  assert.ok(canAdvance('running', 'unreachable'));
  assert.ok(canAdvance('unreachable', 'running'));
  assert.ok(!canAdvance('running', 'running'), 'a duplicate update changes nothing');
  assert.equal(phaseOf('TASK_DROPPED'), 'lost');
  assert.equal(phaseOf('TASK_LOST'), 'unreachable');
  // A new leading master knows no agent until it re-registers: a task an agent had may still run.
  assert.equal(phaseAfter('running', 'TASK_UNKNOWN'), 'unreachable');
  assert.equal(phaseAfter('starting', 'TASK_UNKNOWN'), 'unreachable');
  assert.equal(phaseAfter('launching', 'TASK_UNKNOWN'), 'lost', 'no agent ever confirmed it');
  assert.equal(phaseAfter('unreachable', 'TASK_RUNNING'), 'running');
  assert.equal(exitCodeOf('failed', 'Container exited with status 3'), 3);
  assert.equal(exitCodeOf('finished', undefined), 0);
  assert.equal(exitCodeOf('killed', 'Container exited with status 143'), 143);
});

test('the journal rebuilds containers, their names, tasks and the framework ID after a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'store-'));
  try {
    const events = new EventLog();
    const seen: ClusterEvent[] = [];
    events.on('event', (e) => seen.push(e));
    const store = new ContainerStore(events, node);
    await store.open(localJournal(dir));
    await store.setFrameworkId('FW-1');
    const a = container('a'.repeat(64), 'alpha');
    const b = container('b'.repeat(64), 'beta');
    await store.create(a);
    await store.create(b);
    await store.beginTask(a, { taskId: 'alpha.1', phase: 'queued' }, false);
    assert.ok(await store.advance(a, 'launching', { agentId: 'S0', engineAddress: 'tcp://h:2375', nodeName: 'n1' }));
    assert.ok(await store.advance(a, 'running', { dockerId: 'd1' }));
    assert.equal(await store.advance(a, 'starting', {}), false, 'backwards is refused');
    await store.rename(b, 'gamma');
    await store.beginTask(b, { taskId: 'beta.1', phase: 'queued' }, true);
    await store.close();
    assert.deepEqual(
      seen.map((e) => e.Action),
      ['create', 'create', 'start', 'rename'],
    );

    // A crash can tear the last line; everything before it was fsynced.
    await appendFile(join(dir, 'state.jsonl'), '{"t":"del","id":"aaaa');
    const again = new ContainerStore(new EventLog(), node);
    await again.open(localJournal(dir));
    assert.equal(again.frameworkId, 'FW-1');
    assert.equal(again.size, 2);
    const alpha = again.index.resolve('alpha');
    assert.equal(alpha.task?.phase, 'running');
    assert.equal(alpha.task?.agentId, 'S0');
    assert.equal(again.byTask('alpha.1'), alpha);
    const gamma = again.index.resolve('gamma');
    assert.equal(gamma.id, b.id, 'the rename survived');
    assert.equal(gamma.task, undefined, 'a start still waiting for an offer died with the manager: nothing launched');
    assert.equal(again.index.find('beta'), undefined);
    await again.close();
    // The journal was compacted on open: one line for the framework and one per container.
    const lines = (await readFile(join(dir, 'state.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('until() resolves on the change it waits for, and on removal', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'store-'));
  try {
    const store = new ContainerStore(new EventLog(), node);
    await store.open(localJournal(dir));
    const c = container('c'.repeat(64), 'gamma');
    await store.create(c);
    await store.beginTask(c, { taskId: 'gamma.1', phase: 'queued' }, false);
    const running = store.until(c.id, (x) => (x?.isRunning ? 'running' : undefined));
    const removed = store.until(c.id, (x) => (x ? undefined : 'removed'));
    await store.advance(c, 'launching', { agentId: 'S0' });
    await store.advance(c, 'running', {});
    assert.equal(await running, 'running');
    await store.remove(c);
    assert.equal(await removed, 'removed');
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a container whose record cannot be journaled is not recorded at all: no entry, no event, no line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'store-'));
  try {
    const events = new EventLog();
    const seen: ClusterEvent[] = [];
    events.on('event', (e) => seen.push(e));
    const store = new ContainerStore(events, node);
    await store.open(localJournal(dir));
    let deep: unknown = 'x';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const bad = new MesosContainer({
      id: 'c'.repeat(64),
      name: 'broken',
      config: { Image: 'busybox', Labels: { app: 'x' }, Cmd: deep as string[] },
      created: new Date().toISOString(),
      restartCount: 0,
    });
    await assert.rejects(store.create(bad), /cannot encode journal entry/);
    assert.equal(store.size, 0);
    assert.equal(store.index.get(bad.id), undefined);
    assert.deepEqual(seen, []);
    await store.create(container('d'.repeat(64), 'fine'));
    await store.close();
    const lines = (await readFile(join(dir, 'state.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(lines.filter((l) => l.includes('broken')).length, 0);
    assert.equal(lines.filter((l) => l.includes('fine')).length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
