// Every docker CLI command of the foundation list, in mesos mode, against the Mesos test double and real Mesos
// (MESOSWARM_TEST_MESOS) on the two real engines: what the CLI prints and exits with, and what the Mesos master knows
// (one task per start, nothing left running after rm -f, no duplicates). Classic Swarm listed most of these as
// "unsupported" in mesos mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { needBackend, startMesosTestCluster, type AgentInfo, type MesosTestCluster } from '../helpers/mesos.js';

const P = uniquePrefix('cmd');
/** Ends at once on SIGTERM (a shell as PID 1 ignores it otherwise, and every stop would wait for the KILL). */
const STOPPABLE = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];
// Two agents, as on two hosts: their host port ranges do not overlap (both engines share this machine's ports), and
// only the first offers the fixed port (on the double 18091, then a random slice of 31000-32000 away from other
// suites' containers; real Mesos agents offer 30000-30499 and 30500-30999).
const BASE = 31000 + 100 * Math.floor(Math.random() * 9);
let FIXED_PORT = 18091;
let c: MesosTestCluster | undefined;
let agents: AgentInfo[] = [];
let nodes: string[] = [];
let work = '';
const networks: string[] = [];
const volumes: string[] = [];

before(async () => {
  if (!(await needBackend())) return;
  nodes = await engineNames();
  work = await mkdtemp(join(tmpdir(), 'mst-cmd-'));
  c = await startMesosTestCluster({
    double: {
      agents: [
        {
          dockerHost: 'unix:///var/run/docker.sock',
          dockerPort: 2375,
          cpus: 4,
          mem: 4096,
          ports: [
            [FIXED_PORT, FIXED_PORT],
            [BASE, BASE + 49],
          ],
        },
        {
          dockerHost: 'unix:///var/run/docker-node2.sock',
          dockerPort: 2385,
          cpus: 4,
          mem: 4096,
          ports: [[BASE + 50, BASE + 99]],
        },
      ],
    },
    clusterOpts: ['mesos.tasktimeout=5s'],
  });
  agents = await c.agents();
  FIXED_PORT = agents[0]!.ports[0]![0];
});
after(async () => {
  await c?.close();
  await removeContainersNamed(P);
  for (const engine of ['tcp://127.0.0.1:2375', 'tcp://127.0.0.1:2385']) {
    for (const network of networks) await dockerCli(engine)(['network', 'rm', network]);
    for (const volume of volumes) await dockerCli(engine)(['volume', 'rm', volume]);
  }
  if (work) await rm(work, { recursive: true, force: true });
});

const lines = (text: string) => text.split('\n').filter(Boolean);

/** Every task (live or ended) the master knows for a container name. */
async function tasksOf(name: string) {
  const { live, completed } = await c!.tasks();
  return [...live, ...completed].filter((task) => task.id.startsWith(`${name}.`));
}

/** The master's view of a container: its tasks' states, live ones first. */
async function liveTasks(name: string) {
  return (await tasksOf(name)).filter((task) => !/FINISHED|FAILED|KILLED|LOST|ERROR|DROPPED|GONE/.test(task.state));
}

interface Inspected {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; Paused: boolean; ExitCode: number };
  Node: { ID: string; Name: string; Addr: string };
  Mesos: { TaskId: string; DockerId: string };
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
}

async function inspect(name: string): Promise<Inspected> {
  return (JSON.parse(await c!.m.docker.ok(['inspect', name])) as Inspected[])[0]!;
}

test('version and info: the manager answers for the Mesos cluster', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const version = await docker.ok(['version', '--format', '{{.Server.Version}} {{.Server.Os}}']);
  assert.match(version, /^mesoswarm\/\S+ linux$/);
  const info = new Map(
    JSON.parse(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][],
  );
  assert.equal(info.get('Mesos'), 'subscribed');
  assert.equal(info.get('Nodes'), '2');
  const leader = (await c.backend.state()).leader!.replace(/^master@/, '');
  assert.match(info.get('Master') ?? '', new RegExp(`^http://${leader.replace(/\./g, '\\.')}/`));
});

