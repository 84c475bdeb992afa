// Networks and volumes through the manager: local objects listed as `<node>/<name>`, created on the node named in
// `<node>/<name>` (networks elsewhere on one node, volumes on every node), a container joining a local network
// placed on that network's node, connect/disconnect across nodes refused, inspect and rm, filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines, ENGINES } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';

const prefix = uniquePrefix('netvol');
const STOPPABLE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];
let m: TestManager | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
  for (const engine of ENGINES) {
    const direct = dockerCli(engine);
    const networks = (await direct(['network', 'ls', '-q', '--filter', `name=${prefix}`])).stdout
      .split('\n')
      .filter(Boolean);
    if (networks.length) await direct(['network', 'rm', ...networks]);
    const volumes = (await direct(['volume', 'ls', '-q', '--filter', `name=${prefix}`])).stdout
      .split('\n')
      .filter(Boolean);
    if (volumes.length) await direct(['volume', 'rm', '-f', ...volumes]);
  }
});

const lines = (text: string) => text.split('\n').filter(Boolean);
const direct = (i: number) => dockerCli(ENGINES[i]!);
const networksOn = async (i: number) => lines(await direct(i).ok(['network', 'ls', '--format', '{{.Name}}']));
const volumesOn = async (i: number) => lines(await direct(i).ok(['volume', 'ls', '--format', '{{.Name}}']));

test('network ls shows every node’s local networks as <node>/<name>', async (t) => {
  if (!m) return t.skip('no engines');
  const names = lines(await m.docker.ok(['network', 'ls', '--format', '{{.Name}} {{.Scope}}']));
  for (const node of nodes) {
    for (const builtin of ['bridge', 'host', 'none'])
      assert.ok(names.includes(`${node}/${builtin} local`), `${node}/${builtin}`);
  }
  const ambiguous = await m.docker(['network', 'inspect', 'bridge']);
  assert.notEqual(ambiguous.code, 0);
  assert.match(ambiguous.stderr, /ambiguous.*use <node>\/bridge/);
  assert.equal(
    await m.docker.ok(['network', 'inspect', '--format', '{{.Name}} {{.Driver}}', `${nodes[1]}/bridge`]),
    'bridge bridge',
  );
  const badType = await m.docker(['network', 'ls', '--filter', 'type=sideways']);
  assert.notEqual(badType.code, 0);
  assert.match(badType.stderr, /Invalid filter/);
});

test('network create node/name pins the network; a container on it is placed on that node', async (t) => {
  if (!m) return t.skip('no engines');
  const net = `${prefix}pinned`;
  const id = await m.docker.ok(['network', 'create', `${nodes[1]}/${net}`]);
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.ok((await networksOn(1)).includes(net));
  assert.ok(!(await networksOn(0)).includes(net));
  assert.deepEqual(lines(await m.docker.ok(['network', 'ls', '--filter', `name=${net}`, '--format', '{{.Name}}'])), [
    `${nodes[1]}/${net}`,
  ]);
  assert.equal(await m.docker.ok(['network', 'inspect', '--format', '{{.Id}}', net]), id);
  assert.equal(await m.docker.ok(['network', 'inspect', '--format', '{{.Id}}', `${nodes[1]}/${net}`]), id);
  assert.ok(
    lines(await m.docker.ok(['network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}}'])).includes(
      `${nodes[1]}/${net}`,
    ),
  );

  // Spread would put some of these on node-1; the network's node wins every time, by name or by node/name.
  for (const [i, ref] of [net, `${nodes[1]}/${net}`, net].entries()) {
    const name = `${prefix}on-net${i}`;
    await m.docker.ok(['run', '-d', '--name', name, '--network', ref, 'busybox', ...STOPPABLE]);
    assert.equal(
      await m.docker.ok([
        'inspect',
        '--format',
        '{{.Node.Name}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}',
        name,
      ]),
      `${nodes[1]} ${net}`,
    );
  }
  // The containers reach each other over it.
  assert.match(
    await m.docker.ok(['exec', `${prefix}on-net0`, 'ping', '-c', '1', '-W', '2', `${prefix}on-net1`]),
    /1 packets received/,
  );

  const inUse = await m.docker(['network', 'rm', net]);
  assert.notEqual(inUse.code, 0);
  assert.match(inUse.stderr, /active endpoints/);
  await m.docker.ok(['rm', '-f', `${prefix}on-net0`, `${prefix}on-net1`, `${prefix}on-net2`]);
  assert.equal(await m.docker.ok(['network', 'rm', net]), net);
  assert.ok(!(await networksOn(1)).includes(net));
  const gone = await m.docker(['network', 'inspect', net]);
  assert.match(gone.stderr, /not found|No such/);
});

