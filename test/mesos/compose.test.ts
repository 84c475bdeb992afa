// docker-compose 1.29 against the manager in mesos mode: classic Swarm's compose cases (up, ps, scale with a
// version 1 file of two busybox services with `cpu_shares: 1`, one whole CPU each in Swarm's meaning), and a
// version 2 file, whose services join a project network and find each other by service name. Against the Mesos test
// double and real Mesos (MESOSWARM_TEST_MESOS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { run } from '../helpers/docker-cli.js';
import { engineAgents, needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';

// Compose project names are lower-case letters, digits, dashes and underscores.
const PROJECT = uniquePrefix('compose').replace(/-$/, '');
let c: MesosTestCluster | undefined;
let work = '';

before(async () => {
  if (!(await needBackend())) return;
  work = await mkdtemp(join(tmpdir(), 'mst-compose-'));
  // Up to four containers of one CPU each: two agents of 3 CPUs hold them (real Mesos agents have 4).
  c = await startMesosTestCluster({ double: { agents: engineAgents(1, { cpus: 3, mem: 2048 }) } });
});
after(async () => {
  await c?.close();
  await removeContainersNamed(PROJECT);
  if (work) await rm(work, { recursive: true, force: true });
});

const lines = (text: string) => text.split('\n').filter(Boolean);

async function compose(project: string, file: string, args: string[]) {
  const result = await run('docker-compose', ['-p', project, '-f', file, ...args], c!.m.host, { timeoutMs: 90_000 });
  return result;
}

async function composeOk(project: string, file: string, args: string[]): Promise<string> {
  const result = await compose(project, file, args);
  assert.equal(result.code, 0, `docker-compose ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The framework's live Mesos tasks of a compose project, by container name (`<project>_<service>_<n>`). */
async function liveTasks(project: string) {
  const { live } = await c!.tasks();
  return live.filter((task) => task.id.startsWith(`${project}_`) && task.state === 'TASK_RUNNING');
}

test('mesos - docker-compose up, ps and scale (version 1 file, cpu_shares: 1)', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const file = join(work, 'simple-resource.yml');
  await writeFile(
    file,
    [
      'service1:',
      '  image: busybox',
      '  command: sleep 100',
      '  cpu_shares: 1',
      'service2:',
      '  image: busybox',
      '  command: sleep 100',
      '  cpu_shares: 1',
      '',
    ].join('\n'),
  );
  const project = `${PROJECT}v1`;
  await composeOk(project, file, ['up', '-d']);
  assert.equal(lines(await composeOk(project, file, ['ps', '-q'])).length, 2);
  assert.equal(lines(await c.m.docker.ok(['ps', '-q', '--filter', `name=${project}_`])).length, 2);
  assert.equal((await liveTasks(project)).length, 2);

  await composeOk(project, file, ['scale', 'service1=3']);
  const ids = lines(await composeOk(project, file, ['ps', '-q']));
  assert.equal(ids.length, 4);
  const running = await c.m.docker.ok(['inspect', '-f', '{{.State.Status}} {{.HostConfig.CpuShares}}', ...ids]);
  assert.deepEqual(
    lines(running),
    ids.map(() => 'running 1024'),
    'each container got one CPU from Mesos (1024 shares on its engine)',
  );
  const tasks = await liveTasks(project);
  assert.equal(tasks.length, 4, 'one Mesos task per container');
  assert.equal(new Set(tasks.map((task) => task.id)).size, 4);
  await composeOk(project, file, ['up', '-d', '-t', '1', '--scale', 'service1=1']);
  assert.equal(lines(await composeOk(project, file, ['ps', '-q'])).length, 2, 'scaled back down');
  assert.equal((await liveTasks(project)).length, 2);

  await composeOk(project, file, ['down', '-t', '1']);
  assert.equal(await c.m.docker.ok(['ps', '-aq', '--filter', `name=${project}_`]), '');
  assert.deepEqual(await liveTasks(project), [], 'down ended every task');
});

test('docker-compose with a version 2 file: a project network, containers on its node reaching each other', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const file = join(work, 'docker-compose.yml');
  await writeFile(
    file,
    [
      "version: '2'",
      'services:',
      '  web:',
      '    image: busybox',
      '    command: sleep 100',
      '    mem_limit: 20m',
      '  db:',
      '    image: busybox',
      '    command: sleep 100',
      '    mem_limit: 20m',
      '',
    ].join('\n'),
  );
  const project = `${PROJECT}v2`;
  const up = await compose(project, file, ['up', '-d']);
  try {
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const ids = lines(await composeOk(project, file, ['ps', '-q']));
    assert.equal(ids.length, 2);
    const where = lines(await c.m.docker.ok(['inspect', '-f', '{{.State.Status}} {{.Node.Name}}', ...ids]));
    assert.equal(new Set(where).size, 1, `both on the node of the project network: ${where.join(', ')}`);
    assert.match(where[0]!, /^running /);
    const networks = lines(await c.m.docker.ok(['network', 'ls', '--format', '{{.Name}}']));
    assert.ok(networks.includes(`${where[0]!.split(' ')[1]}/${project}_default`), networks.join(', '));
    const ping = await compose(project, file, ['exec', '-T', 'web', 'ping', '-c', '1', '-W', '2', 'db']);
    assert.equal(ping.code, 0, `web reaches db by its service name: ${ping.stdout}${ping.stderr}`);
    assert.equal((await liveTasks(project)).length, 2);
  } finally {
    await composeOk(project, file, ['down', '-t', '1']);
  }
  assert.equal(await c.m.docker.ok(['ps', '-aq', '--filter', `name=${project}_`]), '');
  assert.ok(!(await c.m.docker.ok(['network', 'ls'])).includes(`${project}_default`), 'down removed the network');
});
