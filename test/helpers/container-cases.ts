// Container cases that both drivers must pass the same way (their suites run them against a manager): the Docker
// SDK for Python's attach calls (no-stream with logs on an ended container; the websocket attach, opened before the
// start), `docker rm --link parent/alias`, and `docker update` saying what the engine did not apply. `resources`
// is what a create must carry (mesos mode refuses a container that asks for nothing).
import assert from 'node:assert/strict';
import type { DockerCli } from './docker-cli.js';
import { python } from './python-sdk.js';
import { request } from './http.js';
import { eventually } from './manager.js';

export interface Target {
  readonly host: string;
  readonly docker: DockerCli;
  /** `docker run` flags every container needs (`['-m', '20m']` in mesos mode). */
  readonly resources: readonly string[];
  /** The same for the SDK: a host_config's keyword arguments, as Python source. */
  readonly sdkResources: string;
}

/**
 * `attach(stream=False, logs=True)` on an ended container returns its output, every time. The SDK reads the attach's
 * `101` through a buffered reader and then the raw socket, so output sent with the `101` is lost; the manager holds
 * it back a moment (see LOGS_ONLY_GAP_MS). Twenty attaches, as the SDK's own integration test does one.
 */
export async function attachNoStream(target: Target, name: string): Promise<void> {
  const ran = await python(
    target.host,
    `
hc = client.create_host_config(${target.sdkResources})
c = client.create_container('busybox', 'echo hello', name=sys.argv[1], host_config=hc)
client.start(c)
client.wait(c, condition='not-running')
outputs = [client.attach(c, stream=False, logs=True) for _ in range(20)]
print(sum(1 for o in outputs if o == b'hello\\n'), repr(set(outputs)))
print(repr(client.attach(c, stream=False, logs=False)))
client.remove_container(c, force=True)
`,
    [name],
  );
  assert.equal(ran.code, 0, ran.stderr);
  const [count, nothing] = ran.stdout.trim().split('\n');
  assert.match(count!, /^20 /, `every attach returns the output: ${count}`);
  assert.equal(nothing, "b''", 'without logs, an ended container has nothing to attach to');
}

/**
 * The websocket attach (`/containers/{id}/attach/ws`) as the SDK's own test opens it: before the start, with
 * stream and logs; what the container prints arrives as a websocket message. The upgrade must reach the engine as
 * a websocket upgrade (it answered 400 "not websocket protocol" to a `tcp` one).
 */
export async function attachWebsocket(target: Target, name: string): Promise<void> {
  const line = 'hi there and stuff and things, words!';
  const ran = await python(
    target.host,
    `
hc = client.create_host_config(${target.sdkResources})
c = client.create_container('busybox', "printf '${line}'", name=sys.argv[1], detach=True, tty=False, host_config=hc)
ws = client.attach_socket(c, {'stdout': 1, 'stream': 1, 'logs': 1}, ws=True)
client.start(c)
print(ws.recv().decode('utf-8'))
ws.close()
client.remove_container(c, force=True)
`,
    [name],
  );
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout.trim(), line);
}

/** `docker rm --link web/db`: the link goes (from /etc/hosts and from HostConfig.Links), the containers stay. */
export async function removeLink(target: Target, prefix: string, parentRef = (web: string) => web): Promise<void> {
  const { docker, resources } = target;
  const db = `${prefix}db`;
  const web = `${prefix}web`;
  await docker.ok(['run', '-d', ...resources, '--name', db, 'busybox', 'sleep', '300']);
  await docker.ok(['run', '-d', ...resources, '--name', web, '--link', `${db}:db`, 'busybox', 'sleep', '300']);
  assert.match(await docker.ok(['exec', web, 'cat', '/etc/hosts']), /\sdb(\s|$)/m);
  await docker.ok(['rm', '--link', `${parentRef(web)}/db`]);
  assert.doesNotMatch(await docker.ok(['exec', web, 'cat', '/etc/hosts']), /\sdb(\s|$)/m);
  assert.equal(await docker.ok(['inspect', '--format', '{{len .HostConfig.Links}}', web]), '0');
  assert.match(await docker.ok(['ps', '--filter', `name=${prefix}`, '--format', '{{.Names}}']), new RegExp(db));
  const again = await docker(['rm', '--link', `${web}/db`]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, new RegExp(`No such container: ${web}/db`));
  const bare = await docker(['rm', '--link', web]);
  assert.match(bare.stderr, /cannot remove the default link name of the container/);
  await docker.ok(['rm', '-f', web, db]);
}

/**
 * `docker update`: what the engine applies is applied (CpuShares), its own warnings come through (compared with
 * the same update made on the engine directly, so whatever this kernel lacks), and fields the engine's update
 * accepts and drops without a word (MemorySwappiness, Ulimits) are named in the Warnings.
 */
export async function updateWarnings(target: Target, name: string, engine: string): Promise<void> {
  const { docker, resources } = target;
  const id = await docker.ok(['run', '-d', ...resources, '--name', name, 'busybox', 'sleep', '300']);
  const body = {
    BlkioWeight: 300,
    CpuShares: 512,
    MemorySwappiness: 10,
    Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }],
  };
  const answer = await request(target.host, 'POST', `/v1.41/containers/${id}/update`, { body });
  assert.equal(answer.status, 200, answer.text);
  const warnings = (answer.json as { Warnings: string[] | null }).Warnings ?? [];
  for (const field of ['MemorySwappiness', 'Ulimits']) {
    assert.ok(
      warnings.some((w) => w.startsWith(`${field} was not changed`)),
      `${field} named: ${warnings.join(' | ')}`,
    );
  }
  assert.ok(!warnings.some((w) => w.startsWith('CpuShares')), 'what was applied is not warned about');
  assert.equal(await docker.ok(['inspect', '--format', '{{.HostConfig.CpuShares}}', name]), '512');
  // The engine's own warnings, straight from it for a twin container, are in ours.
  const twin = await request(engine, 'POST', '/v1.41/containers/create', { body: { Image: 'busybox', Cmd: ['true'] } });
  const twinId = (twin.json as { Id: string }).Id;
  try {
    const straight = await request(engine, 'POST', `/v1.41/containers/${twinId}/update`, {
      body: { BlkioWeight: 300 },
    });
    for (const warning of (straight.json as { Warnings: string[] | null }).Warnings ?? []) {
      assert.ok(warnings.includes(warning), `the engine's "${warning}" comes through`);
    }
  } finally {
    await request(engine, 'DELETE', `/v1.41/containers/${twinId}?force=1`);
  }
  // The CLI prints the warnings; an update of what the engine applies prints none.
  const cli = await docker(['update', '--cpu-shares', '256', name]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stderr, '');
  await eventually(async () => (await docker.ok(['inspect', '--format', '{{.HostConfig.CpuShares}}', name])) === '256');
  await docker.ok(['rm', '-f', name]);
}
