// docker-compose 1.29 (docker-py 5) against the manager: up -d, ps, exec, logs, scale and down. The project network
// is local to one node, so every service container must land on that node. No cpu_shares in the file: in Swarm's
// meaning `cpu_shares: 1` reserves a whole CPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { needEngines, ENGINES, IN_CI } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { dockerCli, run } from '../helpers/docker-cli.js';

const prefix = uniquePrefix('compose');
const project = `${prefix}p`;
const STOPPABLE = `trap 'exit 0' TERM; while :; do sleep 0.1; done`;
const file = `version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo web up; ${STOPPABLE}"]
    labels:
      suite: "${prefix}"
  worker:
    image: busybox
    command: ["sh", "-c", "${STOPPABLE}"]
`;
let m: TestManager | undefined;
let dir = '';

const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

before(async () => {
  if (!(await needEngines())) return;
  if (!hasCompose) {
    if (IN_CI) throw new Error('CI=true and docker-compose is not installed');
    return;
  }
  m = await startTestManager();
  dir = await mkdtemp(join(tmpdir(), 'mst-compose-'));
  await writeFile(join(dir, 'docker-compose.yml'), file);
});
after(async () => {
  if (m && dir) await compose(['down', '-t', '1']).catch(() => undefined);
  await m?.close();
  await removeContainersNamed(prefix);
  for (const engine of ENGINES) {
    const direct = dockerCli(engine);
    const networks = (await direct(['network', 'ls', '-q', '--filter', `name=${project}`])).stdout
      .split('\n')
      .filter(Boolean);
    if (networks.length) await direct(['network', 'rm', ...networks]);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

function compose(args: string[]) {
  return run('docker-compose', ['-p', project, '-f', join(dir, 'docker-compose.yml'), ...args], m!.host, {
    timeoutMs: 90_000,
  });
}

async function composeOk(args: string[]): Promise<string> {
  const result = await compose(args);
  assert.equal(result.code, 0, `docker-compose ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result.stdout;
}

const lines = (text: string) => text.split('\n').filter(Boolean);

test('docker-compose up -d, ps, exec, logs, scale and down', async (t) => {
  if (!m) return t.skip(hasCompose ? 'no engines' : 'docker-compose is not installed');
  await composeOk(['up', '-d']);

  const ps = lines(await composeOk(['ps']));
  for (const service of ['web', 'worker']) {
    assert.ok(
      ps.some((line) => new RegExp(`^${project}_${service}_1\\s.*\\sUp\\s`).test(`${line} `)),
      ps.join('\n'),
    );
  }
  const listed = () =>
    m!.docker
      .ok(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}'])
      .then(lines);
  const containers = await listed();
  assert.equal(containers.length, 2);
  // The project network is local: it lives on one node, and every service container is placed there.
  const [network] = lines(
    await m.docker.ok(['network', 'ls', '--filter', `name=${project}_default`, '--format', '{{.Name}}']),
  );
  assert.ok(network, 'compose created the project network');
  const networkNode = network.split('/')[0];
  assert.deepEqual(new Set(containers.map((c) => c.split('/')[0])), new Set([networkNode]));
  assert.equal(
    await m.docker.ok(['inspect', '--format', '{{.Config.Labels.suite}}', `${project}_web_1`]),
    prefix,
    'service labels reach the container',
  );

  assert.equal((await composeOk(['exec', '-T', 'web', 'echo', 'from exec'])).trim(), 'from exec');
  assert.match(await composeOk(['logs', '--no-color', 'web']), /web up/);

  const scaled = await compose(['scale', 'worker=3']);
  assert.equal(scaled.code, 0, scaled.stderr);
  const afterScale = await listed();
  assert.equal(afterScale.length, 4, afterScale.join(', '));
  const workers = lines(await composeOk(['ps', '-q', 'worker']));
  assert.equal(workers.length, 3);
  assert.deepEqual(new Set(afterScale.map((c) => c.split('/')[0])), new Set([networkNode]));

  // A one-off container: attached, its exit code passed on, removed afterwards.
  const oneOff = await compose(['run', '--rm', '-T', 'worker', 'sh', '-c', 'echo one-off; exit 3']);
  assert.equal(oneOff.code, 3, oneOff.stderr);
  assert.equal(oneOff.stdout.trim(), 'one-off');
  const oneOffs = await m.docker.ok([
    'ps',
    '-a',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.oneoff=True',
  ]);
  assert.equal(oneOffs, '', 'the one-off container is gone');

  await composeOk(['down', '-t', '1']);
  assert.deepEqual(
    await m.docker
      .ok(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}'])
      .then(lines),
    [],
  );
  assert.equal(await m.docker.ok(['network', 'ls', '-q', '--filter', `name=${project}_default`]), '');
});
