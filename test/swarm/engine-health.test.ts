// Engines coming and going, with node-2 reached through a TCP proxy the test can cut (the daemon itself is shared and
// keeps running): the node turns Unhealthy in docker info, its containers drop out of ps (Host Down with -a),
// placement avoids it, streams to it fail cleanly, and it comes back; the manager reports each change as a swarm
// event (engine_disconnect, engine_reconnect). A second address of an engine already known stays Pending, as in
// classic Swarm ("ID duplicated").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines, ENGINES } from '../helpers/services.js';
import {
  startTestManager,
  removeContainersNamed,
  uniquePrefix,
  eventually,
  type TestManager,
} from '../helpers/manager.js';
import { engineNames, nodeStatus as nodeStatus_ } from '../helpers/nodes.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const prefix = uniquePrefix('health');
let m: TestManager | undefined;
let proxy: TcpProxy | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needEngines())) return;
  nodes = await engineNames();
  proxy = await tcpProxy(ENGINES[1]!);
  m = await startTestManager(
    { engineRefreshMinInterval: '500ms', engineRefreshMaxInterval: '1s', engineFailureRetry: '1' },
    [ENGINES[0]!, proxy.address].join(','),
  );
});
after(async () => {
  await m?.close();
  await proxy?.close();
  await removeContainersNamed(prefix);
});

const lines = (text: string) => text.split('\n').filter(Boolean);

const nodeStatus = (name: string) => nodeStatus_(m!.docker, name);

test('a node that goes away turns Unhealthy, drops out of placement and ps, and comes back', async (t) => {
  if (!m || !proxy) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  const name = `${prefix}on2`;
  await m.docker.ok(['run', '-d', '--name', name, '-e', `constraint:node==${n2}`, 'busybox', 'sleep', '300']);
  assert.equal((await nodeStatus(n2)).get('Status'), 'Healthy');
  const since = Date.now() / 1000;
  // Streams open when the node goes away end, rather than hang.
  const follow = m.docker.start(['logs', '-f', name]);
  const attach = m.docker.start(['attach', '--sig-proxy=false', name]);
  await new Promise((r) => setTimeout(r, 500));

  await proxy.cut();
  for (const [what, stream] of [
    ['logs -f', follow],
    ['attach', attach],
  ] as const) {
    const ended = await Promise.race([
      stream.exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
    ]);
    await stream.stop();
    assert.ok(ended, `${what} must end when the node goes away`);
  }
  const down = await eventually(async () => {
    const status = await nodeStatus(n2);
    return status.get('Status') === 'Unhealthy' ? status : undefined;
  }, 15_000);
  assert.match(down.get('Containers') ?? '', /^\d+$/, 'an unhealthy node shows a bare count');
  assert.ok(down.get('Error'), 'the last error is shown');
  assert.equal((await nodeStatus(n1)).get('Status'), 'Healthy');

  // Its containers are hidden from ps, shown as Host Down with -a.
  assert.equal(await m.docker.ok(['ps', '-q', '--filter', `name=${name}`]), '');
  assert.equal(
    await m.docker.ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}} {{.Status}}']),
    `${n2}/${name} Host Down`,
  );
  // New containers go to the healthy node; one pinned to the lost node cannot be placed.
  await m.docker.ok(['run', '-d', '--name', `${prefix}elsewhere`, 'busybox', 'sleep', '300']);
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', `${prefix}elsewhere`]), n1);
  const pinned = await m.docker([
    'run',
    '-d',
    '--name',
    `${prefix}pinned`,
    '-e',
    `constraint:node==${n2}`,
    'busybox',
    'true',
  ]);
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.stderr, /Error response from daemon: .+/);
  // Streams to it fail with a message instead of hanging.
  const logs = await m.docker(['logs', name], { timeoutMs: 15_000 });
  assert.notEqual(logs.code, 0);
  assert.match(logs.stderr, /Error response from daemon|error during connect|cannot/i);

  await proxy.restore();
  await eventually(async () => (await nodeStatus(n2)).get('Status') === 'Healthy', 15_000);
  const back = await eventually(
    async () => m!.docker.ok(['ps', '--filter', `name=${name}`, '--format', '{{.Names}} {{.Status}}']),
    15_000,
  );
  assert.match(back, new RegExp(`^${n2}/${name} Up `));
  assert.equal(await m.docker.ok(['exec', name, 'echo', 'reachable']), 'reachable');

  const until = Date.now() / 1000;
  const events = lines(
    await m.docker.ok([
      'events',
      '--since',
      since.toFixed(9),
      '--until',
      until.toFixed(9),
      '--filter',
      'type=swarm',
      '--format',
      '{{.Action}} {{index .Actor.Attributes "node.name"}}',
    ]),
  );
  assert.deepEqual(events, [`engine_disconnect ${n2}`, `engine_reconnect ${n2}`]);
});

test('a second address of a known engine stays Pending with "ID duplicated"', async (t) => {
  if (!(await needEngines(t)) || !proxy) return;
  const twin = await startTestManager({}, [...ENGINES, proxy.address].join(','));
  try {
    const status = JSON.parse(await twin.docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [
      string,
      string,
    ][];
    const addrs = status.filter(([k]) => /^ \S/.test(k)).map(([k, v]) => `${k.trim()} ${v}`);
    assert.equal(addrs.length, 3, addrs.join(', '));
    const pendingAt = status.findIndex(([k, v]) => k.includes('└ Status') && v === 'Pending');
    assert.ok(pendingAt > 0, 'one of the two addresses of node-2 is Pending');
    const block = status.slice(pendingAt - 2, pendingAt + 8);
    const error = block.find(([k]) => k.includes('└ Error'));
    assert.match(error?.[1] ?? '', /^ID duplicated\. \S+ shared by this node \S+ and another node \S+$/);
    // Its containers are counted once.
    const top = JSON.parse(await twin.docker.ok(['info', '--format', '{{.Containers}}'])) as number;
    const listed = lines(await twin.docker.ok(['ps', '-aq'])).length;
    assert.equal(top, listed);
  } finally {
    await twin.close();
  }
});
