// Affinities through the native driver, with the real docker CLI against a manager over the two CI engines: to a
// container (by name, `==` and `!=`, env and label forms), to an image only one engine holds, to a container label,
// and soft ones that fall back when nothing matches while hard constraints still hold.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import { dockerCli } from '../helpers/docker-cli.js';
import {
  startTestManager,
  removeContainersNamed,
  uniquePrefix,
  eventually,
  type TestManager,
} from '../helpers/manager.js';
import {
  engineIdentities,
  assertCiLabels,
  nodeOf,
  spreadAvoids,
  otherNode,
  daemonError,
  unsatisfied,
  existsNowhere,
  type EngineIdentity,
} from './helpers.js';

const prefix = uniquePrefix('sched-aff');
let m: TestManager | undefined;
let node1: EngineIdentity;
let node2: EngineIdentity;
let seq = 0;
const fresh = () => `${prefix}${seq++}`;
/** Image tags this suite adds, one per engine, removed at the end (the image itself stays: busybox holds it). */
const tags: { address: string; tag: string }[] = [];

before(async () => {
  if (!(await needEngines())) return;
  [node1, node2] = await engineIdentities();
  assertCiLabels([node1, node2]);
  m = await startTestManager();
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
  for (const { address, tag } of tags) await dockerCli(address).ok(['rmi', tag]);
});

async function run(...options: string[]): Promise<string> {
  const name = fresh();
  await m!.docker.ok(['run', '-d', '--name', name, ...options, 'busybox', 'sleep', '300']);
  return name;
}

/** One anchor container on each node, pinned there. */
async function anchors(): Promise<{ on1: string; on2: string }> {
  return {
    on1: await run('-e', `constraint:node==${node1.name}`),
    on2: await run('-e', `constraint:node==${node2.name}`),
  };
}

test('affinity:container==<name> goes next to that container, != away from it', async (t) => {
  if (!m) return t.skip('no engines');
  const { on1, on2 } = await anchors();
  const anchorOn = { [node1.name]: on1, [node2.name]: on2 };
  // Both directions, the one spread would not choose first: the strategy alone cannot pass this.
  const first = await spreadAvoids(m, node1.name, node2.name);
  for (const node of [first, otherNode(first, node1.name, node2.name)]) {
    const next = await run('-e', `affinity:container==${anchorOn[node]}`);
    assert.equal(await nodeOf(m, next), node, `next to ${anchorOn[node]}`);
  }
  const second = await spreadAvoids(m, node1.name, node2.name);
  for (const node of [second, otherNode(second, node1.name, node2.name)]) {
    const away = await run('-e', `affinity:container!=${anchorOn[otherNode(node, node1.name, node2.name)]}`);
    assert.equal(await nodeOf(m, away), node);
  }
});

test('container affinity in the label form, by ID, and to a container that exists nowhere', async (t) => {
  if (!m) return t.skip('no engines');
  const { on1, on2 } = await anchors();
  const labelled = await run('--label', `com.docker.swarm.affinities=["container==${on2}"]`);
  assert.equal(await nodeOf(m, labelled), node2.name);
  const id = await m.docker.ok(['inspect', '--format', '{{.Id}}', on1]);
  const byId = await run('-e', `affinity:container==${id}`);
  assert.equal(await nodeOf(m, byId), node1.name);

  const name = fresh();
  const refused = await m.docker(['run', '-d', '--name', name, '-e', `affinity:container==${prefix}absent`, 'busybox']);
  assert.equal(
    daemonError(refused),
    unsatisfied('available container slots', `container==${prefix}absent (soft=false)`),
  );
  assert.ok(await existsNowhere(name));
});

test('affinity on a container label', async (t) => {
  if (!m) return t.skip('no engines');
  const avoided = await spreadAvoids(m, node1.name, node2.name);
  const label = `${prefix}tier`;
  await run('--label', `${label}=db`, '-e', `constraint:node==${avoided}`);
  const next = await run('-e', `affinity:${label}==db`);
  assert.equal(await nodeOf(m, next), avoided);
  const away = await run('-e', `affinity:${label}!=db`);
  assert.equal(await nodeOf(m, away), otherNode(avoided, node1.name, node2.name));
});

