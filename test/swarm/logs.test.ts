// docker logs through the manager: stdout and stderr kept apart, --timestamps, --tail, --since/--until, and
// logs -f on a container that is still printing (new lines arrive as they are written; the command ends by itself
// when the container exits).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import {
  startTestManager,
  removeContainersNamed,
  uniquePrefix,
  eventually,
  type TestManager,
} from '../helpers/manager.js';
import { engineNames } from '../helpers/nodes.js';

const prefix = uniquePrefix('logs');
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

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/;

test('logs keeps stdout and stderr apart; --tail and --timestamps', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}plain`;
  const run = await m.docker([
    'run',
    '--name',
    name,
    '-e',
    `constraint:node==${nodes[1]}`,
    'busybox',
    'sh',
    '-c',
    'echo a; echo b >&2; sleep 0.2; echo c; echo d',
  ]);
  assert.equal(run.code, 0, run.stderr);
  // (stdout and stderr are separate pipes: without the pause, the daemon may log `b` after `c`, and --tail counts both)
  const all = await m.docker(['logs', name]);
  assert.equal(all.code, 0);
  assert.equal(all.stdout, 'a\nc\nd\n');
  assert.equal(all.stderr, 'b\n');
  assert.equal((await m.docker(['logs', '--tail', '2', name])).stdout, 'c\nd\n');
  assert.equal((await m.docker(['logs', '--tail', '0', name])).stdout, '');
  const stamped = (await m.docker.ok(['logs', '-t', name])).split('\n');
  assert.equal(stamped.length, 3);
  const stamps = stamped.map((line) => line.split(' '));
  stamps.forEach(([stamp, text], i) => {
    assert.match(stamp!, RFC3339_NANO);
    assert.equal(text, ['a', 'c', 'd'][i]);
  });
  // Also by <node>/<name>; and -f on a container that already ended prints everything and ends at once.
  assert.equal((await m.docker(['logs', `${nodes[1]}/${name}`])).stdout, 'a\nc\nd\n');
  const followed = await m.docker(['logs', '-f', name], { timeoutMs: 10_000 });
  assert.equal(followed.code, 0);
  assert.equal(followed.stdout, 'a\nc\nd\n');
});

test('logs --since and --until cut by time', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}timed`;
  await m.docker.ok(['run', '--name', name, 'busybox', 'sh', '-c', 'echo early; sleep 2; echo late']);
  const stamped = (await m.docker.ok(['logs', '-t', name])).split('\n').map((line) => line.split(' '));
  assert.deepEqual(
    stamped.map(([, text]) => text),
    ['early', 'late'],
  );
  const early = Date.parse(stamped[0]![0]!);
  const between = new Date(early + 1000).toISOString();
  assert.equal((await m.docker(['logs', '--since', between, name])).stdout, 'late\n');
  assert.equal((await m.docker(['logs', '--until', between, name])).stdout, 'early\n');
  assert.equal(
    (await m.docker(['logs', '--since', String(Math.floor(early / 1000) - 60), name])).stdout,
    'early\nlate\n',
  );
});

test('logs -f follows a container that is still printing and ends when it exits', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}follow`;
  const script = 'i=0; while [ $i -lt 15 ]; do i=$((i+1)); echo line $i; sleep 0.2; done; echo bye >&2; exit 3';
  await m.docker.ok(['run', '-d', '--name', name, '-e', `constraint:node==${nodes[0]}`, 'busybox', 'sh', '-c', script]);
  const follow = m.docker.start(['logs', '-f', name]);
  try {
    const early = await follow.waitFor(/line 2\n/);
    assert.doesNotMatch(early, /line 15/, 'the container was still printing when the follow started');
    const end = await Promise.race([
      follow.exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000)),
    ]);
    assert.ok(end, 'logs -f must end when the container exits');
    assert.equal(end.code, 0);
    assert.equal(end.stdout, Array.from({ length: 15 }, (_, i) => `line ${i + 1}\n`).join(''));
    assert.equal(end.stderr, 'bye\n');
  } finally {
    await follow.stop();
  }
});

test('logs -f --tail shows the last lines, then new ones; the client may leave at any time', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}endless`;
  const script = 'i=0; trap "exit 0" TERM; while :; do i=$((i+1)); echo n $i; sleep 0.2; done';
  await m.docker.ok(['run', '-d', '--name', name, '-e', `constraint:node==${nodes[1]}`, 'busybox', 'sh', '-c', script]);
  await eventually(async () => /^n 5$/m.test(await m!.docker.ok(['logs', name])));
  const follow = m.docker.start(['logs', '-f', '--tail', '2', name]);
  let seen: number[] = [];
  try {
    const text = await follow.waitFor(/(n \d+\n){5}/);
    seen = [...text.matchAll(/n (\d+)/g)].map((x) => Number(x[1]));
  } finally {
    await follow.stop(); // the client goes away mid-stream
  }
  assert.ok(seen[0]! >= 4, `--tail 2 starts near the end, not at n 1: ${seen.join(',')}`);
  seen.forEach((n, i) => i && assert.equal(n, seen[i - 1]! + 1, seen.join(',')));
  // The manager let go of the abandoned stream and still serves.
  await m.docker.ok(['stop', name]);
  assert.match(await m.docker.ok(['logs', '--tail', '1', name]), /^n \d+$/);
});

test('logs of a missing container fails with No such container', async (t) => {
  if (!m) return t.skip('no engines');
  for (const args of [['logs'], ['logs', '-f']]) {
    const result = await m.docker([...args, `${prefix}nosuch`], { timeoutMs: 10_000 });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /No such container/);
  }
});
