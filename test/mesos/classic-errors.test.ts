// Error texts users and scripts grep for, in mesos mode over the Mesos test double and real Mesos: a container whose agent's engine
// is unhealthy ("Container x running on unhealthy node n"; inspect still answers, from the manager's record), an image named by 64 hex digits (refused at create:
// Mesos pulls by name, and no such name can be pulled), and a volume driver no agent's engine has (refused at create
// with the engine's "… not found"; inside the task it was only "Container exited with status 125"). The refused
// creates leave nothing behind: no container, no Mesos task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../helpers/services.js';
import { removeContainersNamed, uniquePrefix, eventually } from '../helpers/manager.js';
import { engineNames } from '../helpers/nodes.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import {
  doubleOnly,
  needBackend,
  ON_REAL_MESOS,
  startMesosTestCluster,
  type MesosTestCluster,
} from '../helpers/mesos.js';
import { messageOf, request } from '../helpers/http.js';

const P = uniquePrefix('mcerr');
let c: MesosTestCluster | undefined;
let proxy: TcpProxy | undefined;
let nodes: string[] = [];

before(async () => {
  if (!(await needBackend())) return;
  nodes = await engineNames();
  // Only the double's agents can advertise a cuttable proxy as their engine's port (real agents advertise 2375/2385).
  if (!ON_REAL_MESOS) proxy = await tcpProxy(ENGINES[1]!);
  const proxyPort = proxy ? Number(/:(\d+)$/.exec(proxy.address)![1]) : 0;
  c = await startMesosTestCluster({
    double: {
      agents: [
        { dockerHost: 'unix:///var/run/docker.sock', dockerPort: 2375, cpus: 2, mem: 2048 },
        // The manager reaches node-2's daemon through the proxy; the agent itself runs containers on it directly.
        { dockerHost: 'unix:///var/run/docker-node2.sock', dockerPort: proxyPort, cpus: 2, mem: 2048 },
      ],
    },
    flags: { engineRefreshMinInterval: '500ms', engineRefreshMaxInterval: '1s', engineFailureRetry: '1' },
  });
});
after(async () => {
  await c?.close();
  await proxy?.close();
  await removeContainersNamed(P);
});

async function tasksNamed(prefix: string) {
  const { live, completed } = await c!.tasks();
  return [...live, ...completed].filter((task) => task.id.startsWith(prefix));
}

test('mesos - a container whose agent’s engine is unhealthy: logs, exec, attach say "running on unhealthy node"', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  if (
    doubleOnly(t, 'the manager reaches the agent’s engine through a cuttable proxy only the double’s agents advertise')
  )
    return;
  const [, n2] = nodes as [string, string];
  const docker = c.m.docker;
  const name = `${P}far`;
  const id = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    name,
    '-e',
    `constraint:node==${n2}`,
    'busybox',
    'sleep',
    '300',
  ]);
  await proxy!.cut();
  try {
    await eventually(async () => {
      const status = JSON.parse(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][];
      return status.some(
        ([k, v]) => k.includes('Engine') && v.includes(proxy!.address.replace('tcp://', '')) && /Unhealthy/.test(v),
      );
    }, 15_000);
    // The container as the request named it: the CLI inspects first (answered from the manager's record here), then
    // asks by ID.
    const expected = new RegExp(`Container (${name}|${id}) running on unhealthy node ${n2}`);
    for (const args of [
      ['logs', name],
      ['exec', name, 'true'],
      ['top', name],
    ]) {
      const result = await docker(args, { timeoutMs: 20_000 });
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.stderr, new RegExp(`Error response from daemon: ${expected.source}`), args.join(' '));
    }
    // The CLI shows only the status of a refused attach ("unable to upgrade to tcp, received 500"); the answer says why.
    const attach = await request(c.m.host, 'POST', `/v1.41/containers/${name}/attach?stream=1&stdout=1`);
    assert.equal(attach.status, 500);
    assert.match(messageOf(attach), expected);
  } finally {
    await proxy!.restore();
  }
  await docker.ok(['rm', '-f', name]);
});

test('mesos - an image named by 64 hex digits is refused at create, leaving nothing behind', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const name = `${P}hex`;
  const hex = '4e8aa3148a132f19ec560952231c4d39522043994df7d2dc239942c0f9424ebd';
  const result = await c.m.docker(['run', '-d', '-m', '20m', '--name', name, hex]);
  assert.notEqual(result.code, 0);
  assert.match(
    result.stderr,
    new RegExp(`invalid repository name \\(${hex}\\), cannot specify 64-byte hexadecimal strings`),
  );
  assert.equal(await c.m.docker.ok(['ps', '-aq', '--filter', `name=${name}`]), '');
  assert.deepEqual(await tasksNamed(`${name}.`), []);
});

test('mesos - a volume driver no agent has is refused at create with "not found", leaving nothing behind', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const name = `${P}vol`;
  const result = await c.m.docker([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    name,
    '--volume-driver',
    'nosuchdriver',
    '-v',
    `${P}data:/data`,
    'busybox',
    'true',
  ]);
  assert.notEqual(result.code, 0);
  assert.match(
    result.stderr,
    /error looking up volume plugin nosuchdriver: plugin "nosuchdriver" not found on any node/,
  );
  assert.doesNotMatch(result.stderr, /Unable to find image|exited with status/);
  assert.equal(await c.m.docker.ok(['ps', '-aq', '--filter', `name=${name}`]), '');
  assert.deepEqual(await tasksNamed(`${name}.`), []);
  // The local driver, named or not, is no reason to refuse.
  const local = await c.m.docker([
    'run',
    '--rm',
    '-m',
    '20m',
    '--volume-driver',
    'local',
    '-v',
    `${P}data:/data`,
    'busybox',
    'true',
  ]);
  assert.equal(local.code, 0, local.stderr);
});