test('affinity:image==<image> goes to the node that holds the image, != away from it', async (t) => {
  if (!m) return t.skip('no engines');
  // One tag per engine, each only there: busybox under a name this run owns.
  const image = { [node1.name]: `${prefix}img1`, [node2.name]: `${prefix}img2` };
  for (const [node, address] of [
    [node1.name, node1.address],
    [node2.name, node2.address],
  ] as const) {
    await dockerCli(address).ok(['tag', 'busybox:latest', image[node]!]);
    tags.push({ address, tag: image[node]! });
  }
  // The manager learns of the tags from the engines' event streams.
  await eventually(async () => {
    const listed = await m!.docker.ok(['images', '--format', '{{.Repository}}']);
    return listed.includes(image[node1.name]!) && listed.includes(image[node2.name]!);
  });

  const first = await spreadAvoids(m, node1.name, node2.name);
  for (const node of [first, otherNode(first, node1.name, node2.name)]) {
    const next = await run('-e', `affinity:image==${image[node]}`);
    assert.equal(await nodeOf(m, next), node, image[node]);
  }
  const second = await spreadAvoids(m, node1.name, node2.name);
  for (const node of [second, otherNode(second, node1.name, node2.name)]) {
    const away = await run('-e', `affinity:image!=${image[otherNode(node, node1.name, node2.name)]}:latest`);
    assert.equal(await nodeOf(m, away), node);
  }
  const labelled = await run('--label', `com.docker.swarm.affinities=["image==${image[node2.name]}"]`);
  assert.equal(await nodeOf(m, labelled), node2.name);

  // An image that is nowhere: refused, with the affinity listed as classic Swarm lists it.
  const name = fresh();
  const refused = await m.docker(['run', '-d', '--name', name, '-e', `affinity:image==${prefix}noimage`, 'busybox']);
  assert.equal(daemonError(refused), unsatisfied('available container slots', `image==${prefix}noimage (soft=false)`));
  assert.ok(await existsNowhere(name));
});

test('an image only one node holds: the container goes there without asking (classic Swarm retries with an image affinity)', async (t) => {
  if (!m) return t.skip('no engines');
  const holder = await spreadAvoids(m, node1.name, node2.name);
  const address = holder === node1.name ? node1.address : node2.address;
  const image = `${prefix}only`;
  await dockerCli(address).ok(['tag', 'busybox:latest', image]);
  tags.push({ address, tag: image });
  await eventually(async () => (await m!.docker.ok(['images', '--format', '{{.Repository}}'])).includes(image));
  for (let i = 0; i < 2; i++) {
    const name = fresh();
    await m.docker.ok(['run', '-d', '--name', name, image, 'sleep', '300']);
    assert.equal(await nodeOf(m, name), holder);
  }
  // Pinned elsewhere there is no retry: that engine lacks the image, and no registry is reachable to pull it.
  const name = fresh();
  const other = otherNode(holder, node1.name, node2.name);
  const pinned = await m.docker(['run', '-d', '--name', name, '-e', `constraint:node==${other}`, image]);
  assert.notEqual(pinned.code, 0);
  assert.ok(await existsNowhere(name));
});

test('soft affinities fall back when nothing matches; hard constraints still hold (run.bats)', async (t) => {
  if (!m) return t.skip('no engines');
  const absent = `${prefix}absent`;
  const dropped = await run('-e', `affinity:container==~${absent}`, '-e', `affinity:image==~${prefix}noimage`);
  assert.ok([node1.name, node2.name].includes(await nodeOf(m, dropped)));

  // A soft affinity that can be met is met.
  const avoided = await spreadAvoids(m, node1.name, node2.name);
  const anchor = await run('-e', `constraint:node==${avoided}`);
  const honoured = await run('-e', `affinity:container==~${anchor}`);
  assert.equal(await nodeOf(m, honoured), avoided);

  // classic Swarm's "constraint and soft affinities": c0 in region east with a soft affinity to itself (it does not
  // exist yet), then c2 in region west with a soft affinity to c0, which only the first pass tries.
  const c0 = fresh();
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    c0,
    '-e',
    'constraint:region==east',
    '-e',
    `affinity:container==~${c0}`,
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(await nodeOf(m, c0), node1.name);
  const c2 = await run('-e', 'constraint:region==west', '-e', `affinity:container==~${c0}`);
  assert.equal(await nodeOf(m, c2), node2.name);
  assert.match(
    await m.docker.ok(['ps', '--filter', `name=${c2}`, '--format', '{{.Names}}']),
    new RegExp(`^${node2.name}/${c2}$`),
  );
});

test('dependencies (--volumes-from, --link, --net container:) put the container next to them', async (t) => {
  if (!m) return t.skip('no engines');
  const avoided = await spreadAvoids(m, node1.name, node2.name);
  const anchor = await run('-e', `constraint:node==${avoided}`);
  for (const options of [
    ['--volumes-from', anchor],
    ['--link', `${anchor}:db`],
    ['--net', `container:${anchor}`],
  ]) {
    const name = await run(...options);
    assert.equal(await nodeOf(m, name), avoided, options.join(' '));
  }
  const name = fresh();
  const refused = await m.docker(['create', '--name', name, '--volumes-from', `${prefix}absent`, 'busybox']);
  assert.equal(daemonError(refused), unsatisfied('available container slots', `--volumes-from=${prefix}absent`));
  assert.ok(await existsNowhere(name));
});