test('run -d, ps and ps -a with name, status, label and node filters, inspect --format', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const [n1, n2] = nodes as [string, string];
  const up = `${P}ps-up`;
  const done = `${P}ps-done`;
  const upId = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '-l',
    `grp=${P}`,
    '--name',
    up,
    '-e',
    `constraint:node==${n1}`,
    'busybox',
    ...STOPPABLE,
  ]);
  const ran = await docker([
    'run',
    '-m',
    '20m',
    '-l',
    `grp=${P}`,
    '--name',
    done,
    '-e',
    `constraint:node==${n2}`,
    'busybox',
    'true',
  ]);
  assert.equal(ran.code, 0, ran.stderr);
  const names = (args: string[]) => docker.ok(['ps', ...args, '--format', '{{.Names}}']).then(lines);
  assert.deepEqual(await names(['--filter', `label=grp=${P}`]), [`${n1}/${up}`], 'ps: running only');
  assert.deepEqual(
    await names(['-a', '--filter', `label=grp=${P}`]),
    [`${n2}/${done}`, `${n1}/${up}`],
    'ps -a, newest first',
  );
  assert.deepEqual(await names(['-a', '--filter', `name=${P}ps-`, '--filter', 'status=exited']), [`${n2}/${done}`]);
  assert.deepEqual(await names(['--filter', `name=${up}`, '--filter', 'status=running']), [`${n1}/${up}`]);
  assert.deepEqual(await names(['-a', '--filter', `label=grp=${P}`, '--filter', `node=${n2}`]), [`${n2}/${done}`]);
  assert.deepEqual(await names(['-a', '--filter', `label=grp=${P}`, '--filter', `node=${n1}`]), [`${n1}/${up}`]);
  assert.deepEqual(await names(['-a', '--filter', 'label=grp=nobody']), []);
  assert.equal(
    await docker.ok(['inspect', '--format', '{{.Id}} {{.State.Status}} {{.Node.Name}} {{.Config.Labels.grp}}', up]),
    `${upId} running ${n1} ${P}`,
  );
  assert.equal(
    await docker.ok(['inspect', '--format', '{{.State.ExitCode}} {{.State.Status}}', `${n2}/${done}`]),
    '0 exited',
  );
  assert.equal((await liveTasks(up)).length, 1);
  assert.deepEqual(
    (await tasksOf(done)).map((task) => task.state),
    ['TASK_FINISHED'],
  );
});

test('attached runs return the exit code; run --rm removes the container and its Docker container', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const out = await docker([
    'run',
    '-m',
    '20m',
    '--name',
    `${P}att`,
    'busybox',
    'sh',
    '-c',
    'echo out; echo err >&2; exit 3',
  ]);
  assert.equal(out.code, 3);
  assert.equal(out.stdout, 'out\n');
  assert.equal(out.stderr, 'err\n');
  const missing = await docker(['run', '-m', '20m', '--name', `${P}nocmd`, 'busybox', 'no-such-command']);
  assert.equal(missing.code, 127, 'as docker run: the command was not found');
  assert.match(missing.stderr, /executable file not found/, 'with the reason Docker gave the agent');
  assert.match(await docker.ok(['ps', '-a', '--filter', `name=${P}nocmd`, '--format', '{{.Status}}']), /^Created/);
  assert.deepEqual(
    (await tasksOf(`${P}nocmd`)).map((task) => task.state),
    ['TASK_FAILED'],
  );
  const rmName = `${P}rm-auto`;
  const auto = await docker(['run', '--rm', '-m', '20m', '--name', rmName, 'busybox', 'sh', '-c', 'echo bye; exit 4']);
  assert.equal(auto.code, 4);
  assert.equal(auto.stdout, 'bye\n');
  await eventually(async () => (await docker.ok(['ps', '-aq', '--filter', `name=${rmName}`])) === '');
  const [task] = await tasksOf(rmName);
  assert.equal(task?.state, 'TASK_FAILED', 'the task ended on its own');
  for (const engine of ['tcp://127.0.0.1:2375', 'tcp://127.0.0.1:2385']) {
    const left = await dockerCli(engine).ok(['ps', '-aq', '--filter', `label=com.docker.swarm.mesos.task=${task!.id}`]);
    assert.equal(left, '', 'nothing is left on the engines');
  }
});

