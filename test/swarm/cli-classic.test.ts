// Classic Swarm's command-line habits on the installed `bin/mesoswarm`: every long flag also spelt with one dash
// (Go's flag package took both, and users' scripts are written that way), unknown single-dash words refused by
// name, `mesoswarm list <discovery>`, and `-v` naming the commit in an installed copy too (a copy outside any
// checkout, reading the stamp the build wrote) or "unknown" when nothing says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needEngines, ENGINES } from '../helpers/services.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { eventually } from '../helpers/manager.js';
import { freePort, request } from '../helpers/http.js';
import { bin, ensureBuilt, headCommit, mesoswarm, root, runBinary } from '../helpers/built-cli.js';
import { startMesosSim, type MesosSim } from '../mesos-sim/index.js';
import { engineAgents } from '../helpers/mesos.js';

before(ensureBuilt);

const scratch = mkdtempSync(join(tmpdir(), 'mst-cli-classic-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The long flags a `--help` lists, with a value for each one that takes one. */
function longFlags(help: string): { flag: string; value: string | undefined }[] {
  const out: { flag: string; value: string | undefined }[] = [];
  for (const line of help.split('\n')) {
    const option = /^\s+(?:-\w, )?(--[\w-]+)(?:, (--[\w-]+))?(?: <([^>]+)>)?/.exec(line);
    if (!option) continue;
    const value = option[3];
    for (const flag of [option[1]!, option[2]].filter(Boolean) as string[]) {
      out.push({ flag, value: value === undefined ? undefined : sampleValue(flag, value) });
    }
  }
  return out;
}

function sampleValue(flag: string, placeholder: string): string {
  if (flag === '--strategy') return 'binpack';
  if (flag === '--filter') return 'health';
  if (flag === '--cluster-driver') return 'swarm';
  if (flag === '--cluster-opt') return 'swarm.overcommit=0.1';
  if (flag === '--log-level') return 'warn';
  const byPlaceholder: Record<string, string> = {
    duration: '2s',
    n: '3',
    address: 'tcp://127.0.0.1:0',
    'key=value': 'kv.path=x',
    path: '/nonexistent/file',
    'host:port': '127.0.0.1:1',
    name: 'web',
  };
  return byPlaceholder[placeholder] ?? 'x';
}

/** What a run printed, without what differs between two runs of the same thing (log times). */
const normalized = (ran: { code: number | null; stdout: string; stderr: string }) =>
  JSON.stringify({ code: ran.code, out: ran.stdout, err: ran.stderr.replace(/"time":\d+/g, '') });

test('every long flag, manage’s and the top level’s, means the same with one dash as with two', async () => {
  const topHelp = (await mesoswarm(['--help'])).stdout;
  const manageHelp = (await mesoswarm(['manage', '--help'])).stdout;
  const top = longFlags(topHelp);
  const manage = longFlags(manageHelp);
  assert.ok(top.some((f) => f.flag === '--log-level') && top.some((f) => f.flag === '--version'));
  assert.ok(manage.length >= 25, `manage --help lists its flags: ${manage.map((f) => f.flag).join(' ')}`);
  // An unsupported discovery ends every manage start-up right after the flags are read, so each run ends at once.
  const cases: string[][][] = [
    ...top.map(({ flag, value }) => {
      const tail = flag === '--help' || flag === '--version' ? [] : ['list', 'nodes://127.0.0.1:2375'];
      return [
        [flag, ...(value ? [value] : []), ...tail],
        [flag.slice(1), ...(value ? [value] : []), ...tail],
      ];
    }),
    ...manage.map(({ flag, value }) => {
      const args = (f: string) => ['manage', f, ...(value ? [value] : []), 'bogus://x'];
      return [args(flag), args(flag.slice(1))];
    }),
  ];
  for (let i = 0; i < cases.length; i += 6) {
    await Promise.all(
      cases.slice(i, i + 6).map(async ([double, single]) => {
        const [a, b] = await Promise.all([mesoswarm(double!), mesoswarm(single!)]);
        assert.doesNotMatch(b.stderr, /unknown option/, `${single!.join(' ')}: ${b.stderr}`);
        assert.equal(normalized(b), normalized(a), `${single!.join(' ')} differs from ${double!.join(' ')}`);
      }),
    );
  }
  // Go's `-flag=value` as well as `-flag value`.
  const [eq, spaced] = await Promise.all([
    mesoswarm(['manage', '-heartbeat=30', 'bogus://x']),
    mesoswarm(['manage', '-heartbeat', '30', 'bogus://x']),
  ]);
  assert.match(eq.stderr, /invalid --heartbeat "30"/);
  assert.equal(normalized(eq), normalized(spaced));
});

test('unknown single-dash flags are refused by their name, not split into short flags that exist', async () => {
  const cases: [string[], string][] = [
    [['manage', '-bogus', 'bogus://x'], '-bogus'],
    // Without the rewrite these read as `-c luster-optt` and `-l og-levl`: a complaint about neither flag.
    [['manage', '-cluster-optt', 'k=v', 'bogus://x'], '-cluster-optt'],
    [['manage', '-log-levl', 'debug', 'bogus://x'], '-log-levl'],
    [['-debugg', 'manage', 'bogus://x'], '-debugg'],
    [['-strategy', 'binpack', 'manage'], '-strategy'],
  ];
  await Promise.all(
    cases.map(async ([args, name]) => {
      const ran = await mesoswarm(args);
      assert.equal(ran.code, 1, args.join(' '));
      assert.ok(ran.stderr.includes(`unknown option '${name}'`), `${args.join(' ')}: ${ran.stderr}`);
    }),
  );
  // commander's own short forms keep their meaning.
  const attached = await mesoswarm(['manage', '-cmesos-experimental']);
  assert.match(attached.stderr, /the mesos-experimental driver needs the Mesos master/);
  const shortEq = await mesoswarm(['manage', '-H=tcp://127.0.0.1:99999', 'bogus://x']);
  assert.match(shortEq.stderr, /invalid address "tcp:\/\/127\.0\.0\.1:99999": port out of range/);
});

/** Starts `bin/mesoswarm …` in the background and waits for its API. */
async function serve(args: string[], host: string) {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await eventually(() => request(host, 'GET', '/_ping', { timeoutMs: 1000 }).catch(() => undefined), 15_000, 100);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${args.join(' ')} did not serve: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function systemStatus(host: string): Promise<Map<string, string>> {
  const json = await dockerCli(host).ok(['info', '--format', '{{json .SystemStatus}}']);
  return new Map(JSON.parse(json) as [string, string][]);
}

test('a classic command line with single-dash flags runs the native driver as asked', async (t) => {
  if (!(await needEngines(t))) return;
  const host = `tcp://127.0.0.1:${await freePort()}`;
  const manager = await serve(
    [
      '-log-level=warn',
      'manage',
      '-H',
      host,
      '-strategy',
      'binpack',
      '-filter=health',
      '-filter',
      'constraint',
      '-cluster-opt',
      'swarm.overcommit=0.5',
      '-engine-refresh-min-interval=1s',
      '-engine-refresh-max-interval',
      '2s',
      '-api-enable-cors',
      ENGINES.join(','),
    ],
    host,
  );
  try {
    const status = await systemStatus(host);
    assert.equal(status.get('Strategy'), 'binpack');
    assert.equal(status.get('Filters'), 'health, constraint');
    // Overcommit 0.5 shows in each node's capacity: its CPUs plus half again.
    const cpus = Number(await dockerCli(ENGINES[0]!).ok(['info', '--format', '{{.NCPU}}']));
    const reserved = [...status.entries()].find(([k]) => k.includes('Reserved CPUs'))?.[1];
    assert.match(reserved ?? '', new RegExp(` / ${cpus + Math.trunc(cpus * 0.5)}$`));
    // CORS was asked for by the flag's second name (commander files it under that one; the manager read only the
    // first, so neither spelling turned CORS on).
    const preflight = await request(host, 'OPTIONS', '/v1.41/containers/json');
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    // The commit the build was stamped with is the one the API names.
    const version = (await request(host, 'GET', '/v1.41/version')).json as { GitCommit: string; BuildTime: string };
    assert.equal(version.GitCommit.replace(/-dirty$/, ''), headCommit());
    assert.ok(!Number.isNaN(Date.parse(version.BuildTime)), `BuildTime ${version.BuildTime}`);
  } finally {
    await manager.stop();
  }
});

test('a classic command line with single-dash flags runs the mesos driver as asked', async (t) => {
  if (!(await needEngines(t))) return;
  let sim: MesosSim | undefined;
  const stateDir = await mkdtemp(join(tmpdir(), 'mst-cli-classic-state-'));
  try {
    sim = await startMesosSim({ executor: 'docker', agents: engineAgents(), allocationIntervalMs: 50 });
    const host = `tcp://127.0.0.1:${await freePort()}`;
    const manager = await serve(
      [
        '-debug',
        'manage',
        '-cluster-driver',
        'mesos-experimental',
        '-cluster-opt',
        'mesos.user=root',
        '-cluster-opt=mesos.name=classic-flags',
        '-cluster-opt',
        `mesos.statedir=${stateDir}`,
        '-host',
        host,
        '-strategy',
        'random',
        `127.0.0.1:${sim.port}`,
      ],
      host,
    );
    try {
      const status = await eventually(async () => {
        const s = await systemStatus(host);
        return s.get('Mesos') === 'subscribed' ? s : undefined;
      }, 15_000);
      assert.equal(status.get('Strategy'), 'random');
      const state = (await (await fetch(`${sim.url}/state`)).json()) as { frameworks: { name: string }[] };
      assert.deepEqual(
        state.frameworks.map((f) => f.name),
        ['classic-flags'],
        'the framework registered under the name given with -cluster-opt=',
      );
    } finally {
      await manager.stop();
    }
  } finally {
    await sim?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('list prints the engines a discovery holds, one host:port a line, as classic swarm list', async () => {
  const ranges = await mesoswarm(['list', '10.0.0.[8:10]:2375,node-9:2376']);
  assert.equal(ranges.code, 0, ranges.stderr);
  assert.equal(ranges.stdout, '10.0.0.8:2375\n10.0.0.9:2375\n10.0.0.10:2375\nnode-9:2376\n');
  assert.equal((await mesoswarm(['list', 'nodes://a:1,b:2'])).stdout, 'a:1\nb:2\n');

  const file = join(scratch, 'cluster');
  writeFileSync(file, '# the lab\n192.168.1.[1:2]:2375\n\nunix:///var/run/docker.sock\n');
  const listed = await mesoswarm(['list', `file://${file}`]);
  assert.equal(listed.stdout, '192.168.1.1:2375\n192.168.1.2:2375\nunix:///var/run/docker.sock\n');
  writeFileSync(file, '');
  const empty = await mesoswarm(['list', '-timeout', '2s', `file://${file}`]);
  assert.deepEqual([empty.code, empty.stdout], [0, ''], `an empty file lists nothing, at once: ${empty.stderr}`);

  const fromEnv = await new Promise<string>((resolve, reject) => {
    const child = spawn(bin, ['list'], { env: { ...process.env, SWARM_DISCOVERY: 'h1:1,h2:2' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
  assert.equal(fromEnv, 'h1:1\nh2:2\n', 'SWARM_DISCOVERY stands in for the argument');

  const refusals: [string[], RegExp][] = [
    [['list'], /discovery required to list a cluster/],
    [['list', `file://${join(scratch, 'missing')}`], /ENOENT/],
    [['list', 'consul://127.0.0.1:8500/swarm'], /consul:\/\/ discovery is not supported/],
    [['list', '--timeout', '0s', 'a:1'], /--timeout should be a positive number/],
    [['list', 'a:99999'], /port out of range/],
  ];
  await Promise.all(
    refusals.map(async ([args, pattern]) => {
      const ran = await runBinary(bin, args, undefined);
      assert.equal(ran.code, 1, args.join(' '));
      assert.match(ran.stderr, pattern);
    }),
  );
});

test('an installed copy knows its commit from the build stamp, and says unknown without one', async () => {
  // A copy as npm installs it: the package's files, nowhere near a git checkout.
  const copy = join(scratch, 'installed');
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const stamp = JSON.parse(readFileSync(join(copy, 'dist', 'build-info.json'), 'utf8')) as { commit: string };
  assert.equal(stamp.commit.replace(/-dirty$/, ''), headCommit(), 'the build stamped the checkout’s commit');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

  const stamped = await runBinary(join(copy, 'bin', 'mesoswarm'), ['-v'], tmpdir());
  assert.equal(stamped.stdout.trim(), `mesoswarm version ${version} (${stamp.commit})`);

  rmSync(join(copy, 'dist', 'build-info.json'));
  const unstamped = await runBinary(join(copy, 'bin', 'mesoswarm'), ['-v'], tmpdir());
  assert.equal(unstamped.stdout.trim(), `mesoswarm version ${version} (unknown)`);
});
