// `mesoswarm manage`: builds the cluster driver the config names, serves the API on every `-H`, and shuts both down
// on SIGINT/SIGTERM. Start-up failures are reported in one line and exit non-zero.
import { readFileSync } from 'node:fs';
import { createLogger, type LogFormat, type Logger } from '../util/logger.js';
import { Redactor } from '../util/secrets.js';
import { createMetrics } from '../metrics/index.js';
import { formatDuration } from '../util/duration.js';
import { ApiServer } from '../api/server.js';
import { createDiscovery } from '../discovery/discovery.js';
import { SwarmCluster } from '../cluster/swarm/cluster.js';
import { MesosCluster } from '../cluster/mesos/cluster.js';
import { Scheduler } from '../scheduler/index.js';
import type { ManageConfig } from './options.js';
import type { Cluster } from '../cluster/cluster.js';
import { clusterSettings } from '../cluster/options.js';
import { mesosSettings } from '../cluster/mesos/settings.js';
import { installProcessGuard } from './process-guard.js';
import type { CpuSharesMeaning } from '../cluster/cpu-shares.js';

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
  redactor = redactorFor(config),
): Promise<Manager> {
  const metrics = createMetrics({ enabled: config.metrics });
  const scheduler = new Scheduler({ strategy: config.strategy, filters: config.filters });
  const engine = {
    tls: config.tls,
    refreshMinMs: config.engineRefreshMinMs,
    refreshMaxMs: config.engineRefreshMaxMs,
    failureRetry: config.engineFailureRetry,
  };
  const options = clusterSettings(config.clusterOptions);
  let cluster: Cluster;
  if (config.clusterDriver === 'swarm') {
    cluster = new SwarmCluster({
      discovery: createDiscovery(config.discovery, config.heartbeatMs),
      engine,
      scheduler,
      overcommit: options['swarm.overcommit'],
      createRetry: options['swarm.createretry'],
      cpuShares: options['swarm.cpushares'] as CpuSharesMeaning,
      rescheduleTimeoutMs: options['swarm.rescheduletimeout'],
      logger,
      metrics,
    });
  } else {
    if (!config.discovery) {
      throw new Error('the mesos-experimental driver needs the Mesos master: host:port, zk://host:2181/mesos, …');
    }
    cluster = new MesosCluster({
      settings: mesosSettings(config.discovery, options, config.tls),
      scheduler,
      engine,
      logger,
      metrics,
    });
  }
  metrics.watch(cluster.gauges());
  const api = new ApiServer(
    { cluster, eventLog: cluster.eventLog, logger, debug, version, metrics, redactor },
    {
      hosts: config.hosts,
      tls: config.tls,
      cors: config.cors,
      metrics: config.metrics,
      dashboard: config.dashboard,
      limits: config.apiLimits,
    },
  );
  await cluster.start();
  await api.listen();
  return {
    cluster,
    api,
    async close() {
      await api.close();
      await cluster.stop();
      metrics.close();
    },
  };
}

export async function manage(
  config: ManageConfig,
  options: { level: string; format: LogFormat; version: string },
): Promise<void> {
  const redactor = redactorFor(config);
  const logger = createLogger(options.level, { format: options.format, redactor });
  installProcessGuard(logger);
  let manager: Manager;
  try {
    manager = await startManager(config, logger, options.version, options.level === 'debug', redactor);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'cannot start');
    process.stderr.write(`mesoswarm manage: ${redactor.scrub((err as Error).message)}\n`);
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

/**
 * Every secret the configuration holds: the Mesos principal's secret (given, or read from its file), credentials in
 * the master or discovery URL (`zk://user:password@…`), and the TLS private key.
 */
export function redactorFor(config: ManageConfig): Redactor {
  const redactor = new Redactor();
  const principal = config.clusterOptions.get('mesos.principal');
  let secret = config.clusterOptions.get('mesos.secret') as string | undefined;
  const file = config.clusterOptions.get('mesos.secretfile') as string | undefined;
  if (secret === undefined && file) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch {
      // The driver reports the unreadable file at start; there is nothing to hide yet.
    }
  }
  if (secret !== undefined) redactor.addBasic(String(principal ?? ''), secret);
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(config.discovery ?? '')?.[1];
  if (userinfo?.includes(':')) {
    const password = userinfo.slice(userinfo.indexOf(':') + 1);
    redactor.add(safeDecode(password)).add(password);
  }
  redactor.addKey(config.tls?.key);
  return redactor;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