test('run -t gives the container a terminal; run -i is refused with the reason', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const tty = await docker([
    'run',
    '-t',
    '-m',
    '20m',
    '--name',
    `${P}tty`,
    'busybox',
    'sh',
    '-c',
    '[ -t 1 ] && echo tty',
  ]);
  assert.equal(tty.code, 0, tty.stderr);
  assert.equal(tty.stdout.replace(/\r/g, ''), 'tty\n');
  const interactive = await docker(['run', '-i', '-m', '20m', '--name', `${P}stdin`, 'busybox', 'cat'], {
    input: 'x\n',
  });
  assert.notEqual(interactive.code, 0);
  assert.match(interactive.stderr, /interactive containers \(docker run -i\) are not supported by the mesos driver/);
  assert.equal(await docker.ok(['ps', '-aq', '--filter', `name=${P}stdin`]), '', 'nothing was created');
});

test('create then start, stop then start, restart: one Mesos task per start, the container keeps its ID', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}life`;
  const id = await docker.ok(['create', '-m', '20m', '--name', name, 'busybox', ...STOPPABLE]);
  assert.equal((await inspect(name)).State.Status, 'created');
  assert.deepEqual(await tasksOf(name), [], 'create launches nothing');
  await docker.ok(['start', name]);
  const first = await inspect(name);
  assert.equal(first.State.Status, 'running');
  await docker.ok(['stop', name]);
  assert.equal((await inspect(name)).State.Status, 'exited');
  assert.deepEqual(await liveTasks(name), [], 'stop ended the task');
  await docker.ok(['start', name]);
  const second = await inspect(name);
  assert.equal(second.Id, id);
  assert.notEqual(second.Mesos.TaskId, first.Mesos.TaskId);
  await docker.ok(['restart', name]);
  const third = await inspect(name);
  assert.equal(third.State.Status, 'running');
  assert.notEqual(third.Mesos.TaskId, second.Mesos.TaskId);
  const tasks = await tasksOf(name);
  assert.equal(tasks.length, 3, 'three starts, three tasks');
  assert.equal(new Set(tasks.map((task) => task.id)).size, 3);
  assert.deepEqual(
    tasks.filter((task) => task.id !== third.Mesos.TaskId).map((task) => task.state),
    ['TASK_KILLED', 'TASK_KILLED'],
  );
  assert.deepEqual(
    (await liveTasks(name)).map((task) => task.id),
    [third.Mesos.TaskId],
  );
  assert.match(await docker.ok(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']), /^Up /);
});

test('logs and logs -f, attach to a running container, wait', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}out`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    name,
    'busybox',
    'sh',
    '-c',
    'echo first; sleep 1; echo second; sleep 1; echo third; exit 5',
  ]);
  const follow = docker.start(['logs', '-f', name]);
  const attach = docker.start(['attach', name]);
  await attach.waitFor(/second/, 5000);
  const waited = await docker(['wait', name]);
  assert.equal(waited.stdout.trim(), '5');
  const followed = await follow.exited;
  assert.equal(followed.code, 0);
  assert.equal(followed.stdout, 'first\nsecond\nthird\n', 'logs -f shows everything and ends with the container');
  const attached = await attach.exited;
  assert.equal(attached.code, 5, 'attach exits with the container');
  assert.match(attached.stdout, /second\nthird\n$/);
  assert.equal(await docker.ok(['logs', '--tail', '1', name]), 'third');
  assert.deepEqual(
    (await tasksOf(name)).map((task) => task.state),
    ['TASK_FAILED'],
  );
});

