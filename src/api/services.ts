// What request handlers can reach: the cluster, the manager's identity for /version and /info, the logger, the
// metrics, the redactor that keeps secrets out of error messages, and (replication) the gate to the leader.
import type { Cluster } from '../cluster/cluster.js';
import type { EventLog } from '../cluster/events.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../metrics/index.js';
import type { Redactor } from '../util/secrets.js';
import type { ReplicaGate } from '../ha/gate.js';

export interface Services {
  readonly cluster: Cluster;
  readonly eventLog: EventLog;
  readonly logger: Logger;
  readonly debug: boolean;
  readonly version: string;
  readonly metrics: Metrics;
  readonly redactor: Redactor;
  /** With `--replication`: where each request is served (here, or by the leader). */
  readonly gate?: ReplicaGate;
}
