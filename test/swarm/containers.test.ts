// Container commands through the manager with the real docker CLI, over both engines: ps and ps -a with filters,
// inspect and --format (with classic Swarm's Node object), the lifecycle (stop, start, restart, kill, pause,
// unpause), rename and its 409, wait, rm and rm -f, top, stats --no-stream, cp both ways, and port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needEngines, ENGINES } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { freePort, messageOf, request } from '../helpers/http.js';

const prefix = uniquePrefix('containers');
/** Ends at once on SIGTERM (a shell as PID 1 would otherwise ignore it and make every stop wait 10 s). */
const STOPPABLE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];
let m: TestManager | undefined;
let nodes: string[] = [];
let work = '';

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
  nodes = await engineNames();
  work = await mkdtemp(join(tmpdir(), 'mst-containers-'));
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
  if (work) await rm(work, { recursive: true, force: true });
});

const lines = (text: string) => text.split('\n').filter(Boolean);

async function runOn(node: string, name: string, args: string[], command = STOPPABLE): Promise<string> {
  return m!.docker.ok([
    'run',
    '-d',
    '--name',
    `${prefix}${name}`,
    '-e',
    `constraint:node==${node}`,
    ...args,
    'busybox',
    ...command,
  ]);
}

test('ps lists running containers, ps -a all of them, newest first, as <node>/<name>', async (t) => {
  if (!m) return t.skip('no engines');
  const [n1, n2] = nodes as [string, string];
  const label = `grp=${prefix}ps`;
  const running = await runOn(n1, 'ps1', ['-l', label]);
  const zero = await m.docker([
    'run',
    '--name',
    `${prefix}ps2`,
    '-l',
    label,
    '-e',
    `constraint:node==${n2}`,
    'busybox',
    'true',
  ]);
  assert.equal(zero.code, 0, zero.stderr);
  const three = await m.docker([
    'run',
    '--name',
    `${prefix}ps3`,
    '-l',
    label,
    '-e',
    `constraint:node==${n2}`,
    'busybox',
    'sh',
    '-c',
    'exit 3',
  ]);
  assert.equal(three.code, 3, three.stderr);
  const ps = (...args: string[]) =>
    m!.docker.ok(['ps', '--filter', `label=${label}`, '--format', '{{.Names}}', ...args]);

  assert.deepEqual(lines(await ps()), [`${n1}/${prefix}ps1`]);
  assert.deepEqual(lines(await ps('-a')), [`${n2}/${prefix}ps3`, `${n2}/${prefix}ps2`, `${n1}/${prefix}ps1`]);
  // status and exited filters imply -a, as in dockerd.
  assert.deepEqual(lines(await ps('--filter', 'status=exited')), [`${n2}/${prefix}ps3`, `${n2}/${prefix}ps2`]);
  assert.deepEqual(lines(await ps('--filter', 'exited=3')), [`${n2}/${prefix}ps3`]);
  assert.deepEqual(lines(await ps('--filter', 'exited=0')), [`${n2}/${prefix}ps2`]);
  assert.deepEqual(lines(await ps('--filter', 'status=running')), [`${n1}/${prefix}ps1`]);
  assert.deepEqual(lines(await ps('-a', '--filter', `node=${n2}`)), [`${n2}/${prefix}ps3`, `${n2}/${prefix}ps2`]);
  assert.deepEqual(lines(await ps('-a', '--filter', `name=${prefix}ps[13]`)), [
    `${n2}/${prefix}ps3`,
    `${n1}/${prefix}ps1`,
  ]);
  assert.deepEqual(lines(await ps('-a', '--filter', `id=${running.slice(0, 12)}`)), [`${n1}/${prefix}ps1`]);
  assert.deepEqual(lines(await ps('-a', '--filter', `before=${prefix}ps3`)), [
    `${n2}/${prefix}ps2`,
    `${n1}/${prefix}ps1`,
  ]);
  assert.deepEqual(lines(await ps('-a', '--filter', `since=${prefix}ps1`)), [
    `${n2}/${prefix}ps3`,
    `${n2}/${prefix}ps2`,
  ]);
  assert.deepEqual(lines(await ps('-n', '2')), [`${n2}/${prefix}ps3`, `${n2}/${prefix}ps2`], '-n N shows the N newest');
  // Other labels and the label key alone.
  assert.deepEqual(lines(await m.docker.ok(['ps', '-a', '--filter', `label=grp=${prefix}none`, '-q'])), []);
  assert.equal(
    lines(await m.docker.ok(['ps', '-a', '--filter', `label=${label}`, '--filter', 'label=grp', '-q'])).length,
    3,
  );
  // -q prints short IDs; --no-trunc full ones.
  assert.deepEqual(lines(await m.docker.ok(['ps', '-q', '--filter', `label=${label}`])), [running.slice(0, 12)]);
  assert.deepEqual(lines(await m.docker.ok(['ps', '-q', '--no-trunc', '--filter', `label=${label}`])), [running]);
});

