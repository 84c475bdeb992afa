// Rescheduling off a lost agent, through the real docker CLI: an agent partitioned away → its containers with a
// restart policy, or classic Swarm's reschedule:on-node-failure, run on another agent within the unreachable timeout
// (+5 s), with the same ID and name and the new node in inspect; one without a policy shows Host Down until its agent
// is back; when the agent returns, exactly one copy of each survives. A container whose constraint only the lost
// agent meets waits, saying why. Against the Mesos test double and real Mesos (MESOSWARM_TEST_MESOS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import { pastEvents } from '../helpers/docker-cli.js';
import { needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';
import { startMesosBackend } from '../helpers/mesos-backend.js';

const P = uniquePrefix('rs');
const UNREACHABLE_S = 3;
let c: MesosTestCluster | undefined;

before(async () => {
  if (!(await needBackend())) return;
  // Agents of the suite's own: the test partitions one.
  const backend = await startMesosBackend({ ownMesos: true });
  c = await startMesosTestCluster({
    backend,
    clusterOpts: [`mesos.unreachabletimeout=${UNREACHABLE_S}s`, 'mesos.rescheduletimeout=1s'],
  });
  const close = c.close.bind(c);
  c.close = async () => {
    await close();
    await backend.close();
  };
});
after(async () => {
  await c?.close();
});

interface Inspected {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; Error: string };
  Node: { ID: string; Name: string };
  Mesos: { TaskId: string; AgentId: string; Phase: string } | null;
}

test('a partitioned agent: rescheduleable containers run elsewhere within the timeout; one copy once it is back', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const inspect = async (ref: string) => JSON.parse(await docker.ok(['inspect', ref]))[0] as Inspected;
  const run = (name: string, ...extra: string[]) =>
    docker.ok(['run', '-d', '-m', '20m', '--name', `${P}${name}`, ...extra, 'busybox', 'sleep', '600']);
  const always = await run('always', '--restart', 'always');
  const agentId = (await inspect(always)).Mesos!.AgentId;
  const others: string[] = [];
  /** Runs copies until one lands beside the first (the scheduler spreads them; a constraint could not move). */
  const beside = async (name: string, ...extra: string[]) => {
    for (let i = 0; i < 4; i++) {
      const id = await run(`${name}${i}`, ...extra);
      if ((await inspect(id)).Mesos!.AgentId === agentId) return { id, name: `${name}${i}` };
      others.push(id); // kept, so the next copy is spread onto the first's agent
    }
    throw new Error(`no copy of ${name} was placed on ${agentId}`);
  };
  const label = await beside('label', '-e', 'reschedule:on-node-failure');
  const plainRun = await beside('plain');
  const [labelled, plain] = [label.id, plainRun.id];
  const before = new Map<string, string>();
  for (const id of [always, labelled]) before.set(id, (await inspect(id)).Mesos!.TaskId);

  const lostAt = Date.now();
  await c.backend.partitionAgent(agentId);
  for (const id of [always, labelled]) {
    const moved = await eventually(
      async () => {
        const s = await inspect(id);
        return s.State.Running && s.Mesos!.AgentId !== agentId && s.Mesos!.Phase === 'running' ? s : undefined;
      },
      (UNREACHABLE_S + 5) * 1000 + (Date.now() - lostAt),
      250,
    );
    assert.equal(moved.Id, id, 'the same container');
    assert.equal(moved.Node.ID, moved.Mesos!.AgentId, 'inspect shows its new node');
    assert.notEqual(moved.Mesos!.TaskId, before.get(id));
  }
  assert.equal((await inspect(plain)).Mesos!.Phase, 'unreachable', 'no policy: it waits for its agent');
  assert.equal(
    await docker.ok(['ps', '--filter', `name=${P}${plainRun.name}`, '--format', '{{.Status}}']),
    'Host Down',
  );

  await c.backend.healAgent(agentId);
  await eventually(async () => (await inspect(plain)).Mesos!.Phase === 'running', 60_000, 250);
  // Exactly one copy of each survives: the old tasks on the returned agent are killed.
  await eventually(
    async () => {
      const { live } = await c!.tasks();
      const running = live.filter((task) => task.state === 'TASK_RUNNING');
      return [always, labelled].every((id) => !running.some((task) => task.id === before.get(id)));
    },
    60_000,
    500,
  );
  const { live } = await c.tasks();
  for (const name of ['always', label.name, plainRun.name]) {
    const mine = live.filter((task) => task.id.startsWith(`${P}${name}.`) && task.state === 'TASK_RUNNING');
    assert.equal(mine.length, 1, `one running copy of ${name}: ${mine.map((m) => m.id).join(', ')}`);
  }
  const events = (
    await pastEvents(docker, lostAt, [`container=${always}`], '{{.Action}} {{.Actor.Attributes.reason}}')
  ).join('\n');
  assert.match(events, /kill duplicate after reschedule/, 'the stale copy’s kill is reported');
  await docker.ok(['rm', '-f', always, labelled, plain, ...others]);
});

test('a constraint only the lost agent meets: the container waits, saying why, and runs there once it is back', async (t) => {
  if (!c) return t.skip('no Mesos backend');
  const docker = c.m.docker;
  const inspect = async (ref: string) => JSON.parse(await docker.ok(['inspect', ref]))[0] as Inspected;
  const probe = await docker.ok(['run', '-d', '-m', '20m', '--name', `${P}probe`, 'busybox', 'sleep', '600']);
  const { Node } = await inspect(probe);
  await docker.ok(['rm', '-f', probe]);
  const id = await docker.ok([
    'run',
    '-d',
    '-m',
    '20m',
    '--restart',
    'always',
    '--name',
    `${P}pinned`,
    '-e',
    `constraint:node==${Node.Name}`,
    'busybox',
    'sleep',
    '600',
  ]);
  const first = await inspect(id);
  await c.backend.partitionAgent(first.Mesos!.AgentId);
  const waiting = await eventually(
    async () => {
      const s = await inspect(id);
      return s.State.Status === 'restarting' && /node==/.test(s.State.Error) ? s : undefined;
    },
    (UNREACHABLE_S + 10) * 1000,
    250,
  );
  assert.equal(waiting.Mesos!.Phase, 'queued');
  const info = await docker.ok(['info', '--format', '{{json .SystemStatus}}']);
  assert.match(info, new RegExp(`${P}pinned","waiting to be rescheduled: [^"]*node==`));
  await c.backend.healAgent(first.Mesos!.AgentId);
  await eventually(async () => (await inspect(id)).State.Running, 60_000, 250);
  const { live } = await c.tasks();
  const mine = live.filter((task) => task.id.startsWith(`${P}pinned.`) && task.state === 'TASK_RUNNING');
  assert.equal(mine.length, 1, 'one copy: the old task taken back, or the old one killed and a new one run');
  await docker.ok(['rm', '-f', id]);
});
