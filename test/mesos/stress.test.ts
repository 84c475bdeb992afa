// Classic Swarm's Mesos stress case (test/stress/stress-mesos.bats, "spawning 100 containers on 10 nodes"): ten
// agents (five on each real engine), `docker run -d -m 20m busybox echo $i` a hundred times, ten at a time. The
// manager must show exactly 100 containers and Mesos must have run exactly 100 tasks: none lost, none launched twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import { eventually } from '../helpers/manager.js';
import { engineAgents, masterTasks, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';

const COUNT = 100;
const AT_ONCE = 10;
let c: MesosTestCluster | undefined;

before(async () => {
  if (!(await needEngines())) return;
  // 10 agents × 4 CPUs and 4 GB: room for all 100 at once (each takes 20 MB and no CPU).
  c = await startMesosTestCluster({ agents: engineAgents(5, { cpus: 4, mem: 4096 }), recordArgv: false });
});
after(async () => {
  await c?.close();
});

test(
  'spawning 100 containers on 10 nodes: exactly 100 containers and 100 Mesos tasks',
  { timeout: 180_000 },
  async (t) => {
    if (!c) return t.skip('no engines');
    const docker = c.m.docker;
    const info = new Map(
      JSON.parse(await docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as [string, string][],
    );
    assert.equal(info.get('Nodes'), '10');

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
        const { live, completed } = await masterTasks(c!.sim);
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
    assert.ok(perAgent.size > 5, `spread over the agents: ${[...perAgent.values()].join(', ')}`);
    const sample = await docker.ok(['logs', ids[0]!]);
    assert.match(sample, /^\d+$/, 'a container printed its number');
  },
);
