// Containers on Mesos through the real docker CLI: create records, start launches a task and answers when it
// runs, attached runs print their output and return the exit code, stop/kill are Mesos KILLs, start after stop is
// a new task, rm forgets. Against the Mesos test double and real Mesos (MESOSWARM_TEST_MESOS), on the two real engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';

let c: MesosTestCluster | undefined;

before(async () => {
  if (!(await needBackend())) return;
  c = await startMesosTestCluster({ clusterOpts: ['mesos.tasktimeout=3s'] });
});
after(async () => {
  await c?.close();
});

const tasks = async () => (await c!.tasks()).live;

test('docker run -d launches one Mesos task and shows the container as <node>/<name>', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  const id = await docker.ok(['run', '-d', '-m', '20m', '--name', 'lc-d', 'busybox', 'sleep', '60']);
  assert.match(id, /^[0-9a-f]{64}$/);
  const line = await docker.ok(['ps', '--filter', 'name=lc-d', '--format', '{{.ID}} {{.Names}} {{.Status}}']);
  assert.match(line, new RegExp(`^${id.slice(0, 12)} (vm|node-2|[^/ ]+)/lc-d Up`));
  const running = (await tasks()).filter((task) => task.state === 'TASK_RUNNING' && task.id.startsWith('lc-d.'));
  assert.equal(running.length, 1, 'exactly one task for the container');
  const inspect = JSON.parse(await docker.ok(['inspect', 'lc-d']))[0];
  assert.equal(inspect.Id, id);
  assert.equal(inspect.Name, '/lc-d');
  assert.equal(inspect.State.Running, true);
  assert.equal(inspect.Mesos.TaskId, running[0]!.id);
  assert.equal(inspect.Node.ID, inspect.Mesos.AgentId);
  // The Docker containerizer gives no container less than 32 MB (protocol reference §7.6).
  assert.equal(inspect.HostConfig.Memory, Math.max(20, 32) * 1024 * 1024);
});

test('attached docker run prints the output, returns the exit code, and --rm removes the container', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  const hi = await docker(['run', '-m', '20m', '--name', 'lc-hi', 'busybox', 'sh', '-c', 'echo hi; echo oops >&2']);
  assert.equal(hi.code, 0, hi.stderr);
  assert.equal(hi.stdout, 'hi\n');
  assert.equal(hi.stderr, 'oops\n');
  const three = await docker(['run', '--rm', '-m', '20m', '--name', 'lc-three', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(three.code, 3);
  await eventually(async () => (await docker.ok(['ps', '-aq', '--filter', 'name=lc-three'])) === '');
  const state = JSON.parse(await docker.ok(['inspect', 'lc-hi']))[0].State;
  assert.equal(state.Status, 'exited');
  assert.equal(state.ExitCode, 0);
});

test('create then start; stop then start launches a new task for the same container', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  const id = await docker.ok(['create', '-m', '20m', '--name', 'lc-cs', 'busybox', 'sleep', '60']);
  assert.equal(await docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'created');
  assert.equal((await tasks()).filter((task) => task.id.startsWith('lc-cs.')).length, 0, 'create launches nothing');
  await docker.ok(['start', 'lc-cs']);
  assert.equal(await docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'running');
  const first = JSON.parse(await docker.ok(['inspect', id]))[0].Mesos.TaskId;
  await docker.ok(['stop', '-t', '1', 'lc-cs']);
  assert.equal(await docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'exited');
  const ended = await eventually(async () => (await c!.tasks()).completed.find((task) => task.id === first));
  assert.equal(ended.state, 'TASK_KILLED');
  await docker.ok(['start', 'lc-cs']);
  const second = JSON.parse(await docker.ok(['inspect', id]))[0];
  assert.equal(second.State.Status, 'running');
  assert.notEqual(second.Mesos.TaskId, first);
  assert.equal(second.Id, id, 'the container keeps its ID across tasks');
  await docker.ok(['restart', '-t', '1', 'lc-cs']);
  assert.equal(await docker.ok(['inspect', '--format', '{{.State.Status}}', id]), 'running');
  await docker.ok(['rm', '-f', 'lc-cs']);
  const gone = await docker(['inspect', 'lc-cs']);
  assert.notEqual(gone.code, 0);
  assert.match(gone.stderr, /No such (container|object)/);
});

