// Prune and `docker system df` in mesos mode, over the Mesos test double and real Mesos on the two real engines. The agents'
// daemons are shared (other frameworks, anything run on them directly), so the manager acts on what it owns only:
// container prune removes its own containers that are not running (ended, or created and never started), with the
// space their layers took summed over the agents; image, network and volume prune remove only what it made (its
// builds, its networks and volumes carry its owner label); df lists its own containers by the IDs and names clients
// know. Every prune here is narrowed by a label only this run's objects carry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { ENGINES } from '../helpers/services.js';
import { removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { request } from '../helpers/http.js';
import { needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';
import { buildContext, removeImagesLabelled } from '../helpers/build-context.js';

const P = uniquePrefix('mprune');
const LABEL = `mst.suite=${P}`;
const filter = encodeURIComponent(JSON.stringify({ label: [LABEL] }));
let c: MesosTestCluster | undefined;
let nodes: string[] = [];
let context = '';

before(async () => {
  if (!(await needBackend())) return;
  nodes = await engineNames();
  context = await buildContext({ Dockerfile: 'FROM busybox\nRUN head -c 65536 /dev/zero > /filler\n' });
  c = await startMesosTestCluster();
});
after(async () => {
  await c?.close();
  await removeContainersNamed(P);
  await removeImagesLabelled(LABEL);
  for (const engine of ENGINES) {
    const direct = dockerCli(engine);
    const ids = (await direct(['ps', '-aq', '--filter', `label=${LABEL}`])).stdout.split('\n').filter(Boolean);
    if (ids.length) await direct(['rm', '-f', ...ids]);
    const networks = (await direct(['network', 'ls', '-q', '--filter', `label=${LABEL}`])).stdout
      .split('\n')
      .filter(Boolean);
    if (networks.length) await direct(['network', 'rm', ...networks]);
  }
  if (context) await rm(context, { recursive: true, force: true });
});

const direct = (i: number) => dockerCli(ENGINES[i]!);

/** Docker containers carrying the suite's label, on both engines. */
async function labelledOnEngines(): Promise<number> {
  let count = 0;
  for (const i of [0, 1]) {
    count += (await direct(i)(['ps', '-aq', '--filter', `label=${LABEL}`])).stdout.split('\n').filter(Boolean).length;
  }
  return count;
}

test('mesos - container prune removes the manager’s stopped containers only, summing their space', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  const [n1, n2] = nodes as [string, string];
  const ended: string[] = [];
  for (const node of [n1, n2]) {
    const name = `${P}ended-${node}`;
    const ran = await docker([
      'run',
      '-m',
      '20m',
      '--name',
      name,
      '-l',
      LABEL,
      '-e',
      `constraint:node==${node}`,
      'busybox',
      'sh',
      '-c',
      'head -c 102400 /dev/zero > /filler',
    ]);
    assert.equal(ran.code, 0, ran.stderr);
    ended.push(await docker.ok(['inspect', '--format', '{{.Id}}', name]));
  }
  const created = await docker.ok(['create', '-m', '20m', '--name', `${P}created`, '-l', LABEL, 'busybox', 'true']);
  const running = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    `${P}up`,
    '-l',
    LABEL,
    'busybox',
    'sleep',
    '300',
  ]);
  // Not the manager's: run on the agent's daemon directly.
  await direct(0).ok(['run', '--name', `${P}foreign`, '-l', LABEL, 'busybox', 'true']);
  assert.equal(await labelledOnEngines(), 4, 'two ended, one running, one foreign');

  const answer = await request(c.m.host, 'POST', `/v1.41/containers/prune?filters=${filter}`);
  assert.equal(answer.status, 200, answer.text);
  const report = answer.json as { ContainersDeleted: string[]; SpaceReclaimed: number };
  assert.deepEqual([...report.ContainersDeleted].sort(), [...ended, created].sort());
  assert.ok(report.SpaceReclaimed >= 2 * 102400, `SpaceReclaimed ${report.SpaceReclaimed} counts both agents`);
  assert.equal(await docker.ok(['ps', '-aq', '--no-trunc', '--filter', `label=${LABEL}`]), running);
  assert.equal(
    await labelledOnEngines(),
    2,
    'the Docker containers of the pruned ones are gone; the foreign one stays',
  );
  assert.equal((await direct(0)(['inspect', `${P}foreign`])).code, 0);

  const bad = await docker(['container', 'prune', '-f', '--filter', 'bogus=1']);
  assert.match(bad.stderr, /Invalid filter 'bogus'/);
  const until = await docker.ok(['container', 'prune', '-f', '--filter', `label=${LABEL}`, '--filter', 'until=1h']);
  assert.match(until, /Total reclaimed space: 0B/);
});

