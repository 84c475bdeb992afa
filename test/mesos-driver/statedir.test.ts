// Where the manager keeps its state, and what of it belongs to which cluster. The default location is a user's
// state home (or the system's for root), not the working directory. Agents are kept under the framework ID that
// learned them: a new framework ID starts without them. And `docker info` lists only agents the current master
// offered or that carry our tasks: a state directory last used against another master (same framework name, the
// framework ID accepted by the new master as Mesos does) no longer lists that master's agents as nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStateDir, parseClusterOptions } from '../../src/cluster/options.js';
import { ContainerStore } from '../../src/cluster/mesos/store.js';
import { localJournal } from '../../src/cluster/mesos/persistence.js';
import { EventLog } from '../../src/cluster/events.js';
import { startMesosSim } from '../mesos-sim/index.js';
import { startTestManager } from '../helpers/manager.js';
import { waitForNodes } from '../helpers/mesos.js';

test('the default state directory is the state home, not the working directory', (t) => {
  assert.equal(defaultStateDir({ XDG_STATE_HOME: '/home/u/.state', HOME: '/home/u' }), '/home/u/.state/mesoswarm');
  const uid = process as unknown as { getuid(): number };
  t.mock.method(uid, 'getuid', () => 1000);
  assert.equal(defaultStateDir({ HOME: '/home/u' }), '/home/u/.local/state/mesoswarm');
  t.mock.method(uid, 'getuid', () => 0);
  assert.equal(defaultStateDir({ HOME: '/root' }), '/var/lib/mesoswarm');
  const env = { XDG_STATE_HOME: '/srv/state' };
  assert.equal(parseClusterOptions('mesos-experimental', [], env).get('mesos.statedir'), '/srv/state/mesoswarm');
  assert.equal(
    parseClusterOptions('mesos-experimental', ['mesos.statedir=/x'], env).get('mesos.statedir'),
    '/x',
    'the option wins',
  );
});

test('agents belong to the framework ID that learned them: a new ID starts without them, on disk too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'statedir-'));
  const node = () => ({ Name: '', Id: '', Addr: '', Ip: '' });
  try {
    const first = new ContainerStore(new EventLog(), node);
    await first.open(localJournal(dir));
    await first.setFrameworkId('FW-A');
    await first.rememberAgent('A-S0', 'a0', 'tcp://a0:2375');
    await first.rememberAgent('A-S1', 'a1', 'tcp://a1:2375');
    await first.close();

    const again = new ContainerStore(new EventLog(), node);
    await again.open(localJournal(dir));
    assert.deepEqual([...again.restoredAgents().keys()], ['A-S0', 'A-S1'], 'the same framework keeps its agents');
    // Another ID: a new registration, or the ID ZooKeeper holds for this framework name on another ensemble.
    await again.setFrameworkId('FW-B');
    assert.deepEqual([...again.restoredAgents().keys()], []);
    await again.rememberAgent('B-S0', 'b0', 'tcp://b0:2375');
    await again.close();

    const third = new ContainerStore(new EventLog(), node);
    await third.open(localJournal(dir));
    assert.equal(third.frameworkId, 'FW-B');
    assert.deepEqual([...third.restoredAgents().keys()], ['B-S0']);
    await third.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('docker info lists only the current master’s agents, not those a state directory remembers from another', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'statedir-'));
  const flags = { clusterDriver: 'mesos-experimental', clusterOpt: ['mesos.user=root', `mesos.statedir=${stateDir}`] };
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const old = await startMesosSim({ agents: 3, allocationIntervalMs: 50 });
    closers.push(() => old.close());
    const first = await startTestManager(flags, `127.0.0.1:${old.port}`);
    closers.push(() => first.close());
    await waitForNodes(first, 3);
    await first.close();

    const current = await startMesosSim({ agents: 1, allocationIntervalMs: 50 });
    closers.push(() => current.close());
    const m = await startTestManager(flags, `127.0.0.1:${current.port}`);
    closers.push(() => m.close());
    const nodes = async () => {
      const status = JSON.parse(await m.docker.ok(['info', '--format', '{{json .SystemStatus}}'])) as string[][];
      return { count: status.find(([k]) => k === 'Nodes')?.[1], ids: status.filter(([k]) => k === '  └ ID') };
    };
    await waitForNodes(m, 1);
    const after = await nodes();
    assert.equal(after.count, '1', `the nodes listed: ${JSON.stringify(after.ids)}`);
    assert.deepEqual(
      after.ids.map(([, id]) => id),
      current.agents().map((a) => a.id),
    );
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
});
