// Where a replicated Mesos manager keeps the store's log: in ZooKeeper (src/store/zookeeper-state.ts), every write
// fenced by the leader's own election znode, so a deposed leader's write is refused and the next leader reads what
// this one answered. Until that backend is part of the build, the local journal under mesos.statedir stands in:
// managers sharing that directory (one machine, or a shared volume) then share state, but writes are not fenced.
// TODO(merge): import openZooKeeperState statically once src/store/zookeeper-state.ts lands, and drop the fallback.
import { localJournal, type StateBackend } from '../cluster/mesos/persistence.js';
import type { Logger } from '../util/logger.js';
import type { ReplicationConfig } from './config.js';

type OpenZooKeeperState = (options: {
  hosts: string;
  root: string;
  auth?: { user: string; password: string };
  fence: () => string | undefined;
  sessionTimeoutMs?: number;
}) => StateBackend;

/** The module path kept in a variable, so the build does not require the backend before it exists. */
const ZOOKEEPER_STATE = '../store/zookeeper-state.js';

export async function replicatedState(
  config: ReplicationConfig,
  name: string,
  stateDir: string,
  fence: () => string | undefined,
  logger: Logger,
): Promise<StateBackend> {
  let open: OpenZooKeeperState | undefined;
  try {
    open = ((await import(ZOOKEEPER_STATE)) as { openZooKeeperState?: OpenZooKeeperState }).openZooKeeperState;
  } catch {
    open = undefined;
  }
  if (!open) {
    logger.warn({ stateDir }, 'the ZooKeeper state backend is not built in: replicas share the local journal');
    return localJournal(stateDir);
  }
  return open({
    hosts: config.servers,
    root: `/mesoswarm/${name}/state`,
    fence,
    sessionTimeoutMs: config.ttlMs,
    ...(config.auth ? { auth: config.auth } : {}),
  });
}