test('ps refuses unknown filters and bad filter values with the daemon message', async (t) => {
  if (!m) return t.skip('no engines');
  const unknown = await m.docker(['ps', '--filter', 'colour=blue']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /Invalid filter 'colour'/);
  const status = await m.docker(['ps', '--filter', 'status=sleeping']);
  assert.notEqual(status.code, 0);
  assert.match(status.stderr, /Invalid filter 'status=sleeping'/);
  assert.equal((await m.docker(['ps'])).code, 0, 'the manager still answers');
});

test('inspect finds a container by name, <node>/<name> and short ID, with the Node object', async (t) => {
  if (!m) return t.skip('no engines');
  const [, n2] = nodes as [string, string];
  const id = await runOn(n2, 'insp', []);
  const format = '{{.Id}}|{{.Name}}|{{.Node.Name}}|{{.Node.Addr}}|{{.Node.IP}}|{{.State.Status}}';
  const expected = `${id}|/${prefix}insp|${n2}|${ENGINES[1]!.replace('tcp://', '')}|127.0.0.1|running`;
  assert.equal(await m.docker.ok(['inspect', '--format', format, `${prefix}insp`]), expected);
  assert.equal(await m.docker.ok(['inspect', '--format', format, `${n2}/${prefix}insp`]), expected);
  assert.equal(await m.docker.ok(['container', 'inspect', '--format', format, id.slice(0, 12)]), expected);
  const nodeId = await dockerCli(ENGINES[1]!).ok(['info', '--format', '{{.ID}}']);
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.Node.ID}}', id]), nodeId);
  // The whole document is JSON with the engine's fields and ours.
  const [doc] = JSON.parse(await m.docker.ok(['inspect', id])) as Record<string, unknown>[];
  assert.equal((doc!.Config as { Image: string }).Image, 'busybox');
  assert.equal((doc!.Node as { Name: string }).Name, n2);

  const missing = await m.docker(['inspect', `${prefix}nosuch`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such object/);
  const missingContainer = await m.docker(['container', 'inspect', `${prefix}nosuch`]);
  assert.match(missingContainer.stderr, /No such container/);
});