test('exec with and without -i, top, stats --no-stream, cp both ways', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}exec`;
  await docker.ok(['run', '-d', '-m', '20m', '--name', name, 'busybox', 'sleep', '300']);
  assert.equal(await docker.ok(['exec', name, 'sh', '-c', 'echo $((6*7))']), '42');
  assert.equal(await docker.ok(['exec', '-i', name, 'sh', '-c', 'tr a-z A-Z'], { input: 'piped\n' }), 'PIPED');
  const failing = await docker(['exec', name, 'sh', '-c', 'exit 9']);
  assert.equal(failing.code, 9);
  const ended = `${P}exec-ended`;
  const endedId = await docker.ok(['run', '-d', '-m', '20m', '--name', ended, 'busybox', 'true']);
  await eventually(async () => (await inspect(ended)).State.Status === 'exited');
  const refused = await docker(['exec', ended, 'true']);
  assert.notEqual(refused.code, 0);
  assert.equal(refused.stderr.trim(), `Error response from daemon: Container ${endedId} is not running`);
  assert.match(await docker.ok(['top', name]), /sleep 300/);
  const stats = lines(await docker.ok(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}', name]));
  assert.equal(stats.length, 1);
  assert.match(stats[0]!, new RegExp(`^${name} \\S+ / 32MiB$`));
  const source = join(work, 'in.txt');
  await writeFile(source, 'into the container\n');
  await docker.ok(['cp', source, `${name}:/tmp/in.txt`]);
  assert.equal(await docker.ok(['exec', name, 'cat', '/tmp/in.txt']), 'into the container');
  await docker.ok(['exec', name, 'sh', '-c', 'echo out of it > /tmp/out.txt']);
  await docker.ok(['cp', `${name}:/tmp/out.txt`, join(work, 'out.txt')]);
  assert.equal(await readFile(join(work, 'out.txt'), 'utf8'), 'out of it\n');
});

test('pause and unpause, rename', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}pause`;
  const renamed = `${P}renamed`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    name,
    'busybox',
    'sh',
    '-c',
    'while :; do date +%s%N > /tmp/t; sleep 0.05; done',
  ]);
  await docker.ok(['pause', name]);
  assert.equal(
    await docker.ok(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.State.Paused}}', name]),
    'paused true true',
  );
  assert.match(await docker.ok(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']), /\(Paused\)$/);
  assert.deepEqual(
    lines(await docker.ok(['ps', '-q', '--filter', `name=${name}`, '--filter', 'status=paused'])).length,
    1,
  );
  assert.equal(await docker.ok(['ps', '-q', '--filter', `name=${name}`, '--filter', 'status=running']), '');
  // docker info may answer from its cache for up to a second when building it is slow (a loaded machine).
  await eventually(async () => (await docker.ok(['info', '--format', '{{.ContainersPaused}}'])) === '1');
  const frozen = await docker.ok(['exec', name, 'cat', '/tmp/t']).catch(() => 'exec refused while paused');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await docker.ok(['exec', name, 'cat', '/tmp/t']).catch(() => 'exec refused while paused'), frozen);
  await docker.ok(['unpause', name]);
  assert.equal(await docker.ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', name]), 'running false');
  await eventually(async () => (await docker.ok(['info', '--format', '{{.ContainersPaused}}'])) === '0');
  assert.equal((await liveTasks(name)).length, 1, 'pause and unpause leave the Mesos task alone');

  await docker.ok(['rename', name, renamed]);
  assert.equal(await docker.ok(['inspect', '-f', '{{.Name}}', renamed]), `/${renamed}`);
  assert.notEqual((await docker(['inspect', name])).code, 0, 'the old name is free');
  assert.match(
    await docker.ok(['ps', '--filter', `name=${renamed}`, '--format', '{{.Names}}']),
    new RegExp(`/${renamed}$`),
  );
  const same = await docker(['rename', renamed, renamed]);
  assert.notEqual(same.code, 0);
  assert.match(same.stderr, /Renaming a container with the same name as its current name/);
  const other = `${P}other`;
  await docker.ok(['create', '-m', '20m', '--name', other, 'busybox', 'true']);
  const taken = await docker(['rename', renamed, other]);
  assert.notEqual(taken.code, 0, 'a name in use is refused');
  assert.match(taken.stderr, /already in use|Conflict/);
  assert.equal(await docker.ok(['inspect', '-f', '{{.Name}}', renamed]), `/${renamed}`);
  // The next task of a renamed container carries the new name to Mesos.
  await docker.ok(['restart', '-t', '1', renamed]);
  assert.equal((await liveTasks(renamed)).length, 1);
  assert.deepEqual(await liveTasks(name), []);
});

