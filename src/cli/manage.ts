// `mesoswarm manage`: builds the cluster driver the config names, serves the API on every `-H`, and shuts both down
// on SIGINT/SIGTERM. Start-up failures are reported in one line and exit non-zero.
import { createLogger, type Logger } from '../util/logger.js';
import { formatDuration } from '../util/duration.js';
import { ApiServer } from '../api/server.js';
import { createDiscovery } from '../discovery/discovery.js';
import { SwarmCluster } from '../cluster/swarm/cluster.js';
import { MesosCluster } from '../cluster/mesos/cluster.js';
import { Scheduler } from '../scheduler/index.js';
import type { ManageConfig } from './options.js';
import type { Cluster } from '../cluster/cluster.js';
import { installProcessGuard } from './process-guard.js';

export interface Manager {
  readonly cluster: Cluster;
  readonly api: ApiServer;
  close(): Promise<void>;
}

/** Builds and starts a manager; used by the CLI and by tests that run it in-process. */
export async function startManager(
  config: ManageConfig,
  logger: Logger,
  version: string,
  debug = false,
): Promise<Manager> {
  const scheduler = new Scheduler({ strategy: config.strategy, filters: config.filters });
  const engine = {
    tls: config.tls,
    refreshMinMs: config.engineRefreshMinMs,
    refreshMaxMs: config.engineRefreshMaxMs,
    failureRetry: config.engineFailureRetry,
  };
  let cluster: Cluster;
  if (config.clusterDriver === 'swarm') {
    cluster = new SwarmCluster({
      discovery: createDiscovery(config.discovery, config.heartbeatMs),
      engine,
      scheduler,
      overcommit: Number(config.clusterOptions.get('swarm.overcommit') ?? 0.05),
      createRetry: Number(config.clusterOptions.get('swarm.createretry') ?? 0),
      logger,
    });
  } else {
    if (!config.discovery) {
      throw new Error('the mesos-experimental driver needs the Mesos master: host:port, zk://host:2181/mesos, …');
    }
    cluster = new MesosCluster({
      master: config.discovery,
      scheduler,
      options: config.clusterOptions,
      engine,
      logger,
    });
  }
  const api = new ApiServer(
    { cluster, eventLog: cluster.eventLog, logger, debug, version },
    { hosts: config.hosts, tls: config.tls, cors: config.cors, limits: config.apiLimits },
  );
  await cluster.start();
  await api.listen();
  return {
    cluster,
    api,
    async close() {
      await api.close();
      await cluster.stop();
    },
  };
}

export async function manage(config: ManageConfig, options: { level: string; version: string }): Promise<void> {
  const logger = createLogger(options.level);
  installProcessGuard(logger);
  let manager: Manager;
  try {
    manager = await startManager(config, logger, options.version, options.level === 'debug');
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'cannot start');
    process.stderr.write(`mesoswarm manage: ${(err as Error).message}\n`);
    process.exit(1);
  }
  logger.info(
    {
      driver: config.clusterDriver,
      listen: manager.api.addresses(),
      heartbeat: formatDuration(config.heartbeatMs),
    },
    'manager ready',
  );
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void manager.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