test('logs, exec, top and wait reach the container on its agent', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    'lc-logs',
    'busybox',
    'sh',
    '-c',
    'echo hello world; echo hello docker; echo hello swarm; sleep 30',
  ]);
  await eventually(async () => (await docker.ok(['logs', 'lc-logs'])).split('\n').length === 3);
  assert.equal(await docker.ok(['logs', 'lc-logs']), 'hello world\nhello docker\nhello swarm');
  assert.equal(await docker.ok(['exec', 'lc-logs', 'echo', 'from-exec']), 'from-exec');
  const piped = await docker.ok(['exec', '-i', 'lc-logs', 'cat'], { input: 'through stdin\n' });
  assert.equal(piped, 'through stdin');
  assert.match(await docker.ok(['top', 'lc-logs']), /sleep 30/);
  await docker.ok(['kill', 'lc-logs']);
  assert.equal(await docker.ok(['wait', 'lc-logs']), '137');
});

test('bad input is refused with a clear error and launches nothing', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  // Every task the master knows, read at once (two reads could count a task twice while it ends).
  const known = async () => {
    const { live, unreachable, completed } = await c!.tasks();
    return [...live, ...unreachable, ...completed].map((task) => task.id).sort();
  };
  const before = await known();
  const noResources = await docker(['run', '-d', 'busybox', 'ls']);
  assert.notEqual(noResources.code, 0);
  assert.match(noResources.stderr, /resources constraints \(-c and\/or -m\) are required by mesos/);
  await docker.ok(['create', '-m', '20m', '--name', 'lc-taken', 'busybox', 'true']);
  const taken = await docker(['create', '-m', '20m', '--name', 'lc-taken', 'busybox', 'true']);
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /Conflict\. The container name "\/?lc-taken" is already in use|is already in use/);
  const impossible = await docker(['run', '-d', '-m', '20m', '-e', 'constraint:node==nowhere', 'busybox', 'true']);
  assert.notEqual(impossible.code, 0);
  assert.match(impossible.stderr, /Unable to find a node that satisfies the following conditions/);
  const huge = await docker(['run', '-d', '-m', '20000g', 'busybox', 'true']);
  assert.notEqual(huge.code, 0);
  assert.match(huge.stderr, /container failed to start after|no resources available/);
  assert.deepEqual(await known(), before, 'nothing was launched');
});

test('ps shows the labels the Docker container carries, the manager identity labels included, and filters on them', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  const id = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--name',
    'lc-labels',
    '--label',
    'team=infra',
    'busybox',
    'sleep',
    '30',
  ]);
  const task = await docker.ok(['inspect', '--format', '{{.Mesos.TaskId}}', id]);
  const found = await docker.ok(['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.swarm.mesos.name=lc-labels']);
  assert.equal(found, id);
  const labels = await docker.ok(['ps', '--filter', `id=${id}`, '--format', '{{.Labels}}']);
  for (const label of ['team=infra', 'com.docker.swarm.mesos.name=lc-labels', `com.docker.swarm.mesos.task=${task}`]) {
    assert.ok(labels.split(',').includes(label), `${label} in ${labels}`);
  }
  // The engine's own view agrees: the same labels are on the Mesos-launched Docker container.
  const dockerId = await docker.ok(['inspect', '--format', '{{.Mesos.DockerId}}', id]);
  const engine = dockerCli((await docker.ok(['inspect', '--format', '{{.Node.Addr}}', id])).replace(/^/, 'tcp://'));
  assert.equal(
    await engine.ok(['inspect', '--format', '{{index .Config.Labels "com.docker.swarm.id"}}', dockerId]),
    id,
  );
  await docker.ok(['rm', '-f', id]);
});

test('run --rm of a container that cannot start: the error comes back and the container is removed, as dockerd does', async (t) => {
  if (!c) return t.skip('no engines');
  const docker = c.m.docker;
  const started = Date.now();
  const result = await docker(
    ['run', '--rm', '-m', '20m', '--name', 'lc-rm-fail', '-e', 'constraint:node==nowhere', 'busybox', 'true'],
    {
      timeoutMs: 20_000,
    },
  );
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /Unable to find a node that satisfies the following conditions/);
  assert.ok(Date.now() - started < 15_000, 'the client is not left waiting for a removal that never comes');
  assert.equal(await docker.ok(['ps', '-aq', '--filter', 'name=lc-rm-fail']), '');
});
