// Classic Swarm's Mesos stress case (test/stress/stress-mesos.bats, "spawning 100 containers on 10 nodes"): on the
// double ten agents (five on each real engine), on real Mesos the suite's two agents; `docker run -d -m 20m busybox
// echo $i` a hundred times, ten at a time. The manager must show exactly 100 containers and Mesos must have run
// exactly 100 tasks: none lost, none launched twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/manager.js';
import { engineAgents, needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';

const COUNT = 100;
const AT_ONCE = 10;
let c: MesosTestCluster | undefined;
let agentCount = 0;

before(async () => {
  if (!(await needBackend())) return;
  // 10 agents × 4 CPUs and 4 GB on the double, 2 on real Mesos: room for all 100 at once (each takes 32 MB and no CPU).
  c = await startMesosTestCluster({ double: { agents: engineAgents(5, { cpus: 4, mem: 4096 }), recordArgv: false } });
  agentCount = (await c.agents()).length;
});
after(async () => {
  await c?.close();
});

test(
  'spawning 100 containers on every node: exactly 100 containers and 100 Mesos tasks',
  { timeout: 180_000 },
  async (t) => {
    if (!c) return t.skip('no Mesos backend');
    const docker = c.m.docker;
    const info = new Map(
      JSON.parse(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][],
    );
    assert.equal(info.get('Nodes'), String(agentCount));

    for (let batch = 0; batch < COUNT / AT_ONCE; batch++) {
      const runs = Array.from({ length: AT_ONCE }, (_, j) =>
        docker(['run', '-d', '-m', '20m', 'busybox', 'echo', String(batch * AT_ONCE + j)]),
      );
      for (const result of await Promise.all(runs)) assert.equal(result.code, 0, result.stderr);
    }

    const ids = (await docker.ok(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean);
    assert.equal(ids.length, COUNT, 'ps -aq shows exactly 100');
    assert.equal(new Set(ids).size, COUNT);
    const commands = (await docker.ok(['ps', '-a', '--no-trunc', '--format', '{{.Command}}'])).split('\n').sort();
    assert.deepEqual(commands, Array.from({ length: COUNT }, (_, i) => `"echo ${i}"`).sort(), 'each run once');

    // Every task ends (each container echoes and exits); the master then holds exactly one finished task per run.
    const tasks = await eventually(
      async () => {
        const { live, completed } = await c!.tasks();
        return live.length === 0 && completed.length >= COUNT ? completed : undefined;
      },
      30_000,
      250,
    );
    assert.equal(tasks!.length, COUNT, 'exactly 100 tasks, no duplicate launch');
    assert.equal(new Set(tasks!.map((task) => task.id)).size, COUNT);
    assert.deepEqual([...new Set(tasks!.map((task) => task.state))], ['TASK_FINISHED']);
    const taskIds = new Set(tasks!.map((task) => task.id));
    const inspected = JSON.parse(await docker.ok(['inspect', ...ids])) as { Mesos: { TaskId: string } }[];
    assert.ok(
      inspected.every((container) => taskIds.has(container.Mesos.TaskId)),
      'each container is one of the tasks',
    );
    const perAgent = new Map<string, number>();
    for (const task of tasks!) perAgent.set(task.slave_id, (perAgent.get(task.slave_id) ?? 0) + 1);
    assert.ok(perAgent.size > agentCount / 2, `spread over the agents: ${[...perAgent.values()].join(', ')}`);
    const sample = await docker.ok(['logs', ids[0]!]);
    assert.match(sample, /^\d+$/, 'a container printed its number');
  },
);
