// The two StateBackends (the local journal, the shared state in ZooKeeper) made the same way for tests and the
// bench: each in a place of its own, removed afterwards. The ZooKeeper one is fenced by an ephemeral znode of a
// client of the test's own, standing in for the leader's election znode (the election is not the backend's business).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { localJournal, type StateBackend } from '../../src/cluster/mesos/persistence.js';
import { openZooKeeperState, type ZooKeeperStateOptions } from '../../src/store/zookeeper-state.js';
import { ZOOKEEPER } from './services.js';
import { removeTree, zkClient } from './zookeeper.js';

export interface BackendPlace {
  readonly backend: StateBackend;
  /** Another backend on the same state (a second manager's, or the same one after a restart). */
  reopen(options?: Partial<ZooKeeperStateOptions>): StateBackend;
  remove(): Promise<void>;
}

export const TEST_ROOT = '/mesoswarm-test/state';

export async function journalPlace(): Promise<BackendPlace & { readonly dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'state-journal-'));
  return {
    dir,
    backend: localJournal(dir),
    reopen: () => localJournal(dir),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** An ephemeral znode of `client`'s session, at a fresh path: the fence of a stand-in leader. */
export async function ephemeralFence(client: zookeeper.Client): Promise<string> {
  const path = `/mesoswarm-test/fence-${process.pid}-${randomBytes(4).toString('hex')}`;
  await new Promise<void>((resolve, reject) =>
    client.mkdirp('/mesoswarm-test', (err) => (err ? reject(err) : resolve())),
  );
  await new Promise<void>((resolve, reject) =>
    client.create(path, zookeeper.CreateMode.EPHEMERAL, (err) => (err ? reject(err) : resolve())),
  );
  return path;
}

export interface ZooKeeperPlace extends BackendPlace {
  readonly root: string;
  readonly fence: string;
  /** The test's own client (it holds the fence). */
  readonly client: zookeeper.Client;
}

/**
 * A fresh state in ZooKeeper. `sessionTimeoutMs` is the backend's and the fence holder's session: a process busy
 * beyond it (a bench at 100,000 containers on a loaded machine) is fenced, as a leader would be.
 */
export async function zooKeeperPlace(options: Partial<ZooKeeperStateOptions> = {}): Promise<ZooKeeperPlace> {
  const client = await zkClient(undefined, options.sessionTimeoutMs ?? 5000);
  const fence = await ephemeralFence(client);
  const root = `${TEST_ROOT}/${process.pid}-${randomBytes(4).toString('hex')}`;
  const make = (more: Partial<ZooKeeperStateOptions> = {}) =>
    openZooKeeperState({ hosts: ZOOKEEPER, root, fence: () => fence, sessionTimeoutMs: 5000, ...options, ...more });
  return {
    backend: make(),
    reopen: make,
    root,
    fence,
    client,
    async remove() {
      await removeTree(client, root);
      client.close();
    },
  };
}
