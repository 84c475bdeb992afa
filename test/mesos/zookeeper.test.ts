// Classic Swarm's `mesos - zookeeper` case: the Mesos master found through ZooKeeper (`zk://host:port/path`). The
// test double publishes itself as leader under a path of its own in the real ZooKeeper; the manager finds it there,
// `docker info` answers with the agents, a container runs, and the framework ID is kept in ZooKeeper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type zookeeper from 'node-zookeeper-client';
import { needEngines, needZooKeeper, ZOOKEEPER } from '../helpers/services.js';
import { zkClient } from '../helpers/zookeeper.js';
import { startTestManager, uniquePrefix } from '../helpers/manager.js';
import { engineAgents, masterTasks, waitForNodes } from '../helpers/mesos.js';
import { startMesosSim } from '../mesos-sim/index.js';

const getData = (client: zookeeper.Client, path: string) =>
  new Promise<string>((resolve, reject) =>
    client.getData(path, (err, data) => (err ? reject(err) : resolve(data.toString('utf8')))),
  );
/** Removes a znode and everything under it (what the test created); a missing node is fine. */
async function removeTree(client: zookeeper.Client, path: string): Promise<void> {
  const children = await new Promise<string[]>((resolve) =>
    client.getChildren(path, (err, names) => resolve(err ? [] : names)),
  );
  for (const child of children) await removeTree(client, `${path}/${child}`);
  await new Promise<void>((resolve) => client.remove(path, -1, () => resolve()));
}

test('mesos - zookeeper: the master found through zk://, info works and a container runs', async (t) => {
  if (!(await needEngines(t)) || !(await needZooKeeper(t))) return;
  const masterPath = `/mesoswarm-test/${randomUUID()}`;
  // The framework name keys the framework ID's znode (/mesoswarm/<name>/framework_id): one of our own.
  const framework = uniquePrefix('zk').replace(/-$/, '');
  const sim = await startMesosSim({
    executor: 'docker',
    agents: engineAgents(),
    allocationIntervalMs: 50,
    defaultKillGraceSeconds: 1,
    zookeeper: { connect: ZOOKEEPER, path: masterPath },
  });
  const stateDir = await mkdtemp(join(tmpdir(), 'mesoswarm-state-'));
  const zk = await zkClient();
  let manager: Awaited<ReturnType<typeof startTestManager>> | undefined;
  try {
    manager = await startTestManager(
      {
        clusterDriver: 'mesos-experimental',
        clusterOpt: ['mesos.user=root', `mesos.statedir=${stateDir}`, `mesos.name=${framework}`],
      },
      `zk://${ZOOKEEPER}${masterPath}`,
    );
    await waitForNodes(manager, 2);
    const info = await manager.docker(['info']);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /Nodes: 2\n/);
    assert.match(info.stdout, new RegExp(`Master: http://127\\.0\\.0\\.1:${sim.port}/`), 'the leader ZooKeeper named');
    const frameworkId = /Framework: (\S+)/.exec(info.stdout)?.[1];
    assert.ok(frameworkId);
    assert.equal(await getData(zk, `/mesoswarm/${framework}/framework_id`), frameworkId, 'kept in ZooKeeper');

    const name = `${framework}-c`;
    await manager.docker.ok(['run', '-d', '-m', '20m', '--name', name, 'busybox', 'sleep', '60']);
    assert.equal(await manager.docker.ok(['inspect', '-f', '{{.State.Status}}', name]), 'running');
    const { live } = await masterTasks(sim);
    assert.deepEqual(
      live.map((task) => [task.id.split('.')[0], task.state]),
      [[name, 'TASK_RUNNING']],
    );
    await manager.docker.ok(['rm', '-f', name]);
    assert.deepEqual((await masterTasks(sim)).live, []);
  } finally {
    await manager?.close();
    await sim.close();
    await removeTree(zk, `/mesoswarm/${framework}`);
    await removeTree(zk, masterPath);
    zk.close();
    await rm(stateDir, { recursive: true, force: true });
  }
});