test('mesos - image and network prune remove what the manager made, not what else is on the agents', async (t) => {
  if (!c) return t.skip('no engines');
  const [, n2] = nodes as [string, string];
  const ours = (
    await c.m.docker.ok(['build', '-q', '--label', LABEL, '--build-arg', `constraint:node==${n2}`, context])
  ).trim();
  const theirs = (await direct(1).ok(['build', '-q', '--label', LABEL, '--label', 'other=1', context])).trim();
  assert.notEqual(ours, theirs);
  const images = await request(c.m.host, 'POST', `/v1.41/images/prune?filters=${filter}`);
  assert.equal(images.status, 200, images.text);
  const deleted = (images.json as { ImagesDeleted: { Deleted?: string }[] }).ImagesDeleted.map((d) => d.Deleted);
  assert.ok(deleted.includes(ours), images.text);
  assert.ok(!deleted.includes(theirs), images.text);
  assert.equal((await direct(1)(['image', 'inspect', theirs])).code, 0, 'the image built on the agent directly stays');

  await c.m.docker.ok(['network', 'create', '--label', LABEL, `${n2}/${P}ournet`]);
  await direct(1).ok(['network', 'create', '--label', LABEL, `${P}theirnet`]);
  const networks = await c.m.docker.ok(['network', 'prune', '-f', '--filter', `label=${LABEL}`]);
  assert.match(networks, new RegExp(`Deleted Networks:\\n${n2}/${P}ournet$`));
  assert.doesNotMatch(networks, /theirnet/);
  assert.equal((await direct(1)(['network', 'inspect', `${P}theirnet`])).code, 0);
});

test('mesos - system df lists the manager’s containers by their IDs and names, nothing else’s', async (t) => {
  if (!c) return t.skip('no engines');
  const [n1] = nodes as [string, string];
  const id = await c.m.docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    `${P}df`,
    '-l',
    LABEL,
    '-e',
    `constraint:node==${n1}`,
    'busybox',
    'sleep',
    '300',
  ]);
  await direct(0).ok(['run', '-d', '--name', `${P}dfforeign`, '-l', LABEL, 'busybox', 'sleep', '300']);
  const df = (await request(c.m.host, 'GET', '/v1.41/system/df', { timeoutMs: 60_000 })).json as {
    Containers: { Id: string; Names: string[]; Labels: Record<string, string> }[];
    Images: unknown[];
  };
  const foreignId = await direct(0).ok(['inspect', '--format', '{{.Id}}', `${P}dfforeign`]);
  const mine = df.Containers.filter(
    (entry) => entry.Labels?.['mst.suite'] === P && entry.Names.some((n) => n.includes(`${P}df`)),
  );
  assert.deepEqual(
    mine.map((entry) => [entry.Id, entry.Names]),
    [[id, [`/${n1}/${P}df`]]],
  );
  assert.ok(
    !df.Containers.some((entry) => entry.Id === foreignId),
    'a container run on the daemon directly is not ours',
  );
  assert.ok(df.Images.length > 0);
  assert.match(await c.m.docker.ok(['system', 'df']), /^TYPE\s+TOTAL/);
});
