// The hijacked streams through the manager: docker exec with and without -i (stdin piped and half-closed), exec -d,
// exec options, attach to a running container, start -a, and run -i with piped stdin, on containers of both nodes.
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

const prefix = uniquePrefix('exec');
const STOPPABLE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];
let m: TestManager | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
  // One long-running container per node, so every exec test covers both engines.
  for (const [i, node] of nodes.entries()) {
    await m.docker.ok([
      'run',
      '-d',
      '--name',
      `${prefix}box${i}`,
      '-e',
      `constraint:node==${node}`,
      'busybox',
      ...STOPPABLE,
    ]);
  }
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

const boxes = () => nodes.map((_, i) => `${prefix}box${i}`);

test('exec without -i prints stdout and stderr apart and returns the exit code', async (t) => {
  if (!m) return t.skip('no engines');
  const docker = m.docker;
  for (const box of boxes()) {
    const result = await docker(['exec', box, 'sh', '-c', 'echo out; echo err >&2; exit 4']);
    assert.equal(result.code, 4, box);
    assert.equal(result.stdout, 'out\n', box);
    assert.equal(result.stderr, 'err\n', box);
  }
});

test('exec -i passes piped stdin and ends when stdin ends', async (t) => {
  if (!m) return t.skip('no engines');
  const docker = m.docker;
  for (const box of boxes()) {
    const echoed = await docker(['exec', '-i', box, 'cat'], { input: 'x\n', timeoutMs: 15_000 });
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.equal(echoed.stdout, 'x\n');
  }
  // A larger input arrives whole, and the command sees the end of it.
  const big = 'abcdefghij'.repeat(50_000);
  const counted = await m.docker(['exec', '-i', boxes()[1]!, 'sh', '-c', 'wc -c; echo done; exit 2'], {
    input: big,
    timeoutMs: 20_000,
  });
  assert.equal(counted.code, 2, counted.stderr);
  assert.deepEqual(counted.stdout.split(/\s+/).filter(Boolean), [String(big.length), 'done']);
});

test('exec honours -e, -w and -u, and -d runs in the background', async (t) => {
  if (!m) return t.skip('no engines');
  const box = boxes()[0]!;
  const out = await m.docker.ok([
    'exec',
    '-e',
    'GREETING=hello',
    '-w',
    '/tmp',
    '-u',
    '1234',
    box,
    'sh',
    '-c',
    'echo $GREETING $(pwd) $(id -u)',
  ]);
  assert.equal(out, 'hello /tmp 1234');
  assert.equal(await m.docker.ok(['exec', '-d', box, 'sh', '-c', 'sleep 0.3; echo later > /tmp/bg']), '');
  const written = await eventually(
    async () => (await m!.docker(['exec', box, 'cat', '/tmp/bg'])).stdout.trim(),
    10_000,
    200,
  );
  assert.equal(written, 'later');
});

test('exec on a missing or stopped container fails with the daemon message', async (t) => {
  if (!m) return t.skip('no engines');
  const missing = await m.docker(['exec', `${prefix}nosuch`, 'true']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such container/);
  await m.docker(['run', '--name', `${prefix}done`, 'busybox', 'true']);
  const stopped = await m.docker(['exec', `${prefix}done`, 'true']);
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stderr, /is not running/);
  assert.equal(await m.docker.ok(['exec', boxes()[0]!, 'echo', 'still fine']), 'still fine');
});

test('attach to a running container shows its output as it comes and its exit code', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}ticker`;
  const counter = 'i=0; trap "exit 5" TERM; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done';
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    name,
    '-e',
    `constraint:node==${nodes[1]}`,
    'busybox',
    'sh',
    '-c',
    counter,
  ]);
  // Some output before the attach, which an attach (unlike logs) does not replay.
  const before = await eventually(async () => {
    const logged = [...(await m!.docker.ok(['logs', name])).matchAll(/tick (\d+)/g)].map((x) => Number(x[1]));
    return logged.length >= 3 ? logged[logged.length - 1] : undefined;
  });
  const attached = m.docker.start(['attach', '--sig-proxy=false', name]);
  try {
    const seen = await attached.waitFor(/tick \d+\n(.|\n)*tick \d+\n(.|\n)*tick \d+\n/);
    const ticks = [...seen.matchAll(/tick (\d+)/g)].map((x) => Number(x[1]));
    assert.ok(ticks[0]! > before!, `attach replayed output from before it (${before}): ${ticks.join(',')}`);
    ticks.forEach((n, i) => i && assert.equal(n, ticks[i - 1]! + 1, `ticks arrive in order: ${ticks.join(',')}`));
    await m.docker.ok(['stop', name]);
    const end = await Promise.race([
      attached.exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
    ]);
    assert.ok(end, 'attach must end when the container stops');
    assert.equal(end.code, 5);
  } finally {
    await attached.stop();
  }
});

test('start -a attaches before the start; run -i takes piped stdin', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}created`;
  await m.docker.ok(['create', '--name', name, 'busybox', 'sh', '-c', 'echo started; echo oops >&2; exit 6']);
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.State.Status}}', name]), 'created');
  const started = await m.docker(['start', '-a', name]);
  assert.equal(started.code, 6);
  assert.equal(started.stdout, 'started\n');
  assert.equal(started.stderr, 'oops\n');

  const piped = await m.docker(
    ['run', '-i', '--rm', '--name', `${prefix}cat`, 'busybox', 'sh', '-c', 'cat; echo end'],
    {
      input: 'one\ntwo\n',
      timeoutMs: 20_000,
    },
  );
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, 'one\ntwo\nend\n');
  assert.equal(await m.docker.ok(['ps', '-aq', '--filter', `name=${prefix}cat`]), '', '--rm removed it');
});