test('kill, stop, rm and rm -f: Mesos ends the tasks, the engines lose the containers', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const killed = `${P}killed`;
  const stopped = `${P}stopped`;
  const forced = `${P}forced`;
  // On Mesos `docker kill` is a KILL with no grace: the executor's `docker stop -t 0`, SIGTERM then SIGKILL at once,
  // so a process that exits on SIGTERM may beat the SIGKILL with its own status. `sleep` as PID 1 ignores SIGTERM.
  await docker.ok(['run', '-d', '-m', '20m', '--name', killed, 'busybox', 'sleep', '300']);
  for (const name of [stopped, forced])
    await docker.ok(['run', '-d', '-m', '20m', '--name', name, 'busybox', ...STOPPABLE]);
  await docker.ok(['kill', killed]);
  assert.equal(await docker.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', killed]), 'exited 137');
  await docker.ok(['stop', stopped]);
  assert.equal(await docker.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', stopped]), 'exited 0');
  const again = await docker(['kill', killed]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /is not running/);
  const running = await docker(['rm', forced]);
  assert.notEqual(running.code, 0);
  assert.match(running.stderr, /You cannot remove a running container/);
  const docked = await Promise.all([killed, forced].map(inspect));
  await docker.ok(['rm', killed]);
  await docker.ok(['rm', '-f', forced]);
  assert.equal(await docker.ok(['ps', '-aq', '--filter', `name=${P}killed`, '--filter', `name=${P}forced`]), '');
  for (const name of [killed, stopped, forced]) assert.deepEqual(await liveTasks(name), [], `${name}: no live task`);
  assert.equal((await tasksOf(killed))[0]?.state, 'TASK_KILLED');
  assert.equal((await tasksOf(forced))[0]?.state, 'TASK_KILLED');
  for (const gone of docked) {
    const engine = dockerCli(`tcp://${gone.Node.Addr}`);
    assert.notEqual((await engine(['inspect', gone.Mesos.DockerId])).code, 0, `${gone.Name}: removed from its engine`);
  }
});

test("port: -p <port>:80 takes that port from the one agent offering it, -p 80 a port of its agent's range", async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const web = [
    'sh',
    '-c',
    'mkdir -p /www && echo "hi from $HOSTNAME" > /www/index.html && exec httpd -f -p 80 -h /www',
  ];
  const fixed = `${P}fixed`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '-p',
    `${FIXED_PORT}:80`,
    '--name',
    fixed,
    '-h',
    'fixed',
    'busybox',
    ...web,
  ]);
  assert.equal(await docker.ok(['port', fixed]), `80/tcp -> 127.0.0.1:${FIXED_PORT}`);
  assert.equal((await inspect(fixed)).Node.Name, nodes[0], 'only the first agent offers 18091');
  const body = await eventually(() => fetch(`http://127.0.0.1:${FIXED_PORT}/`).then((r) => r.text()), 5000);
  assert.equal(body, 'hi from fixed\n');
  const again = await docker([
    'run',
    '-d',
    '-m',
    '20m',
    '-p',
    `${FIXED_PORT}:80`,
    '--name',
    `${P}fixed2`,
    'busybox',
    ...web,
  ]);
  assert.notEqual(again.code, 0, 'the port is taken and no other agent offers it');
  assert.match(again.stderr, /container failed to start after 5s/);

  const dynamic = `${P}dynamic`;
  await docker.ok(['run', '-d', '-m', '20m', '-p', '80', '--name', dynamic, '-h', 'dynamic', 'busybox', ...web]);
  const mapping = await docker.ok(['port', dynamic, '80']);
  const port = Number(/^127\.0\.0\.1:(\d+)$/.exec(mapping)?.[1]);
  const dynamicAgent = (await inspect(dynamic)).Node.ID;
  const ranges = agents.find((a) => a.id === dynamicAgent)!.ports;
  assert.ok(
    ranges.some(([low, high]) => port >= low && port <= high && port !== FIXED_PORT),
    `${port} is in its agent's offered ranges ${JSON.stringify(ranges)}`,
  );
  assert.equal(
    await eventually(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()), 5000),
    'hi from dynamic\n',
  );
  const all = `${P}publish-all`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--expose',
    '7000',
    '--expose',
    '7001/udp',
    '-P',
    '--name',
    all,
    'busybox',
    'sleep',
    '300',
  ]);
  const published = lines(await docker.ok(['port', all]));
  assert.equal(published.length, 2, `-P publishes every exposed port: ${published.join(', ')}`);
  assert.match(published.join('\n'), /^7000\/tcp -> 127\.0\.0\.1:\d+$/m);
  assert.match(published.join('\n'), /^7001\/udp -> 127\.0\.0\.1:\d+$/m);
  assert.match(
    await docker.ok(['ps', '--filter', `name=${dynamic}`, '--format', '{{.Ports}}']),
    new RegExp(`:${port}->80/tcp`),
  );
});