test('network connect and disconnect on the container’s node; across nodes refused', async (t) => {
  if (!m) return t.skip('no engines');
  const net = `${prefix}conn`;
  await m.docker.ok(['network', 'create', `${nodes[0]}/${net}`]);
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    `${prefix}here`,
    '-e',
    `constraint:node==${nodes[0]}`,
    'busybox',
    ...STOPPABLE,
  ]);
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    `${prefix}there`,
    '-e',
    `constraint:node==${nodes[1]}`,
    'busybox',
    ...STOPPABLE,
  ]);
  const networks = (name: string) =>
    m!.docker.ok(['inspect', '--format', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', name]);

  await m.docker.ok(['network', 'connect', net, `${prefix}here`]);
  assert.equal(await networks(`${prefix}here`), `bridge ${net}`);
  assert.deepEqual(lines(await m.docker.ok(['ps', '--filter', `network=${net}`, '--format', '{{.Names}}'])), [
    `${nodes[0]}/${prefix}here`,
  ]);
  await m.docker.ok(['network', 'disconnect', net, `${prefix}here`]);
  assert.equal(await networks(`${prefix}here`), 'bridge');

  const across = await m.docker(['network', 'connect', net, `${prefix}there`]);
  assert.notEqual(across.code, 0);
  assert.match(across.stderr, new RegExp(`is on node ${nodes[1]}`));
  assert.equal(await networks(`${prefix}there`), 'bridge');
  await m.docker.ok(['network', 'rm', `${nodes[0]}/${net}`]);
});

test('network create without a node puts it on exactly one node', async (t) => {
  if (!m) return t.skip('no engines');
  const net = `${prefix}anywhere`;
  await m.docker.ok(['network', 'create', net]);
  const holders = (await Promise.all(ENGINES.map(async (_, i) => (await networksOn(i)).includes(net)))).filter(Boolean);
  assert.equal(holders.length, 1);
  const [listed] = lines(await m.docker.ok(['network', 'ls', '--filter', `name=${net}`, '--format', '{{.Name}}']));
  assert.ok(
    nodes.some((n) => listed === `${n}/${net}`),
    listed,
  );
  await m.docker.ok(['network', 'rm', net]);
});

test('volume create makes it on every node, or on the node named; ls, inspect and rm', async (t) => {
  if (!m) return t.skip('no engines');
  const everywhere = `${prefix}vol`;
  const pinned = `${prefix}vol-pinned`;
  assert.equal(await m.docker.ok(['volume', 'create', '--label', `suite=${prefix}`, everywhere]), everywhere);
  for (const i of ENGINES.keys()) assert.ok((await volumesOn(i)).includes(everywhere), `engine ${i}`);
  assert.equal(await m.docker.ok(['volume', 'create', `${nodes[0]}/${pinned}`]), `${nodes[0]}/${pinned}`);
  assert.ok((await volumesOn(0)).includes(pinned));
  assert.ok(!(await volumesOn(1)).includes(pinned));

  const ls = (...filters: string[]) =>
    m!.docker.ok(['volume', 'ls', '--format', '{{.Name}}', '--filter', `name=${prefix}vol`, ...filters]).then(lines);
  assert.deepEqual((await ls()).sort(), [...nodes.map((n) => `${n}/${everywhere}`), `${nodes[0]}/${pinned}`].sort());
  assert.deepEqual(await ls('--filter', `node=${nodes[1]}`), [`${nodes[1]}/${everywhere}`]);
  assert.deepEqual(
    (await ls('--filter', `label=suite=${prefix}`)).sort(),
    nodes.map((n) => `${n}/${everywhere}`).sort(),
  );

  assert.equal(
    await m.docker.ok(['volume', 'inspect', '--format', '{{.Name}} {{.Driver}}', `${nodes[0]}/${pinned}`]),
    `${pinned} local`,
  );
  assert.equal(
    await m.docker.ok(['volume', 'inspect', '--format', '{{.Name}}', pinned]),
    pinned,
    'a name on one node only is unique',
  );

  // A container on either node finds the volume there.
  for (const [i, node] of nodes.entries()) {
    const out = await m.docker.ok([
      'run',
      '--rm',
      '-e',
      `constraint:node==${node}`,
      '-v',
      `${everywhere}:/data`,
      'busybox',
      'sh',
      '-c',
      `echo ${i} > /data/f; cat /data/f`,
    ]);
    assert.equal(out, String(i));
  }

  assert.equal(await m.docker.ok(['volume', 'rm', everywhere]), everywhere);
  for (const i of ENGINES.keys()) assert.ok(!(await volumesOn(i)).includes(everywhere), `engine ${i}`);
  await m.docker.ok(['volume', 'rm', `${nodes[0]}/${pinned}`]);
  assert.deepEqual(await ls(), []);
  const missing = await m.docker(['volume', 'rm', everywhere]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no such volume/i);
  const badNode = await m.docker(['volume', 'create', `no-such-node/${prefix}x`]);
  assert.match(badNode.stderr, /No such node: no-such-node/);
});
