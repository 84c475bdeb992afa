// Restart policies in the native driver are dockerd's own: the manager passes them to the engine and shows what the
// engine does. Through the manager with the real docker CLI and docker-compose: `on-failure:3` restarts exactly three
// times, `docker stop` ends an `always` container for good (while a twin that exits by itself keeps being
// restarted), and compose's `restart: always` reaches the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { IN_CI } from '../helpers/services.js';
import { eventually } from '../helpers/manager.js';
import { composeSuite } from '../helpers/compose-suite.js';

const suite = composeSuite('restart');
const { prefix, hasCompose, compose } = suite;

async function state(name: string): Promise<{ Status: string; ExitCode: number; RestartCount: number }> {
  const out = await suite.m!.docker.ok([
    'inspect',
    '--format',
    '{{json .State.Status}} {{.State.ExitCode}} {{.RestartCount}}',
    name,
  ]);
  const [status, code, count] = out.split(' ');
  return { Status: JSON.parse(status!) as string, ExitCode: Number(code), RestartCount: Number(count) };
}

test('on-failure:3 restarts a failing container exactly three times, then leaves it exited', async (t) => {
  if (!suite.m) return t.skip('no engines');
  const name = `${prefix}onfail`;
  await suite.m.docker.ok(['run', '-d', '--name', name, '--restart', 'on-failure:3', 'busybox', 'sh', '-c', 'exit 1']);
  // Docker's back-off: 100, 200, 400 ms between the restarts, so the last exit is within a few seconds.
  const done = await eventually(async () => {
    const s = await state(name);
    return s.Status === 'exited' && s.RestartCount === 3 ? s : undefined;
  }, 20_000);
  assert.equal(done.ExitCode, 1);
  assert.equal(
    await suite.m.docker.ok([
      'inspect',
      '--format',
      '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}',
      name,
    ]),
    'on-failure:3',
  );
  // `docker ps -a` through the manager shows the exit, not a restart in progress.
  assert.match(
    await suite.m.docker.ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}']),
    /^Exited \(1\) /,
  );
});

test('docker stop ends an always container for good; a twin that exits by itself keeps restarting', async (t) => {
  if (!suite.m) return t.skip('no engines');
  const stopped = `${prefix}always-stopped`;
  const twin = `${prefix}always-twin`;
  await suite.m.docker.ok(['run', '-d', '--name', stopped, '--restart', 'always', 'busybox', 'sleep', '300']);
  await suite.m.docker.ok([
    'run',
    '-d',
    '--name',
    twin,
    '--restart',
    'always',
    '-e',
    `affinity:container==${stopped}`,
    'busybox',
    'sh',
    '-c',
    'sleep 0.5; exit 2',
  ]);
  await suite.m.docker.ok(['stop', '-t', '1', stopped]);
  const from = (await state(twin)).RestartCount;
  // The twin, on the same engine under the same policy, is restarted twice more by dockerd meanwhile.
  await eventually(async () => (await state(twin)).RestartCount >= from + 2, 30_000);
  const after = await state(stopped);
  assert.equal(after.Status, 'exited');
  assert.equal(after.RestartCount, 0);
  assert.equal(await suite.m.docker.ok(['ps', '-q', '--filter', `name=${stopped}`]), '');
  // `docker start` resumes it, still under its policy.
  await suite.m.docker.ok(['start', stopped]);
  assert.equal((await state(stopped)).Status, 'running');
});

test('compose restart: always reaches the engine, which restarts the service', async (t) => {
  if (!suite.m) return t.skip('no engines');
  if (!hasCompose) {
    if (IN_CI) throw new Error('CI=true and docker-compose is not installed');
    return t.skip('docker-compose is not installed');
  }
  await writeFile(
    suite.composeFile(),
    `version: "2.4"
services:
  flaky:
    image: busybox
    restart: always
    command: ["sh", "-c", "sleep 0.5; exit 3"]
`,
  );
  const up = await compose(['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  const id = await eventually(async () => (await compose(['ps', '-q'])).stdout.trim());
  assert.equal(await suite.m.docker.ok(['inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}', id]), 'always');
  await eventually(async () => (await state(id)).RestartCount >= 2, 30_000);
});