test("images lists the agents' images; pull of an image no registry has fails cleanly", async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const images = lines(await docker.ok(['images', '--format', '{{.Repository}}:{{.Tag}}']));
  assert.ok(images.includes('busybox:latest'));
  assert.equal(images.filter((i) => i === 'busybox:latest').length, 1, 'one entry for the image both engines hold');
  for (const node of nodes) {
    const onNode = lines(
      await docker.ok(['images', '--filter', `node=${node}`, '--format', '{{.Repository}}:{{.Tag}}']),
    );
    assert.ok(onNode.includes('busybox:latest'), `node=${node} lists the image it holds`);
  }
  assert.equal(await docker.ok(['images', '-q', '--filter', 'node=nowhere']), '', 'and no node, no images');
  const pull = await docker(['pull', `${P}nosuch/image:1.0`], { timeoutMs: 30_000 });
  assert.notEqual(pull.code, 0);
  assert.match(pull.stderr, /Error response from daemon/);
  const run = await docker(['run', '-d', '-m', '20m', '--name', `${P}nosuch`, `${P}nosuch/image:1.0`]);
  assert.notEqual(run.code, 0, 'a run of an image no agent can pull fails');
  assert.match(run.stderr, /pull/);
  assert.deepEqual(
    (await tasksOf(`${P}nosuch`)).map((task) => task.state),
    ['TASK_FAILED'],
  );
});

test('network ls, create, rm; containers on a local network run on its node and reach each other by name', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const net = `${P}net`;
  networks.push(net);
  await docker.ok(['network', 'create', `${nodes[1]}/${net}`]);
  const listed = lines(await docker.ok(['network', 'ls', '--format', '{{.Name}}']));
  assert.ok(listed.includes(`${nodes[1]}/${net}`));
  assert.ok(listed.includes(`${nodes[0]}/bridge`) && listed.includes(`${nodes[1]}/bridge`));
  const members = [`${P}net-a`, `${P}net-b`, `${P}net-c`];
  for (const name of members) {
    await docker.ok(['run', '-d', '-m', '20m', '--network', net, '--name', name, 'busybox', 'sleep', '300']);
  }
  for (const name of members) {
    assert.equal((await inspect(name)).Node.Name, nodes[1], `${name} runs where ${net} is`);
  }
  const ping = await docker(['exec', members[0]!, 'ping', '-c', '1', '-W', '2', members[1]!]);
  assert.equal(ping.code, 0, `a container reaches another by its name: ${ping.stdout}${ping.stderr}`);
  const attached = await docker.ok(['network', 'inspect', '-f', '{{len .Containers}}', net]);
  assert.equal(attached, '3');
  const networksOf = async (name: string) =>
    (await docker.ok(['inspect', '-f', '{{range $n, $_ := .NetworkSettings.Networks}}{{$n}} {{end}}', name])).trim();
  const outside = `${P}net-later`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '-e',
    `constraint:node==${nodes[1]}`,
    '--name',
    outside,
    'busybox',
    'sleep',
    '300',
  ]);
  assert.equal(await networksOf(outside), 'bridge');
  await docker.ok(['network', 'connect', net, outside]);
  assert.equal(await networksOf(outside), `bridge ${net}`, 'network connect on a running container');
  await docker.ok(['network', 'disconnect', net, outside]);
  assert.equal(await networksOf(outside), 'bridge');
  const elsewhere = `${P}net-elsewhere`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '-e',
    `constraint:node==${nodes[0]}`,
    '--name',
    elsewhere,
    'busybox',
    'sleep',
    '300',
  ]);
  const across = await docker(['network', 'connect', net, elsewhere]);
  assert.notEqual(across.code, 0, 'a container on another node cannot join a local network');
  members.push(outside, elsewhere);
  const busy = await docker(['network', 'rm', net]);
  assert.notEqual(busy.code, 0, 'a network in use stays');
  await docker.ok(['rm', '-f', ...members]);
  await docker.ok(['network', 'rm', net]);
  assert.ok(!lines(await docker.ok(['network', 'ls', '--format', '{{.Name}}'])).includes(`${nodes[1]}/${net}`));
});

