// Docker health checks through the native driver, as Docker shows them: `docker ps` `(healthy)`, `(unhealthy)`,
// `(health: starting)`, `--filter health=…`, `State.Health` with its log in inspect, `health_status: …` events, and
// compose's `depends_on: condition: service_healthy`. A container with a restart policy that turns unhealthy is
// restarted on its engine by the manager (swarm mode replaces such a task; dockerd alone leaves it running); one
// without a policy stays, shown unhealthy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { IN_CI } from '../helpers/services.js';
import { eventually } from '../helpers/manager.js';
import { composeSuite } from '../helpers/compose-suite.js';
import { pastEvents } from '../helpers/docker-cli.js';

const suite = composeSuite('hc');
const { prefix, hasCompose, compose } = suite;
const lines = (text: string) => text.split('\n').filter(Boolean);

const eventsSince = (sinceMs: number, filters: string[], format: string) =>
  pastEvents(suite.m!.docker, sinceMs, filters, format);

const health = (name: string) => suite.m!.docker.ok(['inspect', '--format', '{{.State.Health.Status}}', name]);

test('ps, filters, inspect and events show each health state', async (t) => {
  if (!suite.m) return t.skip('no engines');
  const since = Date.now();
  const run = (name: string, ...args: string[]) =>
    suite.m!.docker.ok(['run', '-d', '--name', `${prefix}${name}`, ...args, 'busybox', 'sleep', '300']);
  await run('healthy', '--health-cmd', 'true', '--health-interval', '1s');
  await run('sick', '--health-cmd', 'echo failing; exit 1', '--health-interval', '1s', '--health-retries', '1');
  // The first check runs one interval after the start: an hour of `starting`.
  await run('starting', '--health-cmd', 'true', '--health-interval', '1h');
  await run('none');

  const status = async () =>
    new Map(
      lines(await suite.m!.docker.ok(['ps', '--filter', `name=${prefix}`, '--format', '{{.Names}}\t{{.Status}}'])).map(
        (line) => {
          const [names, text] = line.split('\t') as [string, string];
          return [names.replace(/^.*\//, '').slice(prefix.length), text];
        },
      ),
    );
  const shown = await eventually(async () => {
    const s = await status();
    return s.get('healthy')?.endsWith('(healthy)') && s.get('sick')?.endsWith('(unhealthy)') ? s : undefined;
  }, 20_000);
  assert.match(shown.get('starting') ?? '', /^Up .* \(health: starting\)$/);
  assert.match(shown.get('none') ?? '', /^Up [^(]*$/);

  const filtered = async (value: string) =>
    lines(
      await suite.m!.docker.ok([
        'ps',
        '--filter',
        `name=${prefix}`,
        '--filter',
        `health=${value}`,
        '--format',
        '{{.Names}}',
      ]),
    ).map((n) => n.replace(/^.*\//, '').slice(prefix.length));
  assert.deepEqual(await filtered('healthy'), ['healthy']);
  assert.deepEqual(await filtered('unhealthy'), ['sick']);
  assert.deepEqual(await filtered('starting'), ['starting']);
  assert.deepEqual(await filtered('none'), ['none']);
  const bad = await suite.m.docker(['ps', '--filter', 'health=sickly']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Unrecognised filter value for health: sickly/);

  const sick = JSON.parse(
    await suite.m.docker.ok(['inspect', '--format', '{{json .State.Health}}', `${prefix}sick`]),
  ) as {
    Status: string;
    FailingStreak: number;
    Log: { ExitCode: number; Output: string }[];
  };
  assert.equal(sick.Status, 'unhealthy');
  assert.ok(sick.FailingStreak >= 1);
  assert.equal(sick.Log.at(-1)?.ExitCode, 1);
  assert.match(sick.Log.at(-1)?.Output ?? '', /failing/);

  const events = (await eventsSince(since, ['event=health_status'], '{{.Actor.Attributes.name}} {{.Action}}')).filter(
    (line) => line.startsWith(prefix),
  );
  assert.ok(events.includes(`${prefix}healthy health_status: healthy`), events.join('\n'));
  assert.ok(events.includes(`${prefix}sick health_status: unhealthy`), events.join('\n'));
});

test('an unhealthy container with a restart policy is restarted on its engine; one without stays unhealthy', async (t) => {
  if (!suite.m) return t.skip('no engines');
  // Each removes its marker when it starts: unhealthy once the test touches /tmp/bad, healthy again after a restart.
  const command = ['sh', '-c', 'rm -f /tmp/bad; exec sleep 300'];
  const check = [
    '--health-cmd',
    'test ! -f /tmp/bad',
    '--health-interval',
    '1s',
    '--health-retries',
    '1',
    // sleep as PID 1 ignores SIGTERM: the restart would wait out the default 10 s.
    '--stop-timeout',
    '1',
  ];
  const kept = `${prefix}kept`;
  const left = `${prefix}left`;
  await suite.m.docker.ok([
    'run',
    '-d',
    '--name',
    kept,
    '--restart',
    'unless-stopped',
    ...check,
    'busybox',
    ...command,
  ]);
  await suite.m.docker.ok(['run', '-d', '--name', left, ...check, 'busybox', ...command]);
  await eventually(async () => (await health(kept)) === 'healthy' && (await health(left)) === 'healthy', 20_000);
  const started = async (name: string) => suite.m!.docker.ok(['inspect', '--format', '{{.State.StartedAt}}', name]);
  const keptStart = await started(kept);
  const leftStart = await started(left);
  const since = Date.now();
  await suite.m.docker.ok(['exec', left, 'touch', '/tmp/bad']);
  await suite.m.docker.ok(['exec', kept, 'touch', '/tmp/bad']);

  // The manager restarts `kept` on its unhealthy report; it starts fresh (marker gone) and turns healthy again.
  await eventually(async () => (await started(kept)) !== keptStart && (await health(kept)) === 'healthy', 30_000);
  assert.equal(await suite.m.docker.ok(['inspect', '--format', '{{.State.Status}}', kept]), 'running');
  // `left`, turned unhealthy first, is never touched.
  assert.equal(await health(left), 'unhealthy');
  assert.equal(await started(left), leftStart);
  assert.match(
    await suite.m.docker.ok(['ps', '--filter', `name=${left}`, '--format', '{{.Status}}']),
    /^Up .* \(unhealthy\)$/,
  );

  const events = await eventsSince(since, [`container=${kept}`], '{{.Type}} {{.Action}}');
  assert.ok(events.includes('container health_status: unhealthy'), events.join('\n'));
  assert.ok(events.includes('container health_restart'), events.join('\n'));
  assert.ok(events.includes('container restart'), events.join('\n'));
  assert.ok(events.indexOf('container health_restart') < events.lastIndexOf('container restart'), events.join('\n'));
});

test('on-failure:N gives up after N restarts for health; always goes on', async (t) => {
  if (!suite.m) return t.skip('no engines');
  // The marker survives a restart: both stay unhealthy after each one.
  const check = ['--health-cmd', 'test ! -f /tmp/bad', '--health-interval', '1s', '--health-retries', '1'];
  const capped = `${prefix}capped`;
  const always = `${prefix}always`;
  for (const [name, policy] of [
    [capped, 'on-failure:1'],
    [always, 'always'],
  ] as const) {
    await suite.m.docker.ok([
      'run',
      '-d',
      '--name',
      name,
      '--restart',
      policy,
      ...check,
      '--stop-timeout',
      '1',
      'busybox',
      'sleep',
      '300',
    ]);
  }
  await eventually(async () => (await health(capped)) === 'healthy' && (await health(always)) === 'healthy', 20_000);
  const since = Date.now();
  await suite.m.docker.ok(['exec', capped, 'touch', '/tmp/bad']);
  await suite.m.docker.ok(['exec', always, 'touch', '/tmp/bad']);
  const restarts = async () => {
    const out = await eventsSince(since, ['event=health_restart'], '{{.Actor.Attributes.name}}');
    return { capped: out.filter((n) => n === capped).length, always: out.filter((n) => n === always).length };
  };
  // `always` is restarted three times meanwhile, each after it turned unhealthy again.
  const seen = await eventually(async () => {
    const count = await restarts();
    return count.always >= 3 ? count : undefined;
  }, 60_000);
  assert.equal(seen.capped, 1);
  assert.equal(await health(capped), 'unhealthy');
  assert.equal(await suite.m.docker.ok(['inspect', '--format', '{{.State.Status}}', capped]), 'running');
});

test('compose depends_on condition: service_healthy starts the dependant once the dependency is healthy', async (t) => {
  if (!suite.m) return t.skip('no engines');
  if (!hasCompose) {
    if (IN_CI) throw new Error('CI=true and docker-compose is not installed');
    return t.skip('docker-compose is not installed');
  }
  await writeFile(
    suite.composeFile(),
    `version: "2.4"
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 300"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
  app:
    image: busybox
    command: ["sleep", "300"]
    depends_on:
      db:
        condition: service_healthy
`,
  );
  const up = await compose(['up', '-d']);
  assert.equal(up.code, 0, up.stderr);
  const id = async (service: string) => (await compose(['ps', '-q', service])).stdout.trim();
  const db = JSON.parse(await suite.m.docker.ok(['inspect', '--format', '{{json .State.Health}}', await id('db')])) as {
    Status: string;
    Log: { End: string; ExitCode: number }[];
  };
  assert.equal(db.Status, 'healthy');
  const firstHealthy = db.Log.find((entry) => entry.ExitCode === 0)!;
  const appStarted = await suite.m.docker.ok(['inspect', '--format', '{{.State.StartedAt}}', await id('app')]);
  assert.ok(
    Date.parse(appStarted) >= Date.parse(firstHealthy.End),
    `app started at ${appStarted}, before db's first healthy check ended at ${firstHealthy.End}`,
  );
});