test('stop, start, restart, kill, pause and unpause change the state the manager reports', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}life`;
  await runOn(nodes[0]!, 'life', []);
  const state = () =>
    m!.docker.ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}', name]);
  const status = () => m!.docker.ok(['ps', '-a', '--filter', `name=^/?([^/]+/)?${name}$`, '--format', '{{.Status}}']);

  assert.equal(await m.docker.ok(['stop', name]), name);
  assert.equal(await state(), 'exited 0 false');
  assert.match(await status(), /^Exited \(0\) /);

  await m.docker.ok(['start', name]);
  assert.equal(await state(), 'running 0 false');
  const startedAt = await m.docker.ok(['inspect', '--format', '{{.State.StartedAt}}', name]);
  await m.docker.ok(['restart', name]);
  assert.equal(await state(), 'running 0 false');
  assert.notEqual(await m.docker.ok(['inspect', '--format', '{{.State.StartedAt}}', name]), startedAt);

  await m.docker.ok(['pause', name]);
  assert.equal(await state(), 'paused 0 true');
  assert.match(await status(), /^Up .* \(Paused\)$/);
  assert.equal(
    await m.docker.ok(['ps', '--filter', 'status=paused', '--filter', `name=${name}`, '--format', '{{.Names}}']),
    `${nodes[0]}/${name}`,
  );
  await m.docker.ok(['unpause', name]);
  assert.equal(await state(), 'running 0 false');
  assert.match(await status(), /^Up /);

  await m.docker.ok(['kill', name]);
  assert.equal(await state(), 'exited 137 false');
  const again = await m.docker(['kill', name]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /is not running/);
});

test('rename moves the name; renaming onto a taken name is a 409 Conflict', async (t) => {
  if (!m) return t.skip('no engines');
  const id = await runOn(nodes[1]!, 'ren-a', []);
  await runOn(nodes[0]!, 'ren-b', []);
  await m.docker.ok(['rename', `${prefix}ren-a`, `${prefix}ren-c`]);
  assert.equal(
    await m.docker.ok(['inspect', '--format', '{{.Id}} {{.Name}}', `${prefix}ren-c`]),
    `${id} /${prefix}ren-c`,
  );
  assert.equal((await m.docker(['inspect', `${prefix}ren-a`])).code, 1);
  assert.equal(
    await m.docker.ok(['ps', '--filter', `id=${id}`, '--format', '{{.Names}}']),
    `${nodes[1]}/${prefix}ren-c`,
  );

  // The other container is on another node: names are unique across the cluster, not per engine.
  const taken = await m.docker(['rename', `${prefix}ren-c`, `${prefix}ren-b`]);
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /Conflict\. The container name|Conflict: The name "\/?[^"]*ren-b" is already in use/);
  const raw = await request(m.host, 'POST', `/v1.41/containers/${prefix}ren-c/rename?name=${prefix}ren-b`);
  assert.equal(raw.status, 409);
  assert.match(messageOf(raw), /^Conflict: The name "[^"]*ren-b" is already in use by container "[0-9a-f]{64}"/);
  assert.equal(await m.docker.ok(['inspect', '--format', '{{.Name}}', id]), `/${prefix}ren-c`, 'nothing was renamed');

  const unknown = await m.docker(['rename', `${prefix}nosuch`, `${prefix}other`]);
  assert.match(unknown.stderr, /No such container/);
});

test('wait prints each exit code once the containers stop', async (t) => {
  if (!m) return t.skip('no engines');
  await m.docker.ok(['run', '-d', '--name', `${prefix}wait7`, 'busybox', 'sh', '-c', 'sleep 1; exit 7']);
  await m.docker.ok(['run', '-d', '--name', `${prefix}wait0`, 'busybox', 'sh', '-c', 'sleep 1']);
  const started = Date.now();
  assert.deepEqual(lines(await m.docker.ok(['wait', `${prefix}wait7`, `${prefix}wait0`])), ['7', '0']);
  assert.ok(Date.now() - started >= 500, 'wait returned before the containers ended');
  // A container that already ended answers at once.
  assert.equal(await m.docker.ok(['wait', `${prefix}wait7`]), '7');
});

test('rm refuses a running container; rm -f removes it; rm removes a stopped one', async (t) => {
  if (!m) return t.skip('no engines');
  const id = await runOn(nodes[1]!, 'rm-run', []);
  await m.docker(['run', '--name', `${prefix}rm-done`, 'busybox', 'true']);
  const refused = await m.docker(['rm', `${prefix}rm-run`]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /cannot remove a running container/i);
  assert.equal(await m.docker.ok(['rm', '-f', `${prefix}rm-run`]), `${prefix}rm-run`);
  assert.equal(await m.docker.ok(['rm', `${prefix}rm-done`]), `${prefix}rm-done`);
  assert.equal(await m.docker.ok(['ps', '-aq', '--filter', `name=${prefix}rm-`]), '');
  // Gone from the engine too, not only from the manager's listing.
  const direct = await dockerCli(ENGINES[1]!)(['inspect', id]);
  assert.notEqual(direct.code, 0);
  const again = await m.docker(['rm', '-f', `${prefix}rm-run`]);
  assert.match(again.stderr, /No such container/);
});

test('top shows the processes and stats --no-stream prints one sample and ends', async (t) => {
  if (!m) return t.skip('no engines');
  const id = await runOn(nodes[1]!, 'top', []);
  const top = await m.docker.ok(['top', `${prefix}top`]);
  assert.match(lines(top)[0]!, /^UID\s+PID\s+PPID/);
  assert.match(top, /trap "exit 0" TERM/);

  const started = Date.now();
  const stats = await m.docker(['stats', '--no-stream', '--format', '{{.ID}}|{{.Name}}|{{.PIDs}}', `${prefix}top`], {
    timeoutMs: 20_000,
  });
  assert.equal(stats.code, 0, stats.stderr);
  const [row] = lines(stats.stdout);
  const [shortId, name, pids] = row!.split('|');
  assert.equal(shortId, id.slice(0, 12));
  assert.match(name!, new RegExp(`${prefix}top$`));
  assert.ok(Number(pids) >= 1, `PIDs ${pids}`);
  assert.ok(Date.now() - started < 15_000);
});

test('cp copies a file into a container and back out', async (t) => {
  if (!m) return t.skip('no engines');
  await runOn(nodes[1]!, 'cp', []);
  const content = `hello from ${prefix}\n`;
  await writeFile(join(work, 'in.txt'), content);
  await m.docker.ok(['cp', join(work, 'in.txt'), `${prefix}cp:/tmp/in.txt`]);
  assert.equal(await m.docker.ok(['exec', `${prefix}cp`, 'cat', '/tmp/in.txt']), content.trim());

  await m.docker.ok(['exec', `${prefix}cp`, 'sh', '-c', 'mkdir -p /tmp/d && echo out > /tmp/d/out.txt']);
  await m.docker.ok(['cp', `${prefix}cp:/tmp/d/out.txt`, join(work, 'out.txt')]);
  assert.equal(await readFile(join(work, 'out.txt'), 'utf8'), 'out\n');
  await m.docker.ok(['cp', `${prefix}cp:/tmp/d`, join(work, 'dir')]);
  assert.equal(await readFile(join(work, 'dir', 'out.txt'), 'utf8'), 'out\n');

  const missing = await m.docker(['cp', `${prefix}cp:/no/such/file`, join(work, 'x')]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such container:path|Could not find the file/);
});

test('port shows each binding at an address that reaches it (IPv4 and IPv6 bindings)', async (t) => {
  if (!m) return t.skip('no engines');
  const fixed = await freePort();
  const id = await runOn(nodes[1]!, 'port', [
    '-p',
    '80',
    '-p',
    '127.0.0.1::81',
    '-p',
    `${fixed}:82`,
    '-p',
    `${fixed}:83/udp`,
  ]);
  const engineView = lines(await dockerCli(ENGINES[1]!).ok(['port', id]));
  const enginePort = (key: string, ip: string) =>
    engineView
      .find((l) => l.startsWith(`${key} -> ${ip}:`))
      ?.split(':')
      .pop();
  const v4 = enginePort('80/tcp', '0.0.0.0');
  const v6 = enginePort('80/tcp', '[::]');
  const p81 = enginePort('81/tcp', '127.0.0.1');
  assert.ok(v4 && p81, `engine bindings: ${engineView.join(', ')}`);

  const shown = lines(await m.docker.ok(['port', `${prefix}port`]));
  // 0.0.0.0 is the node's address; an IPv6 wildcard with its own port stays as it is; one on the same port is a copy.
  const expected = [
    `80/tcp -> 127.0.0.1:${v4}`,
    ...(v6 && v6 !== v4 ? [`80/tcp -> [::]:${v6}`] : []),
    `81/tcp -> 127.0.0.1:${p81}`,
    `82/tcp -> 127.0.0.1:${fixed}`,
    `83/udp -> 127.0.0.1:${fixed}`,
  ];
  assert.deepEqual([...shown].sort(), [...expected].sort());
  assert.deepEqual(lines(await m.docker.ok(['port', `${prefix}port`, '82'])), [`127.0.0.1:${fixed}`]);

  const psPorts = await m.docker.ok(['ps', '--filter', `id=${id}`, '--format', '{{.Ports}}']);
  assert.match(psPorts, new RegExp(`127\\.0\\.0\\.1:${fixed}->82/tcp`));
  assert.doesNotMatch(psPorts, /0\.0\.0\.0|\[::\]:\d+->8[23]/);
  const bindings = JSON.parse(
    await m.docker.ok(['inspect', '--format', '{{json .NetworkSettings.Ports}}', id]),
  ) as Record<string, { HostIp: string; HostPort: string }[]>;
  assert.deepEqual(bindings['82/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(fixed) }]);
});
