// Classic Swarm's Mesos integration tests (reference §5.1: info, inspect, logs, ps, run with a wrong user, short
// lived and without resources, a slow launch under a 1 s task timeout, stats, commit, events), as behaviour of the
// manager against the Mesos test double and real Mesos (MESOSWARM_TEST_MESOS) on the two real engines. Each case checks what the docker CLI shows and,
// where it matters, what the Mesos master knows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { eventually, removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { within } from '../helpers/deadline.js';
import { engineNames } from '../helpers/nodes.js';
import {
  doubleOnly,
  engineAgents,
  needBackend,
  startMesosTestCluster,
  type MesosTestCluster,
} from '../helpers/mesos.js';

const P = uniquePrefix('classic');
const ENGINE1 = dockerCli('tcp://127.0.0.1:2375');
let c: MesosTestCluster | undefined;
let nodes: string[] = [];
const images: string[] = [];
const TASK_TIMEOUT_S = Math.ceil(within(3000) / 1000);

before(async () => {
  if (!(await needBackend())) return;
  nodes = await engineNames();
  // A short task timeout keeps the "a launch waits" case short, yet long enough on a loaded machine to look at the
  // held offers before it runs out; 4 CPUs and 2 GB per agent on the double.
  c = await startMesosTestCluster({
    double: { agents: engineAgents(1, { cpus: 4, mem: 2048 }) },
    clusterOpts: [`mesos.tasktimeout=${TASK_TIMEOUT_S}s`],
  });
});
after(async () => {
  await c?.close();
  await removeContainersNamed(P);
  for (const image of images) {
    for (const engine of ['tcp://127.0.0.1:2375', 'tcp://127.0.0.1:2385']) await dockerCli(engine)(['rmi', image]);
  }
});

/** Every task (live or ended) the master knows for a container name. */
async function tasksOf(name: string) {
  const { live, completed } = await c!.tasks();
  return [...live, ...completed].filter((task) => task.id.startsWith(`${name}.`));
}

async function systemStatus(docker = c!.m.docker): Promise<[string, string][]> {
  return JSON.parse(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][];
}

test('mesos - docker info: the agents are listed; offers are held only while a launch waits', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const status = await systemStatus();
  const value = (key: string) => status.find(([k]) => k === key)?.[1];
  assert.equal(value('Nodes'), '2');
  const agentIds = status.filter(([k]) => k === '  └ ID').map(([, v]) => v);
  const agents = await c.agents();
  assert.deepEqual(agentIds.sort(), agents.map((a) => a.id).sort(), 'one node per Mesos agent');
  // An agent is a node from its first offer, shown by its hostname until its engine has answered with its name.
  const named = async () =>
    (await systemStatus())
      .filter(([k]) => /^ \S/.test(k))
      .map(([k]) => k.trim())
      .sort();
  const expected = [...nodes].sort();
  const nodeLines = await eventually(async () => {
    const now = await named();
    return now.join() === expected.join() ? now : undefined;
  }).catch(async () => named());
  assert.deepEqual(nodeLines, expected, 'nodes are named after their engines');
  // Classic Swarm's helper waited for `Offers: <engines>`: it hoarded every offer (its issues #1401, #1655, #2498).
  // This manager declines and SUPPRESSes offers when nothing waits, so an idle cluster holds none.
  await eventually(async () => (await systemStatus()).some(([k, v]) => k === 'Offers' && v === '0'));
  // The master has no outstanding offer for an idle manager.
  await eventually(async () => (await c!.framework())?.offers.length === 0);

  // 1 GB more than the largest agent fits none: the launch waits out the task timeout, holding the offers meanwhile.
  const largest = Math.max(...agents.map((a) => a.mem));
  const waiting = docker(['run', '-d', '-m', `${largest + 1024}m`, '--name', `${P}big`, 'busybox', 'true']);
  const held = (await eventually(async () => {
    const now = await systemStatus();
    const offers = Number(now.find(([k]) => k === 'Offers')?.[1]);
    return offers >= 1 ? now : undefined;
  }, 5000))!;
  assert.ok(
    held.some(([k]) => k === '  Offer'),
    'each held offer is listed',
  );
  assert.ok(
    held.some(([k, v]) => k === '   └ cpus' && v === '4'),
    'with its resources, CPUs as integers',
  );
  assert.ok(held.some(([k, v]) => k === '   └ mem' && v === `${largest / 1024} GiB`));
  assert.ok(held.some(([k, v]) => k === 'Queued' && v === '1'));
  const refused = await waiting;
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, new RegExp(`container failed to start after ${TASK_TIMEOUT_S}s`));
  await eventually(async () => (await systemStatus()).some(([k, v]) => k === 'Offers' && v === '0'), 5000);
  assert.deepEqual(await tasksOf(`${P}big`), [], 'nothing was launched');
});

