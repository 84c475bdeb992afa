// Adoption, with a fake agent daemon: a running task the manager has no record of is rebuilt from its Docker
// container's labels (ID, name, task, node), without what the Docker containerizer added to its config; while the
// agent's daemon cannot say, the task is an orphan, retried when the agent offers and on a timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adoption } from '../../src/cluster/mesos/adoption.js';
import type { AgentRegistry } from '../../src/cluster/mesos/agents.js';
import type { DockerSide, TaskDocker } from '../../src/cluster/mesos/docker-side.js';
import { silentLogger } from '../../src/util/logger.js';
import { FakeClock, openStore, settle, status } from './fakes.js';

const ID = 'e'.repeat(64);

function dockerOf(taskId: string): TaskDocker {
  return {
    found: { Id: 'd'.repeat(64), Names: ['/mesos-1234'] },
    inspect: {
      Id: 'd'.repeat(64),
      Name: '/mesos-1234',
      Created: '2024-01-01T00:00:00Z',
      State: { StartedAt: '2024-01-01T00:00:01Z' },
      Config: {
        Image: 'busybox',
        Env: ['A=1', 'MESOS_SANDBOX=/mnt/mesos/sandbox', 'MESOS_CONTAINER_NAME=mesos-1234'],
        Labels: {
          'com.docker.swarm.id': ID,
          'com.docker.swarm.mesos.name': 'web',
          'com.docker.swarm.mesos.task': taskId,
        },
      },
      HostConfig: { Memory: 64 * 1024 * 1024, Binds: ['/data:/data', '/var/lib/mesos/x:/mnt/mesos/sandbox'] },
    },
  } as unknown as TaskDocker;
}

async function setup() {
  const store = await openStore();
  const clock = new FakeClock();
  const engine = { isHealthy: false, address: 'tcp://10.0.0.1:2375', name: 'agent-1', connect: async () => undefined };
  const agents = { get: (id: string) => (id === 'S1' ? { id: 'S1', hostname: '10.0.0.1', engine } : undefined) };
  let lookups = 0;
  const docker = {
    ofTask: async (_engine: unknown, taskId: string) => {
      lookups++;
      return dockerOf(taskId);
    },
  } as unknown as DockerSide;
  const adoption = new Adoption(store, agents as unknown as AgentRegistry, docker, clock, silentLogger);
  return { store, clock, engine, adoption, lookups: () => lookups };
}

test('a running task without a record is rebuilt from its Docker labels', async () => {
  const { store, engine, adoption } = await setup();
  engine.isHealthy = true;
  await adoption.adopt(status('web.abc', 'TASK_RUNNING'));
  const c = store.index.resolve('web');
  assert.equal(c.id, ID);
  assert.equal(store.byTask('web.abc'), c);
  assert.equal(c.task?.phase, 'running');
  assert.equal(c.task?.agentId, 'S1');
  assert.equal(c.nodeName, 'agent-1');
  assert.equal(c.task?.dockerName, 'mesos-1234');
  assert.deepEqual(c.config.Env, ['A=1'], 'the containerizer’s variables are not the client’s');
  assert.deepEqual((c.config.HostConfig as { Binds: string[] }).Binds, ['/data:/data']);
  assert.equal(c.reserves.memMb, 64, 'its spec is compiled from the rebuilt config');
  await adoption.adopt(status('web.abc', 'TASK_RUNNING'));
  assert.equal(store.size, 1, 'adopted once');
});

test('while its agent’s daemon does not answer the task is an orphan, retried when the agent offers and on a timer', async () => {
  const { store, clock, engine, adoption, lookups } = await setup();
  await adoption.adopt(status('web.abc', 'TASK_RUNNING'));
  assert.equal(adoption.orphans, 1);
  assert.equal(lookups(), 0, 'an unhealthy daemon is not asked');
  adoption.start();
  clock.advance(10_000);
  await settle();
  assert.equal(store.size, 0);
  engine.isHealthy = true;
  adoption.retry('S2');
  await settle();
  assert.equal(store.size, 0, 'another agent’s offer does not help');
  clock.advance(10_000);
  await settle();
  assert.equal(store.size, 1);
  assert.equal(adoption.orphans, 0);
  adoption.stop();
  assert.equal(clock.pending, 0);
});
