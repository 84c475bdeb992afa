// Error texts users and scripts grep for, in classic Swarm's words, through the native driver with the real CLI:
// a container on an unhealthy node ("Container x running on unhealthy node n", no engine call), an engine that stops
// answering before it is marked unhealthy (the Docker client's "Cannot connect to the Docker daemon at …"), an image
// named by a 64-hex string no node holds ("cannot specify 64-byte hexadecimal strings"; one that is an image ID still
// runs), and a volume driver that does not exist ("… not found", not a registry error from a pull the CLI attempted).
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
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const P = uniquePrefix('cerr');
let nodes: string[] = [];
let ready = false;

before(async () => {
  if (!(await needEngines())) return;
  nodes = await engineNames();
  ready = true;
});
after(() => removeContainersNamed(P));

/** A manager over node-1 and node-2, node-2 reached through a proxy the test cuts. */
async function withCutNode2(flags: Parameters<typeof startTestManager>[0]) {
  const proxy: TcpProxy = await tcpProxy(ENGINES[1]!);
  const m: TestManager = await startTestManager(flags, [ENGINES[0]!, proxy.address].join(','));
  return { m, proxy, close: async () => (await m.close(), await proxy.close()) };
}

async function nodeStatus(m: TestManager, node: string): Promise<string | undefined> {
  const status = JSON.parse(await m.docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][];
  const at = status.findIndex(([k]) => k === ` ${node}`);
  return status.slice(at + 1).find(([k]) => k.includes('Status'))?.[1];
}

test('a container on an unhealthy node: logs, exec, attach, inspect, stop answer "running on unhealthy node"', async (t) => {
  if (!ready) return t.skip('no engines');
  const [, n2] = nodes as [string, string];
  const { m, proxy, close } = await withCutNode2({
    engineRefreshMinInterval: '500ms',
    engineRefreshMaxInterval: '1s',
    engineFailureRetry: '1',
  });
  try {
    const name = `${P}far`;
    await m.docker.ok(['run', '-d', '--name', name, '-e', `constraint:node==${n2}`, 'busybox', 'sleep', '300']);
    await proxy.cut();
    await eventually(async () => (await nodeStatus(m, n2)) === 'Unhealthy', 15_000);
    const expected = `Error response from daemon: Container ${name} running on unhealthy node ${n2}`;
    for (const args of [
      ['logs', name],
      ['exec', name, 'true'],
      ['attach', '--no-stdin', name],
      ['top', name],
      ['inspect', name],
      ['stop', '-t', '1', name],
      ['rm', '-f', name],
    ]) {
      const result = await m.docker(args, { timeoutMs: 20_000 });
      assert.notEqual(result.code, 0, args.join(' '));
      assert.ok(result.stderr.includes(expected), `docker ${args.join(' ')}: ${result.stderr}`);
    }
    // Placement leaves the node out, with classic Swarm's explanation of what could not be met.
    const pinned = await m.docker(['run', '-d', '-e', `constraint:node==${n2}`, 'busybox', 'true']);
    assert.match(
      pinned.stderr,
      new RegExp(
        `Unable to find a node that satisfies the following conditions \\n\\[available container slots\\]\\n\\[node==${n2}\\]`,
      ),
    );
  } finally {
    await close();
  }
});

test('an engine that stops answering before it is marked unhealthy: the Docker client’s words', async (t) => {
  if (!ready) return t.skip('no engines');
  const [, n2] = nodes as [string, string];
  // Many failures before Unhealthy, so the node is still a candidate when its engine stops answering.
  const { m, proxy, close } = await withCutNode2({ engineFailureRetry: '1000' });
  try {
    const name = `${P}failing`;
    await m.docker.ok(['run', '-d', '--name', name, '-e', `constraint:node==${n2}`, 'busybox', 'sleep', '300']);
    await proxy.cut();
    const expected = `Cannot connect to the Docker daemon at ${proxy.address}. Is the docker daemon running?`;
    const placed = await m.docker([
      'run',
      '-d',
      '--name',
      `${P}placed`,
      '-e',
      `constraint:node==${n2}`,
      'busybox',
      'true',
    ]);
    assert.notEqual(placed.code, 0);
    assert.ok(placed.stderr.includes(expected), placed.stderr);
    const logs = await m.docker(['logs', name]);
    assert.ok(logs.stderr.includes(expected), logs.stderr);
    assert.equal(await nodeStatus(m, n2), 'Healthy', 'not yet counted out');
    await proxy.restore();
    await m.docker.ok(['rm', '-f', name]);
  } finally {
    await close();
  }
});

test('an image named by 64 hex digits: refused unless it is an image ID a node holds', async (t) => {
  if (!ready) return t.skip('no engines');
  const m = await startTestManager();
  try {
    const unknown = '4e8aa3148a132f19ec560952231c4d39522043994df7d2dc239942c0f9424ebd';
    const refused = await m.docker(['run', '-d', '--name', `${P}hex`, unknown]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      new RegExp(`invalid repository name \\(${unknown}\\), cannot specify 64-byte hexadecimal strings`),
    );
    assert.equal(await m.docker.ok(['ps', '-aq', '--filter', `name=${P}hex`]), '', 'nothing was created');
    // Docker reads 64 hex digits as an image ID: one the nodes hold runs.
    const id = (await dockerCli(ENGINES[0]!).ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox'])).replace(
      /^sha256:/,
      '',
    );
    assert.equal(await m.docker.ok(['run', '--rm', id, 'echo', 'by id']), 'by id');
  } finally {
    await m.close();
  }
});

// dockerd looks for a plugin of that name for about 15 s before it gives up: one lookup is enough here.
test('a volume driver that does not exist: the engine’s "not found", not a registry error', async (t) => {
  if (!ready) return t.skip('no engines');
  const m = await startTestManager();
  try {
    const run = await m.docker([
      'run',
      '-d',
      '--name',
      `${P}vol`,
      '--volume-driver',
      'nosuchdriver',
      '-v',
      `${P}v:/data`,
      'busybox',
      'true',
    ]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /error looking up volume plugin nosuchdriver: plugin "nosuchdriver" not found/);
    // Answered as a 404, the CLI would have taken it for a missing image and tried a pull.
    assert.doesNotMatch(run.stderr, /Unable to find image/);
  } finally {
    await m.close();
  }
});