test('volume ls, create, rm; a named volume and a bind mount in a container', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const volume = `${P}vol`;
  volumes.push(volume);
  await docker.ok(['volume', 'create', volume]);
  const listed = lines(await docker.ok(['volume', 'ls', '--format', '{{.Name}}']));
  assert.deepEqual(listed.filter((v) => v.endsWith(`/${volume}`)).sort(), nodes.map((n) => `${n}/${volume}`).sort());
  const writer = await docker([
    'run',
    '--rm',
    '-m',
    '20m',
    '-e',
    `constraint:node==${nodes[0]}`,
    '-v',
    `${volume}:/data`,
    'busybox',
    'sh',
    '-c',
    'echo kept > /data/f',
  ]);
  assert.equal(writer.code, 0, writer.stderr);
  const reader = await docker([
    'run',
    '--rm',
    '-m',
    '20m',
    '-e',
    `constraint:node==${nodes[0]}`,
    '-v',
    `${volume}:/data`,
    'busybox',
    'cat',
    '/data/f',
  ]);
  assert.equal(reader.stdout, 'kept\n', 'the volume outlives the container');
  const dir = join(work, 'bind');
  await rm(dir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  await writeFile(join(dir, 'host.txt'), 'from the host\n');
  const bound = await docker([
    'run',
    '--rm',
    '-m',
    '20m',
    '-v',
    `${dir}:/x`,
    'busybox',
    'sh',
    '-c',
    'cat /x/host.txt; echo back > /x/c.txt',
  ]);
  assert.equal(bound.stdout, 'from the host\n');
  assert.equal(await readFile(join(dir, 'c.txt'), 'utf8'), 'back\n');
  await eventually(async () => (await docker(['volume', 'rm', volume])).code === 0, 5000);
  assert.deepEqual(lines(await docker.ok(['volume', 'ls', '-q', '--filter', `name=${volume}`])), []);
});

test("events: a container's life as Docker events, with its node", async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}ev`;
  const events = docker.start([
    'events',
    '--filter',
    `container=${name}`,
    '--format',
    '{{.Action}} {{index .Actor.Attributes "node.name"}}',
  ]);
  try {
    await new Promise((r) => setTimeout(r, 300));
    await docker.ok([
      'run',
      '-d',
      '-m',
      '20m',
      '--name',
      name,
      '-e',
      `constraint:node==${nodes[1]}`,
      'busybox',
      ...STOPPABLE,
    ]);
    await docker.ok(['stop', name]);
    await docker.ok(['rm', name]);
    const out = await events.waitFor(/destroy/, 5000);
    const actions = lines(out).map((line) => line.split(' ')[0]);
    assert.deepEqual(actions, ['create', 'start', 'kill', 'die', 'stop', 'destroy']);
    assert.ok(
      lines(out)
        .slice(1)
        .every((line) => line.endsWith(` ${nodes[1]}`)),
      out,
    );
  } finally {
    await events.stop();
  }
});