test('mesos - docker inspect: Node, hostname.test, empty Domainname, TEST=true', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}inspect`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '-e',
    'TEST=true',
    '-h',
    'hostname.test',
    '--name',
    name,
    'busybox',
    'sleep',
    '500',
  ]);
  const listed = (await docker.ok(['ps', '-l'])).split('\n');
  assert.equal(listed.length, 2);
  assert.match(listed[1]!, new RegExp(`/${name}$`));
  const raw = await docker.ok(['inspect', name]);
  for (const text of ['NetworkSettings', 'TEST=true', '"Node": {', '"Hostname": "hostname.test"', '"Domainname": ""']) {
    assert.ok(raw.includes(text), `inspect shows ${text}`);
  }
  const inspect = JSON.parse(raw)[0];
  assert.ok(nodes.includes(inspect.Node.Name), `"Node": {"Name": one of ${nodes.join(', ')}}`);
  assert.equal(await docker.ok(['exec', name, 'hostname']), 'hostname.test', 'the container really has the hostname');
  assert.equal(inspect.Node.ID, (await tasksOf(name))[0]?.slave_id, 'Node.ID is the Mesos agent that runs it');
});

test('mesos - docker logs: exactly the three lines', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}logs`;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    name,
    'busybox',
    '/bin/sh',
    '-c',
    'echo hello world; echo hello docker; echo hello swarm',
  ]);
  await eventually(async () => (await docker.ok(['inspect', '-f', '{{.State.Status}}', name])) === 'exited');
  const logs = await docker(['logs', name]);
  assert.equal(logs.code, 0);
  assert.deepEqual(logs.stdout.split('\n').filter(Boolean), ['hello world', 'hello docker', 'hello swarm']);
  const [task] = await tasksOf(name);
  assert.equal(task?.state, 'TASK_FINISHED');
});

test('mesos - docker ps: containers not launched through Mesos are hidden', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}ps`;
  const id = await docker.ok(['run', '-m', '20m', '-d', '--name', name, 'busybox', 'sleep', '100']);
  const direct = `${P}direct`;
  const directId = await ENGINE1.ok(['run', '-d', '--name', direct, 'busybox', 'sleep', '100']);
  assert.equal(await ENGINE1.ok(['inspect', '-f', '{{.State.Running}}', direct]), 'true', 'it runs on the engine');
  const all = (await docker.ok(['ps', '-aq', '--no-trunc'])).split('\n');
  assert.ok(all.includes(id));
  assert.ok(!all.includes(directId), 'the container started on the engine is not listed');
  assert.equal(await docker.ok(['ps', '-aq', '--filter', `name=${direct}`]), '');
  const missing = await docker(['inspect', direct]);
  assert.notEqual(missing.code, 0, 'nor can it be reached through the manager');
  assert.match(missing.stderr, /No such (container|object)/);
  await ENGINE1.ok(['rm', '-f', direct]);
});

test('mesos - docker run: running filter, and a 64-hex image name is refused', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}run`;
  const id = await docker.ok(['run', '-m', '20m', '-d', '--name', name, 'busybox', 'sleep', '100']);
  const running = await docker.ok(['ps', '-q', '--no-trunc', '--filter', `name=${name}`, '--filter', 'status=running']);
  assert.equal(running, id);
  const live = (await tasksOf(name)).filter((task) => task.state === 'TASK_RUNNING');
  assert.equal(live.length, 1, 'one Mesos task runs it');
  const hex = await docker([
    'run',
    '-m',
    '20m',
    '-d',
    `4e8aa3148a132f19ec560952231c4d39522043994df7d2dc239942c0f9424ebd`,
  ]);
  assert.notEqual(hex.code, 0);
  assert.match(hex.stderr, /cannot specify 64-byte hexadecimal strings/);
});

