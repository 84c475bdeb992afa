// What CpuShares (`docker run -c`, compose's `cpu_shares`) means, in the native driver: by default classic Swarm's
// number of CPUs to reserve (the engine gets real shares of its own CPUs: ceil(cpus × 1024 / engine CPUs)), and with
// `--cluster-opt swarm.cpushares=weight` Docker's relative weight, passed to the engine as written and reserving
// shares/1024 CPUs. Checked with the CLI and docker-compose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { needEngines, ENGINES, IN_CI } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { dockerCli, run } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';

const P = uniquePrefix('shares');
let classic: TestManager | undefined;
let weight: TestManager | undefined;
let nodes: string[] = [];
let cpus = 0;
let work = '';

before(async () => {
  if (!(await needEngines())) return;
  nodes = await engineNames();
  cpus = Number(await dockerCli(ENGINES[0]!).ok(['info', '--format', '{{.NCPU}}']));
  // Room for what other suites' containers reserve on these shared engines: each node counts as 11 times its CPUs.
  classic = await startTestManager({ clusterOpt: ['swarm.overcommit=10'] });
  weight = await startTestManager({ clusterOpt: ['swarm.cpushares=weight', 'swarm.overcommit=10'] });
  work = await mkdtemp(join(tmpdir(), 'mst-shares-'));
});
after(async () => {
  await classic?.close();
  await weight?.close();
  await removeContainersNamed(P);
  if (work) await rm(work, { recursive: true, force: true });
});

const shares = (m: TestManager, name: string) =>
  m.docker.ok(['inspect', '--format', '{{.HostConfig.CpuShares}}', name]);

test('by default -c is a number of CPUs, as in classic Swarm', async (t) => {
  if (!classic) return t.skip('no engines');
  const pin = ['-e', `constraint:node==${nodes[0]}`];
  await classic.docker.ok(['run', '-d', '--name', `${P}one`, ...pin, '-c', '1', 'busybox', 'sleep', '300']);
  assert.equal(await shares(classic, `${P}one`), String(Math.ceil(1024 / cpus)), 'one CPU of the engine’s');
  const many = await classic.docker(['run', '-d', '--name', `${P}many`, ...pin, '-c', '512', 'busybox', 'true']);
  assert.notEqual(many.code, 0);
  assert.match(many.stderr, /no resources available to schedule container/);
});

test('with swarm.cpushares=weight, -c is Docker’s weight: as written on the engine, shares/1024 CPUs reserved', async (t) => {
  if (!weight) return t.skip('no engines');
  const pin = ['-e', `constraint:node==${nodes[0]}`];
  await weight.docker.ok(['run', '-d', '--name', `${P}w512`, ...pin, '-c', '512', 'busybox', 'sleep', '300']);
  assert.equal(await shares(weight, `${P}w512`), '512');
  // More shares than the node's (overcommitted) CPUs × 1024 reserve more CPUs than it has.
  const over = String(1024 * (cpus * 11 + 1));
  const refused = await weight.docker(['run', '-d', '--name', `${P}wover`, ...pin, '-c', over, 'busybox', 'true']);
  assert.match(refused.stderr, /no resources available to schedule container/);
});

test('docker-compose cpu_shares: 512 is 512 CPUs by default, a weight with swarm.cpushares=weight', async (t) => {
  if (!classic || !weight) return t.skip('no engines');
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) {
    if (IN_CI) throw new Error('CI=true and docker-compose is not installed');
    return t.skip('docker-compose is not installed');
  }
  const file = join(work, 'docker-compose.yml');
  await writeFile(
    file,
    'version: "2.4"\nservices:\n  app:\n    image: busybox\n    command: sleep 300\n    cpu_shares: 512\n    network_mode: bridge\n',
  );
  const compose = (m: TestManager, project: string, args: string[]) =>
    run('docker-compose', ['-p', project, '-f', file, ...args], m.host, { timeoutMs: 90_000 });
  const refused = await compose(classic, `${P}c1`, ['up', '-d']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /no resources available to schedule container/);
  await compose(classic, `${P}c1`, ['down']);
  try {
    const up = await compose(weight, `${P}c2`, ['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    const id = (await compose(weight, `${P}c2`, ['ps', '-q'])).stdout.trim();
    assert.equal(await shares(weight, id), '512');
  } finally {
    await compose(weight, `${P}c2`, ['down', '-t', '1']);
  }
});

test('a cpushares value other than cpus or weight stops start-up, naming it', async () => {
  await assert.rejects(
    startTestManager({ clusterOpt: ['swarm.cpushares=shares'] }),
    /swarm\.cpushares: expected cpus or weight/,
  );
});
