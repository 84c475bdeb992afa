// What request handlers can reach: the cluster, the manager's identity for /version and /info, and the logger.
import type { Cluster } from '../cluster/cluster.js';
import type { EventLog } from '../cluster/events.js';
import type { Logger } from '../util/logger.js';

export interface Services {
  readonly cluster: Cluster;
  readonly eventLog: EventLog;
  readonly logger: Logger;
  readonly debug: boolean;
  readonly version: string;
}