test('mesos - docker run short lived: attached `true` exits 0 and leaves one exited container', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const before = (await docker.ok(['ps', '-aq'])).split('\n').filter(Boolean).length;
  const name = `${P}short`;
  const run = await docker(['run', '-m', '20m', '--name', name, 'busybox', 'true']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await docker.ok(['ps', '-aq'])).split('\n').filter(Boolean).length, before + 1);
  assert.match(await docker.ok(['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}']), /^Exited \(0\)/);
  await eventually(async () => (await tasksOf(name))[0]?.state === 'TASK_FINISHED');
  assert.equal((await tasksOf(name)).length, 1, 'one task, finished');
});

test('mesos - docker run no resources: refused with the classic text, nothing launched', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}nores`;
  const run = await docker(['run', '-d', '--name', name, 'busybox', 'ls']);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /resources constraints \(-c and\/or -m\) are required by mesos/);
  assert.equal(await docker.ok(['ps', '-aq', '--filter', `name=${name}`]), '');
  assert.deepEqual(await tasksOf(name), []);
});

test('mesos - docker stats: CPU %, MEM USAGE and LIMIT for the container, by its name', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}stats`;
  const id = await docker.ok(['run', '-d', '-m', '40m', '--name', name, 'busybox', 'sleep', '50']);
  const stats = await docker.ok(['stats', '--no-stream', name]);
  const [header, line] = stats.split('\n');
  for (const column of ['CPU %', 'MEM USAGE', 'LIMIT']) assert.ok(header!.includes(column), `stats shows ${column}`);
  assert.match(line!, /\/ 40MiB/, 'the limit is the memory Mesos gave the container');
  assert.ok(line!.startsWith(id.slice(0, 12)), 'the manager ID, not the engine-side ID');
  assert.match(line!, new RegExp(`\\s${name}\\s`), 'its name, not the mesos-<uuid> Docker name');
});

