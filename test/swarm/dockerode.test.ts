// dockerode (the Node Docker client) against the manager: create, start, inspect, wait, logs (multiplexed frames),
// list and remove through its API, and the 404 it turns into an error with statusCode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Dockerode from 'dockerode';
import { needEngines } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { engineNames } from '../helpers/nodes.js';

const prefix = uniquePrefix('dockerode');
let m: TestManager | undefined;
let docker: Dockerode | undefined;

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(m.host)!;
  docker = new Dockerode({ host, port: Number(port), protocol: 'http' });
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

/** Splits Docker's multiplexed stream: 8-byte headers [stream, 0, 0, 0, size]. */
function demux(buffer: Buffer): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  for (let at = 0; at + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(at + 4);
    const payload = buffer.subarray(at + 8, at + 8 + size).toString('utf8');
    if (buffer[at] === 1) stdout += payload;
    else if (buffer[at] === 2) stderr += payload;
    at += 8 + size;
  }
  return { stdout, stderr };
}

test('dockerode creates, starts, inspects, waits for, reads the logs of and removes a container', async (t) => {
  if (!m || !docker) return t.skip('no engines');
  const nodes = await engineNames();
  const name = `${prefix}one`;
  const container = await docker.createContainer({
    name,
    Image: 'busybox',
    Cmd: ['sh', '-c', 'echo hello; echo oops >&2; exit 2'],
    Env: [`constraint:node==${nodes[1]}`],
    Labels: { suite: prefix },
  });
  assert.match(container.id, /^[0-9a-f]{64}$/);
  const created = await container.inspect();
  assert.equal(created.State.Status, 'created');
  assert.equal((created as unknown as { Node: { Name: string } }).Node.Name, nodes[1]);
  assert.equal(created.Config.Labels.suite, prefix);
  assert.ok(
    !created.Config.Env.some((e) => e.startsWith('constraint:')),
    'scheduling expressions are not passed on as env',
  );

  await container.start();
  const waited = (await container.wait()) as { StatusCode: number };
  assert.equal(waited.StatusCode, 2);
  const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  assert.deepEqual(demux(logs), { stdout: 'hello\n', stderr: 'oops\n' });

  const listed = await docker.listContainers({ all: true, filters: { label: [`suite=${prefix}`] } });
  assert.deepEqual(
    listed.map((c) => [c.Id, c.Names[0], c.State]),
    [[container.id, `/${nodes[1]}/${name}`, 'exited']],
  );

  await container.remove();
  await assert.rejects(docker.getContainer(name).inspect(), (err: { statusCode?: number; message?: string }) => {
    assert.equal(err.statusCode, 404);
    assert.match(String(err.message), /No such container/);
    return true;
  });
});

test('dockerode reads version and info', async (t) => {
  if (!m || !docker) return t.skip('no engines');
  const version = await docker.version();
  assert.equal(version.ApiVersion, '1.41');
  const info = (await docker.info()) as { SystemStatus: [string, string][]; ServerVersion: string };
  assert.match(info.ServerVersion, /^mesoswarm\//);
  const status = new Map(info.SystemStatus.map(([k, v]) => [k, v]));
  assert.equal(status.get('Role'), 'primary');
  assert.equal(status.get('Nodes'), String((await engineNames()).length));
});
