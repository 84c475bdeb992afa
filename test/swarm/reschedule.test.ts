// Classic Swarm's `reschedule:on-node-failure` in the native driver, with node-2 reached through a TCP proxy the test
// cuts (its daemon keeps running, so the stale copies really are there when it comes back). After
// `swarm.rescheduletimeout` the rescheduleable containers are recreated on node-1 (same name, same Swarm ID, started
// if they ran); a container without the policy stays on the lost node (Host Down); one whose hard constraint only the
// lost node meets stays too, with the reason in `docker info` and in the answer to inspect. When node-2 returns the
// stale copies are removed: one copy of each container in the end. A node removed from a file:// discovery is lost
// the same way, and listed again it is a node coming back.
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
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames, systemStatus as systemStatus_, nodeStatus } from '../helpers/nodes.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const prefix = uniquePrefix('resched');
const TIMEOUT_MS = 2000;
let m: TestManager | undefined;
let proxy: TcpProxy | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needEngines())) return;
  nodes = await engineNames();
  proxy = await tcpProxy(ENGINES[1]!);
  m = await startManager();
});
/** A manager over node-1 and the proxy to node-2, quick to see node-2 go and to move its containers. */
function startManager(): Promise<TestManager> {
  return startTestManager(
    {
      engineRefreshMinInterval: '500ms',
      engineRefreshMaxInterval: '1s',
      engineFailureRetry: '1',
      clusterOpt: [`swarm.rescheduletimeout=${TIMEOUT_MS}ms`],
    },
    [ENGINES[0]!, proxy!.address].join(','),
  );
}

after(async () => {
  await m?.close();
  await proxy?.close();
  await removeContainersNamed(prefix);
});

const lines = (text: string) => text.split('\n').filter(Boolean);

const systemStatus = () => systemStatus_(m!.docker);
const nodeState = async (name: string) => (await nodeStatus(m!.docker, name)).get('Status');

/** Node, status and Swarm ID of a container, as the manager shows it. */
async function where(name: string): Promise<string> {
  return m!.docker.ok([
    'inspect',
    '--format',
    `{{.Node.Name}} {{.State.Status}} {{index .Config.Labels "com.docker.swarm.id"}}`,
    name,
  ]);
}

test('rescheduleable containers move off a lost node after the timeout; the stale copies go when it returns', async (t) => {
  if (!m || !proxy) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  const name = (what: string) => `${prefix}${what}`;
  const onN2 = ['-e', `constraint:node==~${n2}`];
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    name('env'),
    ...onN2,
    '-e',
    'reschedule:on-node-failure',
    'busybox',
    'sleep',
    '300',
  ]);
  await m.docker.ok([
    'create',
    '--name',
    name('label'),
    ...onN2,
    '--label',
    'com.docker.swarm.reschedule-policies=["on-node-failure"]',
    'busybox',
    'sleep',
    '300',
  ]);
  await m.docker.ok(['run', '-d', '--name', name('off'), ...onN2, 'busybox', 'sleep', '300']);
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    name('pinned'),
    '-e',
    `constraint:node==${n2}`,
    '-e',
    'reschedule:on-node-failure',
    'busybox',
    'sleep',
    '300',
  ]);
  const before = new Map<string, string>();
  for (const what of ['env', 'label', 'off', 'pinned']) {
    const shown = await where(name(what));
    assert.equal(shown.split(' ')[0], n2, `${what} starts on ${n2}`);
    before.set(what, shown.split(' ')[2]!);
  }
  const since = (Date.now() / 1000).toFixed(9);

  const cutAt = Date.now();
  await proxy.cut();
  await eventually(async () => (await nodeState(n2)) === 'Unhealthy', 15_000);
  const unhealthyAt = Date.now();
  // The running one runs on node-1 with the same Swarm ID; the created one is created there, not started.
  await eventually(
    async () => (await where(name('env'))) === `${n1} running ${before.get('env')}`,
    TIMEOUT_MS + 15_000,
  );
  const movedAt = Date.now();
  t.diagnostic(`engine cut → unhealthy ${unhealthyAt - cutAt} ms → running on ${n1} ${movedAt - cutAt} ms`);
  await eventually(async () => (await where(name('label'))) === `${n1} created ${before.get('label')}`, 15_000);
  // Found by its Swarm ID too.
  assert.equal((await where(before.get('env')!)).split(' ')[0], n1);

  // One copy of each in the listing: the moved ones on node-1, the others shown on the lost node.
  const listing = async () =>
    lines(await m!.docker.ok(['ps', '-a', '--filter', `name=${prefix}`, '--format', '{{.Names}} {{.State}}'])).sort();
  assert.deepEqual(
    await listing(),
    [
      `${n1}/${name('env')} running`,
      `${n1}/${name('label')} created`,
      `${n2}/${name('off')} unknown`,
      `${n2}/${name('pinned')} unknown`,
    ].sort(),
  );
  const off = await m.docker(['inspect', name('off')]);
  assert.notEqual(off.code, 0);
  assert.match(off.stderr, new RegExp(`Container ${name('off')} running on unhealthy node ${n2}$`, 'm'));

  // The pinned one says why it stays.
  const pinned = await m.docker(['inspect', name('pinned')]);
  assert.notEqual(pinned.code, 0);
  assert.match(
    pinned.stderr,
    new RegExp(
      `running on unhealthy node ${n2} \\(not rescheduled: Unable to find a node that satisfies .*node==${n2}.*\\)`,
    ),
  );
  const status = await systemStatus();
  const at = status.findIndex(([k]) => k === 'Not Rescheduled');
  assert.deepEqual(status[at], ['Not Rescheduled', '1']);
  assert.equal(status[at + 1]?.[0], `  └ ${n2}/${name('pinned')}`);
  assert.match(status[at + 1]?.[1] ?? '', new RegExp(`^Unable to find a node that satisfies .*node==${n2}`));
  assert.deepEqual(
    status.find(([k]) => k === 'Reschedule Timeout'),
    ['Reschedule Timeout', '2s'],
  );

  // Events: each move, after the timeout counted from the node's loss, and the refusal.
  const events = lines(
    await m.docker.ok([
      'events',
      '--since',
      since,
      '--until',
      (Date.now() / 1000).toFixed(9),
      '--filter',
      'event=engine_disconnect',
      '--filter',
      'event=reschedule',
      '--filter',
      'event=reschedule_failed',
      '--format',
      '{{.TimeNano}} {{.Action}} {{.Actor.Attributes.name}} {{index .Actor.Attributes "node.name"}} {{index .Actor.Attributes "from.node"}}',
    ]),
  ).map((line) => line.split(' '));
  const disconnect = events.find(([, action]) => action === 'engine_disconnect');
  assert.ok(disconnect, events.join('\n'));
  const moves = events.filter(([, action]) => action === 'reschedule');
  assert.deepEqual(moves.map(([, , who, node, from]) => `${who} ${node} ${from}`).sort(), [
    `${name('env')} ${n1} ${n2}`,
    `${name('label')} ${n1} ${n2}`,
  ]);
  for (const [nano] of moves)
    assert.ok(Number(nano) - Number(disconnect[0]) >= TIMEOUT_MS * 1e6, 'moved before the timeout');
  assert.ok(events.some(([, action, who]) => action === 'reschedule_failed' && who === name('pinned')));

  // node-2 comes back: its stale copies are removed from its engine, the others show again.
  await proxy.restore();
  await eventually(async () => (await nodeState(n2)) === 'Healthy', 15_000);
  const onEngine2 = dockerCli(ENGINES[1]!);
  await eventually(
    async () =>
      (await onEngine2.ok(['ps', '-a', '--filter', `name=${prefix}`, '--format', '{{.Names}}']))
        .split('\n')
        .sort()
        .join(' ') === `${name('off')} ${name('pinned')}`,
    15_000,
  );
  await eventually(async () => {
    const now = await listing();
    return (
      now.join('\n') ===
      [
        `${n1}/${name('env')} running`,
        `${n1}/${name('label')} created`,
        `${n2}/${name('off')} running`,
        `${n2}/${name('pinned')} running`,
      ]
        .sort()
        .join('\n')
    );
  }, 15_000);
  assert.equal(await where(name('env')), `${n1} running ${before.get('env')}`);
  assert.ok(!(await systemStatus()).some(([k]) => k === 'Not Rescheduled'), 'nothing is left unmoved');
});

