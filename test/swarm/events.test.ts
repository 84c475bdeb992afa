// docker events through the manager: the live stream decorated with the node each event came from, --since/--until
// replay from the manager's history (a past --until ends the stream at once, a future one when it comes), and
// --filter by container, type, event and node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { engineNames } from '../helpers/nodes.js';

const prefix = uniquePrefix('events');
let m: TestManager | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

interface Message {
  Type: string;
  Action: string;
  from?: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

const lines = (text: string) => text.split('\n').filter(Boolean);
const parse = (text: string) => lines(text).map((line) => JSON.parse(line) as Message);
/** The CLI's time format for --since/--until: Unix seconds with nanoseconds. */
const unixTime = (ms: number) => (ms / 1000).toFixed(9);

test('the live stream shows a container’s events with the node they happened on', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}live`;
  const stream = m.docker.start(['events', '--filter', `container=${name}`, '--format', '{{json .}}']);
  try {
    await new Promise((r) => setTimeout(r, 300)); // the subscription is in place before anything happens
    await m.docker.ok(['run', '--rm', '--name', name, '-e', `constraint:node==${nodes[1]}`, 'busybox', 'true']);
    const text = await stream.waitFor(/"Action":"destroy"/);
    const events = parse(text);
    const actions = events.map((e) => e.Action);
    for (const action of ['create', 'start', 'die', 'destroy']) assert.ok(actions.includes(action), actions.join(','));
    assert.ok(
      actions.indexOf('create') < actions.indexOf('start') && actions.indexOf('die') < actions.indexOf('destroy'),
    );
    for (const event of events) {
      assert.equal(event.Type, 'container');
      assert.equal(event.Actor.Attributes.name, name);
      assert.equal(event.Actor.Attributes['node.name'], nodes[1]);
      assert.match(event.Actor.Attributes['node.addr'] ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(event.from, `busybox node:${nodes[1]}`);
    }
  } finally {
    await stream.stop();
  }
});

test('--since with a past --until replays the history in order and ends by itself', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}replay`;
  const since = Date.now() - 1000;
  await m.docker.ok(['run', '--name', name, '-e', `constraint:node==${nodes[0]}`, 'busybox', 'true']);
  await m.docker.ok(['rm', name]);
  await new Promise((r) => setTimeout(r, 300)); // the destroy event has come back from the engine
  const until = Date.now();
  const started = Date.now();
  const replay = await m.docker(
    [
      'events',
      '--since',
      unixTime(since),
      '--until',
      unixTime(until),
      '--filter',
      `container=${name}`,
      '--format',
      '{{.Action}} {{index .Actor.Attributes "node.name"}}',
    ],
    { timeoutMs: 10_000 },
  );
  assert.equal(replay.code, 0, replay.stderr);
  assert.ok(Date.now() - started < 5_000, 'a past --until must end the stream at once');
  const actions = lines(replay.stdout);
  assert.deepEqual(
    actions.filter((a) => /^(create|start|die|destroy) /.test(a)),
    ['create', 'start', 'die', 'destroy'].map((a) => `${a} ${nodes[0]}`),
  );

  // --until alone replays everything kept up to it, as dockerd does; --since after the events replays none of them.
  const untilOnly = await m.docker(
    ['events', '--until', unixTime(until), '--filter', `container=${name}`, '--format', '{{.Action}}'],
    {
      timeoutMs: 10_000,
    },
  );
  assert.ok(lines(untilOnly.stdout).includes('destroy'), untilOnly.stdout);
  const after = await m.docker(
    ['events', '--since', unixTime(until), '--until', unixTime(Date.now()), '--filter', `container=${name}`],
    {
      timeoutMs: 10_000,
    },
  );
  assert.equal(after.stdout, '');
  // A relative --until (seconds ago) ends at once too.
  const relative = await m.docker(['events', '--until', '1s'], { timeoutMs: 10_000 });
  assert.equal(relative.code, 0);
});

test('a future --until ends the stream when it comes', async (t) => {
  if (!m) return t.skip('no engines');
  const started = Date.now();
  const result = await m.docker(['events', '--since', unixTime(started), '--until', unixTime(started + 2000)], {
    timeoutMs: 15_000,
  });
  const took = Date.now() - started;
  assert.equal(result.code, 0, result.stderr);
  assert.ok(took >= 1500 && took < 8000, `ended after ${took} ms`);
});

test('--filter by type, event and node', async (t) => {
  if (!m) return t.skip('no engines');
  const since = Date.now() - 1000;
  for (const [i, node] of nodes.entries()) {
    await m.docker.ok(['run', '--rm', '--name', `${prefix}f${i}`, '-e', `constraint:node==${node}`, 'busybox', 'true']);
  }
  await m.docker.ok(['volume', 'create', `${nodes[0]}/${prefix}fvol`]);
  await m.docker.ok(['volume', 'rm', `${nodes[0]}/${prefix}fvol`]);
  await new Promise((r) => setTimeout(r, 300));
  const until = Date.now();
  const events = (...filters: string[]) =>
    m!.docker
      .ok([
        'events',
        '--since',
        unixTime(since),
        '--until',
        unixTime(until),
        '--format',
        '{{json .}}',
        ...filters.flatMap((f) => ['--filter', f]),
      ])
      .then(parse)
      .then((all) => all.filter((e) => (e.Actor.Attributes.name ?? e.Actor.ID).startsWith(prefix)));

  const starts = await events('type=container', 'event=start');
  assert.deepEqual(
    starts.map((e) => `${e.Action} ${e.Actor.Attributes.name}`).sort(),
    nodes.map((_, i) => `start ${prefix}f${i}`).sort(),
  );
  const onSecond = await events(`node=${nodes[1]}`, 'type=container');
  assert.ok(onSecond.length >= 3);
  assert.ok(
    onSecond.every((e) => e.Actor.Attributes['node.name'] === nodes[1] && e.Actor.Attributes.name === `${prefix}f1`),
  );
  const volumes = await events('type=volume');
  assert.deepEqual(
    volumes.map((e) => e.Action),
    ['create', 'destroy'],
  );
  assert.equal(volumes[0]!.Actor.ID, `${prefix}fvol`);

  const bad = await m.docker(['events', '--filter', 'colour=red', '--until', '1s']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Invalid filter 'colour'/);
});

test('the manager’s own engine_connect events are in the history, one per node', async (t) => {
  if (!m) return t.skip('no engines');
  const out = await m.docker.ok([
    'events',
    '--since',
    '0',
    '--until',
    unixTime(Date.now()),
    '--filter',
    'type=swarm',
    '--format',
    '{{.Action}} {{index .Actor.Attributes "node.name"}} {{.From}}',
  ]);
  assert.deepEqual(lines(out).sort(), nodes.map((n) => `engine_connect ${n} swarm node:${n}`).sort());
});