test('mesos - docker commit: the image appears in docker images', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}commit`;
  const image = `${P}image`;
  images.push(image);
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
    'echo committed > /marker; sleep 500',
  ]);
  await eventually(async () => (await docker(['exec', name, 'cat', '/marker'])).stdout.trim() === 'committed');
  assert.ok(!(await docker.ok(['images'])).includes(image));
  await docker.ok(['commit', name, image]);
  const listed = await docker.ok(['images', '--format', '{{.Repository}}']);
  assert.ok(listed.split('\n').includes(image), 'the committed image is listed');
  const fromImage = await docker([
    'run',
    '--rm',
    '-m',
    '20m',
    '-e',
    `constraint:node==${nodeOf(await docker.ok(['inspect', name]))}`,
    image,
    'cat',
    '/marker',
  ]);
  assert.equal(fromImage.stdout, 'committed\n', 'a container runs from it on its node');
});

function nodeOf(inspectJson: string): string {
  return (JSON.parse(inspectJson) as { Node: { Name: string } }[])[0]!.Node.Name;
}

test('mesos - docker events: create, start and die, with the node', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const name = `${P}events`;
  const events = docker.start([
    'events',
    '--format',
    '{{.Action}} {{.Actor.Attributes.name}} {{index .Actor.Attributes "node.name"}}',
  ]);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const run = await docker([
      'run',
      '-m',
      '20m',
      '--name',
      name,
      '-e',
      `constraint:node==${nodes[0]}`,
      'busybox',
      'true',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const out = await events.waitFor(new RegExp(`die ${name} `), 5000);
    const mine = out.split('\n').filter((line) => line.split(' ')[1] === name);
    assert.deepEqual(
      mine.map((line) => line.split(' ')[0]),
      ['create', 'start', 'die'],
      'one create, one start, one die, in order',
    );
    assert.ok(
      mine.slice(1).every((line) => line.endsWith(` ${nodes[0]}`)),
      `start and die on ${nodes[0]}`,
    );
  } finally {
    await events.stop();
  }
});

test('mesos - docker run with wrong user: the agent cannot start an executor, and the error says to check SWARM_MESOS_USER', async (t) => {
  if (!(await needBackend(t))) return;
  const wrong = await startMesosTestCluster({ clusterOpts: ['mesos.user=test_wrong_user'] });
  try {
    const name = `${P}wronguser`;
    const run = await wrong.m.docker(['run', '-m', '20m', '-d', '--name', name, 'busybox', 'sleep', '100']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Failed to chown directory to 'test_wrong_user': No such user 'test_wrong_user'/);
    assert.match(run.stderr, /please verify your SWARM_MESOS_USER is correctly set/);
    assert.equal(await wrong.m.docker.ok(['ps', '-q']), '', 'nothing runs');
    // The master keeps a terminal task among the live ones until its update is acknowledged.
    const { completed } = await eventually(async () => {
      const tasks = await wrong.tasks();
      return tasks.live.length === 0 ? tasks : undefined;
    });
    // Mesos 1.12 drops the task (classic Mesos failed it with "Abnormal executor termination"); a dropped launch
    // never ran, so the manager places it again, a bounded number of times, before giving up.
    assert.ok(completed.length >= 1, 'the launch reached an agent');
    assert.deepEqual([...new Set(completed.map((task) => task.state))], ['TASK_DROPPED']);
  } finally {
    await wrong.close();
  }
});

test('without mesos.user the framework runs tasks as the manager’s user, as Mesos’ scheduler drivers do', async (t) => {
  if (!(await needBackend(t))) return;
  // The empty value overrides the helper's root.
  const unset = await startMesosTestCluster({ clusterOpts: ['mesos.user='] });
  try {
    assert.equal((await unset.framework())?.user, userInfo().username);
    const name = `${P}defaultuser`;
    await unset.m.docker.ok(['run', '-m', '20m', '-d', '--name', name, 'busybox', 'sleep', '100']);
    assert.match(await unset.m.docker.ok(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}']), /^Up /);
  } finally {
    await unset.close();
  }
});

test('mesos - docker run with long launch: a 1 s task timeout covers placement only, not a slow launch', async (t) => {
  if (doubleOnly(t, 'a launch slowed down on the agents (launchDelayMs) and held-back status updates')) return;
  if (!(await needBackend(t))) return;
  // The agents take 2 s before the executor starts (like a slow image pull), and every status update is held back
  // 1 s more: the task is RUNNING some 4 s after it was placed.
  const slow = await startMesosTestCluster({ double: { launchDelayMs: 2000 }, clusterOpts: ['mesos.tasktimeout=1s'] });
  try {
    slow.sim!.setStatusUpdateFaults({ delayMs: 1000 });
    const name = `${P}longlaunch`;
    const started = Date.now();
    const run = await slow.m.docker(['run', '-m', '20m', '-d', '--name', name, 'busybox', 'sleep', '100']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started >= 2000, 'the launch took longer than the task timeout');
    const running = await slow.m.docker.ok(['ps', '-q', '--filter', `name=${name}`, '--filter', 'status=running']);
    assert.notEqual(running, '');
    // The timeout is live: a container no agent can take fails after 1 s.
    const refused = await slow.m.docker(['run', '-m', '20000g', '-d', 'busybox', 'true']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /container failed to start after 1s/);
    const { live } = await slow.tasks();
    assert.deepEqual(
      live.map((task) => [task.id.split('.')[0], task.state]),
      [[name, 'TASK_RUNNING']],
    );
  } finally {
    await slow.close();
  }
});