test('a manager started while both copies exist shows the new one and removes the stale one', async (t) => {
  if (!m || !proxy) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  const name = `${prefix}restarted`;
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    name,
    '-e',
    `constraint:node==~${n2}`,
    '-e',
    'reschedule:on-node-failure',
    'busybox',
    'sleep',
    '300',
  ]);
  const swarmId = (await where(name)).split(' ')[2]!;
  await proxy.cut();
  await eventually(async () => (await where(name)) === `${n1} running ${swarmId}`, TIMEOUT_MS + 15_000);
  // The manager goes away; node-2, still running the old copy, comes back before a new manager starts.
  await m.close();
  await proxy.restore();
  m = await startManager();
  // From its first answer the new manager shows one copy: the one on node-1.
  assert.equal(await where(name), `${n1} running ${swarmId}`);
  assert.deepEqual(lines(await m.docker.ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}}'])), [
    `${n1}/${name}`,
  ]);
  await eventually(
    async () => (await dockerCli(ENGINES[1]!).ok(['ps', '-aq', '--filter', `name=${name}`])) === '',
    15_000,
  );
  assert.equal(await where(name), `${n1} running ${swarmId}`);
});

test('a node removed from the discovery has its containers moved; listed again, its stale copy goes', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  const dir = await mkdtemp(join(tmpdir(), 'mst-resched-'));
  const file = join(dir, 'engines');
  const list = (engines: string[]) => writeFile(file, `${engines.map((e) => e.replace('tcp://', '')).join('\n')}\n`);
  await list(ENGINES);
  const listed = await startTestManager(
    { heartbeat: '1s', clusterOpt: [`swarm.rescheduletimeout=${TIMEOUT_MS}ms`] },
    `file://${file}`,
  );
  try {
    const name = `${prefix}unlisted`;
    await listed.docker.ok([
      'run',
      '-d',
      '--name',
      name,
      '-e',
      `constraint:node==~${n2}`,
      '-e',
      'reschedule:on-node-failure',
      'busybox',
      'sleep',
      '300',
    ]);
    const at = () => listed.docker.ok(['inspect', '--format', '{{.Node.Name}} {{.State.Status}}', name]);
    assert.equal(await at(), `${n2} running`);
    await list([ENGINES[0]!]);
    await eventually(async () => (await at()) === `${n1} running`, TIMEOUT_MS + 15_000);
    // The old copy still runs on node-2's engine, which the manager no longer knows.
    const onEngine2 = () => dockerCli(ENGINES[1]!).ok(['ps', '-aq', '--filter', `name=${name}`]);
    assert.notEqual(await onEngine2(), '');
    await list(ENGINES);
    await eventually(async () => (await onEngine2()) === '', 15_000);
    assert.deepEqual(
      lines(await listed.docker.ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}} {{.State}}'])),
      [`${n1}/${name} running`],
    );
  } finally {
    await listed.close();
    await rm(dir, { recursive: true, force: true });
  }
});
