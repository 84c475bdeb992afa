// The installed command, `bin/mesoswarm`, as a user runs it: --version, --help, manage --help, start-up refusals
// that name the offending flag or key (misspelt or unparsable --cluster-opt, flags not built yet), and a real
// `manage` serving the Docker API over both engines until SIGTERM.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needEngines, ENGINES } from '../helpers/services.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { eventually } from '../helpers/manager.js';
import { within } from '../helpers/deadline.js';
import { freePort, request } from '../helpers/http.js';
import { bin, ensureBuilt, headCommit, mesoswarm, root } from '../helpers/built-cli.js';

const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

before(ensureBuilt);

/** A start-up that must fail: exit 1 with stderr matching every pattern. */
async function refusesToStart(args: string[], ...patterns: RegExp[]): Promise<void> {
  const result = await mesoswarm(['manage', ...args]);
  assert.equal(result.code, 1, `mesoswarm manage ${args.join(' ')} should exit 1\n${result.stderr}`);
  for (const pattern of patterns) assert.match(result.stderr, pattern);
}

test('-v and --version print classic Swarm’s line with the commit; --help lists manage', async () => {
  // A checkout's build knows its commit: the one git names (with -dirty when tracked files changed since).
  const commit = headCommit();
  for (const flag of ['-v', '--version']) {
    const v = await mesoswarm([flag]);
    assert.equal(v.code, 0);
    assert.match(
      v.stdout.trim(),
      new RegExp(`^mesoswarm version ${version.replace(/\./g, '\\.')} \\((\\w+)(-dirty)?\\)$`),
    );
    assert.equal(/\((\w+)/.exec(v.stdout)?.[1], commit, 'the commit is the checkout’s');
  }
  const help = await mesoswarm(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: mesoswarm /);
  assert.match(help.stdout, /\n\s+manage \[options\] \[discovery\]/);
  assert.match(help.stdout, /--log-level/);
});

test('manage --help lists classic swarm manage’s flags', async () => {
  const help = await mesoswarm(['manage', '--help']);
  assert.equal(help.code, 0);
  for (const flag of [
    '-H, --host',
    '--strategy',
    '-f, --filter',
    '-c, --cluster-driver',
    '--cluster-opt',
    '--heartbeat',
    '--engine-refresh-min-interval',
    '--engine-failure-retry',
    '--tlsverify',
    '--replication',
    '--advertise, --addr',
  ]) {
    assert.ok(help.stdout.includes(flag), `manage --help lacks ${flag}`);
  }
});

test('a misspelt or unknown --cluster-opt stops start-up, naming the key', async () => {
  await Promise.all([
    refusesToStart(
      ['-H', 'tcp://127.0.0.1:0', '--cluster-opt', 'swarm.overcomit=0.1', ENGINES.join(',')],
      /unknown --cluster-opt "swarm\.overcomit"/,
      /did you mean "swarm\.overcommit"/,
    ),
    refusesToStart(['--cluster-opt', 'nonsense.key=1', ENGINES.join(',')], /unknown --cluster-opt "nonsense\.key"/),
    refusesToStart(
      ['--cluster-opt', 'swarm.overcommit', ENGINES.join(',')],
      /invalid --cluster-opt "swarm\.overcommit": expected key=value/,
    ),
    refusesToStart(
      ['--cluster-opt', 'mesos.user=root', ENGINES.join(',')],
      /"mesos\.user" belongs to the mesos-experimental driver/,
    ),
  ]);
});

test('an unparsable value stops start-up, naming the key or flag and the value', async () => {
  await Promise.all([
    refusesToStart(
      ['--cluster-opt', 'swarm.overcommit=lots', ENGINES.join(',')],
      /invalid value "lots" for --cluster-opt swarm\.overcommit: expected a number/,
    ),
    refusesToStart(
      ['--cluster-opt', 'swarm.overcommit=-2', ENGINES.join(',')],
      /swarm\.overcommit should be larger than -1, -2\.000000 is invalid/,
    ),
    refusesToStart(
      ['--cluster-opt', 'swarm.createretry=1.5', ENGINES.join(',')],
      /swarm\.createretry: expected an integer/,
    ),
    refusesToStart(['--heartbeat', '30', ENGINES.join(',')], /invalid --heartbeat "30"/),
    refusesToStart(
      ['--engine-refresh-min-interval', 'soon', ENGINES.join(',')],
      /invalid --engine-refresh-min-interval "soon"/,
    ),
    refusesToStart(
      ['--engine-failure-retry', '0', ENGINES.join(',')],
      /invalid failure retry count: --engine-failure-retry "0"/,
    ),
    refusesToStart(
      ['--engine-refresh-min-interval', '0s', ENGINES.join(',')],
      /min refresh interval should be a positive number/,
    ),
    refusesToStart(['-H', 'tcp://127.0.0.1:99999', ENGINES.join(',')], /port out of range/),
    refusesToStart(['-c', 'kubernetes', ENGINES.join(',')], /argument 'kubernetes' is invalid/),
    refusesToStart(['--bogus'], /unknown option '--bogus'/),
  ]);
});

test('replication and discovery flags that cannot work stop start-up with a message saying why', async () => {
  await Promise.all([
    refusesToStart(
      ['--replication', '--advertise', '127.0.0.1:4375', ENGINES.join(',')],
      /leader election needs ZooKeeper: with --replication the swarm driver takes a zk:\/\/host:2181\/path discovery/,
    ),
    refusesToStart(['--replication', 'zk://127.0.0.1:2181/swarm'], /--replication needs --advertise host:port/),
    refusesToStart(['--advertise', '127.0.0.1:4375', ENGINES.join(',')], /--advertise needs --replication/),
    refusesToStart(
      ['-c', 'mesos-experimental', '--replication', '--advertise', '127.0.0.1:4375', '127.0.0.1:5050'],
      /leader election needs ZooKeeper: .*mesos\.zk=zk:\/\/host:2181/,
    ),
    refusesToStart(['--discovery-opt', 'kv.path=x', ENGINES.join(',')], /--discovery-opt.*is not supported: zk:\/\//),
    refusesToStart(
      ['-H', 'tcp://127.0.0.1:0', 'consul://127.0.0.1:8500/swarm'],
      /consul:\/\/ discovery is not supported/,
    ),
    refusesToStart(['-H', 'tcp://127.0.0.1:0', 'token://abc'], /token:\/\/ discovery was retired/),
  ]);
});

/** Starts `bin/mesoswarm manage …` in the background. */
function startManage(args: string[]) {
  const child = spawn(bin, ['manage', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stderr: () => stderr, exited };
}

test('manage -H (tcp and unix) serves the Docker API over the engines until SIGTERM', async (t) => {
  if (!(await needEngines(t))) return;
  const port = await freePort();
  const host = `tcp://127.0.0.1:${port}`;
  const socket = join(tmpdir(), `mst-cli-${process.pid}.sock`);
  const manager = startManage([
    '-H',
    host,
    '-H',
    `unix://${socket}`,
    '--strategy',
    'binpack',
    '--engine-refresh-min-interval',
    '5s',
    ENGINES.join(','),
  ]);
  try {
    const ping = await eventually(
      () => request(host, 'GET', '/_ping', { timeoutMs: 1000 }).catch(() => undefined),
      15_000,
      100,
    );
    assert.equal(ping.text, 'OK');
    const docker = dockerCli(host);
    const status = JSON.parse(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][];
    assert.deepEqual(status.slice(0, 4), [
      ['Role', 'primary'],
      ['Strategy', 'binpack'],
      ['Filters', 'health, port, containerslots, dependency, affinity, constraint, whitelist'],
      ['Nodes', String(ENGINES.length)],
    ]);
    assert.equal((await docker(['ps', '-a'])).code, 0);
    assert.match(
      await dockerCli(`unix://${socket}`).ok(['version', '--format', '{{.Server.Version}}']),
      /^mesoswarm\//,
    );
    assert.equal(statSync(socket).mode & 0o777, 0o660, 'the socket is for root and the docker group');
    assert.match(manager.stderr(), /"msg":"manager ready"/);
  } finally {
    manager.child.kill('SIGTERM');
  }
  const code = await Promise.race([manager.exited, new Promise((r) => setTimeout(() => r('hung'), within(10_000)))]);
  if (code === 'hung') manager.child.kill('SIGKILL');
  assert.equal(code, 0, `SIGTERM must stop the manager cleanly\n${manager.stderr()}`);
  await assert.rejects(request(host, 'GET', '/_ping', { timeoutMs: 1000 }), 'nothing listens after the shutdown');
  assert.equal(existsSync(socket), false, 'the socket file is gone with the manager');
});

test('manage -H tcp://127.0.0.1:0 serves on a port the OS picks, and says which', async (t) => {
  if (!(await needEngines(t))) return;
  const manager = startManage(['-H', 'tcp://127.0.0.1:0', ENGINES.join(',')]);
  try {
    const ready = await eventually(
      () => (/"msg":"manager ready"/.test(manager.stderr()) ? manager.stderr() : undefined),
      15_000,
      100,
    );
    const port = /"listen":\["tcp:\/\/127\.0\.0\.1:(\d+)"\]/.exec(ready)?.[1];
    assert.ok(port && port !== '0', `the ready line names the bound port: ${ready}`);
    assert.equal((await request(`tcp://127.0.0.1:${port}`, 'GET', '/_ping')).text, 'OK');
  } finally {
    manager.child.kill('SIGTERM');
    await manager.exited;
  }
});

test('SIGTERM stops the manager even when its log reader has gone away', async (t) => {
  if (!(await needEngines(t))) return;
  const port = await freePort();
  const host = `tcp://127.0.0.1:${port}`;
  const manager = startManage(['-H', host, ENGINES.join(',')]);
  try {
    await eventually(() => request(host, 'GET', '/_ping', { timeoutMs: 1000 }).catch(() => undefined), 15_000, 100);
    // Like `mesoswarm manage … 2>&1 | head`: the pipe's reader exits, later log lines hit a broken pipe.
    manager.child.stderr.destroy();
    await request(host, 'GET', '/v1.41/info');
  } finally {
    manager.child.kill('SIGTERM');
  }
  const code = await Promise.race([manager.exited, new Promise((r) => setTimeout(() => r('hung'), within(10_000)))]);
  if (code === 'hung') manager.child.kill('SIGKILL');
  assert.notEqual(code, 'hung', 'the manager must exit on SIGTERM');
});
