// Where a replicated Mesos manager keeps the store's log: in ZooKeeper (src/store/zookeeper-state.ts), every write
// fenced by the leader's own election znode, so a deposed leader's write is refused and the next leader reads what
// this one answered. Never the local journal: two managers' journals would each hold only what their own leadership
// answered, and a create answered by one leader would be gone under the next.
import type { StateBackend } from '../cluster/mesos/persistence.js';
import { openZooKeeperState } from '../store/zookeeper-state.js';
import type { ReplicationConfig } from './config.js';

export function replicatedState(
  config: ReplicationConfig,
  name: string,
  fence: () => string | undefined,
): StateBackend {
  return openZooKeeperState({
    hosts: config.servers,
    root: `/mesoswarm/${name}/state`,
    fence,
    sessionTimeoutMs: config.ttlMs,
    ...(config.auth ? { auth: config.auth } : {}),
  });
}
