// Classic Swarm's `mesos - zookeeper` case: the Mesos master found through ZooKeeper (`zk://host:port/path`). The
// test double publishes itself as leader under a path of its own in the real ZooKeeper; real Mesos' master is the
// suite's, at zk://127.0.0.1:2181/mesos. The manager finds it there, `docker info` answers with the agents, a
// container runs, and the framework ID is kept in ZooKeeper.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { needBackend, startMesosTestCluster, type MesosTestCluster } from '../helpers/mesos.js';
import { getData, zkClient } from '../helpers/zookeeper.js';

let c: MesosTestCluster | undefined;
after(async () => {
  await c?.close();
});

test('mesos - zookeeper: the master found through zk://, info works and a container runs', async (t) => {
  if (!(await needBackend(t, true))) return;
  c = await startMesosTestCluster({ zookeeper: true });
  assert.match(c.backend.master, /^zk:\/\//);
  const info = await c.m.docker(['info']);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, new RegExp(`Nodes: ${(await c.agents()).length}\n`));
  const leader = (await c.backend.state()).leader!.replace(/^master@/, '');
  assert.match(
    info.stdout,
    new RegExp(`Master: http://${leader.replace(/\./g, '\\.')}/`),
    'the leader ZooKeeper named',
  );
  const frameworkId = /Framework: (\S+)/.exec(info.stdout)?.[1];
  assert.ok(frameworkId);
  const zk = await zkClient();
  try {
    // The framework name keys the framework ID's znode (/mesoswarm/<name>/framework_id).
    assert.equal(await getData(zk, `/mesoswarm/${c.name}/framework_id`), frameworkId, 'kept in ZooKeeper');
  } finally {
    zk.close();
  }

  const name = `${c.name}-c`;
  await c.m.docker.ok(['run', '-d', '-m', '20m', '--name', name, 'busybox', 'sleep', '60']);
  assert.equal(await c.m.docker.ok(['inspect', '-f', '{{.State.Status}}', name]), 'running');
  assert.deepEqual(
    (await c.tasks()).live.map((task) => [task.id.split('.')[0], task.state]),
    [[name, 'TASK_RUNNING']],
  );
  await c.m.docker.ok(['rm', '-f', name]);
  assert.deepEqual((await c.tasks()).live, []);
});
