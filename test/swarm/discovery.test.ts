// file:// discovery with a live manager: the file is re-read every --heartbeat, an engine added to it joins the
// cluster (docker info, placement, ps), one removed from it leaves (its containers with it, an engine_disconnect
// event), all without restarting the manager.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needEngines, ENGINES } from '../helpers/services.js';
import {
  startTestManager,
  removeContainersNamed,
  uniquePrefix,
  eventually,
  type TestManager,
} from '../helpers/manager.js';
import { engineNames } from '../helpers/nodes.js';

const prefix = uniquePrefix('discovery');
let m: TestManager | undefined;
let dir = '';
let file = '';

before(async () => {
  if (!(await needEngines())) return;
  dir = await mkdtemp(join(tmpdir(), 'mst-discovery-'));
  file = join(dir, 'engines');
  await writeFile(file, `# node-1 only, to start with\n${ENGINES[0]!.replace('tcp://', '')}\n`);
  m = await startTestManager({ heartbeat: '1s' }, `file://${file}`);
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function nodesShown(): Promise<string[]> {
  const status = JSON.parse(await m!.docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][];
  return status.filter(([k]) => /^ \S/.test(k)).map(([k]) => k.trim());
}

test('engines join and leave as the discovery file changes', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1, n2] = (await engineNames()) as [string, string];
  const since = Date.now() / 1000;
  // The file's engines are connected before the API answers: the very first docker info shows them.
  assert.deepEqual(await nodesShown(), [n1]);
  assert.match(await m.docker.ok(['info']), /└ Status: Healthy/);

  await writeFile(file, `${ENGINES.map((e) => e.replace('tcp://', '')).join('\n')}\n`);
  // Listed is not yet connected: under load node-2 shows as a Pending "(unknown)" a while before placement can use it.
  await eventually(
    async () => (await nodesShown()).includes(n2) && !/└ Status: Pending/.test(await m!.docker.ok(['info'])),
    10_000,
  );
  await m.docker.ok(['run', '-d', '--name', `${prefix}on2`, '-e', `constraint:node==${n2}`, 'busybox', 'sleep', '300']);
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', `${prefix}on2`]), n2);

  await writeFile(file, `${ENGINES[1]!.replace('tcp://', '')}\n`);
  await eventually(async () => (await nodesShown()).join() === n2, 10_000);
  // node-1's containers left with it; node-2's are still there.
  const names = (await m.docker.ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter(Boolean);
  assert.ok(
    names.every((n) => n.startsWith(`${n2}/`)),
    names.join(', '),
  );
  assert.ok(names.includes(`${n2}/${prefix}on2`));
  const placed = await m.docker.ok(['run', '-d', '--name', `${prefix}after`, 'busybox', 'sleep', '300']);
  assert.match(placed, /^[0-9a-f]{64}$/);
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', `${prefix}after`]), n2);

  const events = (
    await m.docker.ok([
      'events',
      '--since',
      since.toFixed(9),
      '--until',
      (Date.now() / 1000).toFixed(9),
      '--filter',
      'type=swarm',
      '--format',
      '{{.Action}} {{index .Actor.Attributes "node.name"}}',
    ])
  ).split('\n');
  assert.ok(events.includes(`engine_connect ${n2}`), events.join(', '));
  assert.ok(events.includes(`engine_disconnect ${n1}`), events.join(', '));
});
