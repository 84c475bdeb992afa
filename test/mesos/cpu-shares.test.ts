// What CpuShares means in mesos mode: by default classic Swarm's number of CPUs (the Mesos task gets that many
// `cpus`, and Mesos runs it with --cpu-shares cpus × 1024), with `--cluster-opt mesos.cpushares=weight` Docker's
// weight (the task gets shares/1024 CPUs, so the container runs with exactly the shares asked for). Checked with
// the CLI and docker-compose against the Mesos test double, on what the master granted each task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { IN_CI } from '../helpers/services.js';
import { removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { run } from '../helpers/docker-cli.js';
import { engineAgents, needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';

const P = uniquePrefix('mshares');
let classic: MesosTestCluster | undefined;
let weight: MesosTestCluster | undefined;
let work = '';

before(async () => {
  if (!(await needBackend())) return;
  const double = { agents: engineAgents(1, { cpus: 4, mem: 2048 }) };
  classic = await startMesosTestCluster({ double });
  weight = await startMesosTestCluster({ double, clusterOpts: ['mesos.cpushares=weight'] });
  work = await mkdtemp(join(tmpdir(), 'mst-mshares-'));
});
after(async () => {
  await classic?.close();
  await weight?.close();
  await removeContainersNamed(P);
  if (work) await rm(work, { recursive: true, force: true });
});

/** The cpus the master granted the task of a container name. */
async function grantedCpus(c: MesosTestCluster, name: string): Promise<number> {
  const task = (await c.tasks()).live.find((x) => x.id.startsWith(`${name}.`));
  assert.ok(task?.resources, `a live task for ${name}, with its resources`);
  return task.resources.cpus;
}

const shares = (c: MesosTestCluster, name: string) =>
  c.m.docker.ok(['inspect', '--format', '{{.HostConfig.CpuShares}}', name]);

test('mesos - by default -c is a number of CPUs: the task gets that many', async (t) => {
  if (!classic) return t.skip('no Mesos backend');
  await classic.m.docker.ok(['run', '-d', '--name', `${P}one`, '-c', '1', 'busybox', 'sleep', '300']);
  assert.equal(await grantedCpus(classic, `${P}one`), 1);
  assert.equal(await shares(classic, `${P}one`), '1024', 'Mesos runs one CPU as 1024 shares');
});

test('mesos - with mesos.cpushares=weight, -c 512 is half a CPU, run with exactly 512 shares', async (t) => {
  if (!weight) return t.skip('no Mesos backend');
  await weight.m.docker.ok(['run', '-d', '--name', `${P}half`, '-c', '512', 'busybox', 'sleep', '300']);
  assert.equal(await grantedCpus(weight, `${P}half`), 0.5);
  assert.equal(await shares(weight, `${P}half`), '512');
});

test('mesos - docker-compose cpu_shares: 512 with mesos.cpushares=weight', async (t) => {
  if (!weight) return t.skip('no Mesos backend');
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) {
    if (IN_CI) throw new Error('CI=true and docker-compose is not installed');
    return t.skip('docker-compose is not installed');
  }
  const file = join(work, 'docker-compose.yml');
  await writeFile(file, 'app:\n  image: busybox\n  command: sleep 300\n  cpu_shares: 512\n');
  const project = `${P}c`;
  const compose = (args: string[]) =>
    run('docker-compose', ['-p', project, '-f', file, ...args], weight!.m.host, { timeoutMs: 90_000 });
  try {
    const up = await compose(['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(await grantedCpus(weight, `${project}_app_1`), 0.5);
    assert.equal(await shares(weight, `${project}_app_1`), '512');
  } finally {
    await compose(['down', '-t', '1']);
  }
});
