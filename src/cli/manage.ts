// `mesoswarm manage`: builds the cluster driver the config names, serves the API on every `-H`, and shuts both down
// on SIGINT/SIGTERM. With `--replication` the cluster is built and started only while this manager leads (src/ha).
// Start-up failures are reported in one line and exit non-zero.
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
import type { Metrics } from '../metrics/index.js';
import type { StateBackend } from '../cluster/mesos/persistence.js';
import { Replication } from '../ha/replication.js';
import { ReplicaGate } from '../ha/gate.js';
import { replicatedState } from '../ha/state-backend.js';
import { noPrimary } from '../errors.js';

export interface Manager {
  /** The cluster this manager acts on; with replication, only while it leads (else a 503). */
  readonly cluster: Cluster;
  readonly api: ApiServer;
  /** With `--replication`: this manager's part in the election. */
  readonly replication: Replication | undefined;
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
  const build = clusterBuilder(config, logger, metrics);
  const apiOptions = {
    hosts: config.hosts,
    tls: config.tls,
    cors: config.cors,
    metrics: config.metrics,
    dashboard: config.dashboard,
    limits: config.apiLimits,
  };
  if (!config.replication) {
    const cluster = await build.withDiscovery(undefined);
    metrics.watch(cluster.gauges());
    const api = new ApiServer(
      { cluster, eventLog: cluster.eventLog, logger, debug, version, metrics, redactor },
      apiOptions,
    );
    await cluster.start();
    await api.listen();
    return {
      cluster,
      api,
      replication: undefined,
      async close() {
        await api.close();
        await cluster.stop();
        metrics.close();
      },
    };
  }

  // Replicated: the API serves from the start (replicas proxy to the leader); the cluster exists while this leads.
  const replicated = config.replication;
  let current: Cluster | undefined;
  const replication: Replication = new Replication({
    servers: replicated.servers,
    ...(replicated.auth ? { auth: replicated.auth } : {}),
    path: replicated.path,
    advertise: replicated.advertise,
    sessionTimeoutMs: replicated.ttlMs,
    logger,
    startActing: async (demote) => {
      const backend = build.mesos
        ? replicatedState(replicated, build.mesos.name, () => replication.fence())
        : undefined;
      const cluster = await build.withDiscovery(backend);
      try {
        await cluster.start();
      } catch (err) {
        await cluster.stop().catch(() => undefined);
        throw err;
      }
      if (cluster instanceof MesosCluster) {
        // Mesos fences the framework too: another scheduler subscribed as ours, so this one no longer leads.
        cluster.framework.client.on('masterError', (message) => {
          if (/failed over/i.test(message)) demote(`Mesos: ${message}`);
        });
      }
      metrics.watch(cluster.gauges());
      current = cluster;
      return {
        async stop() {
          if (current === cluster) current = undefined;
          await cluster.stop();
        },
      };
    },
  });
  const gate = new ReplicaGate(replication, config.clusterDriver, config.tls, replicated.ttlMs + NO_PRIMARY_GRACE_MS);
  const acting = (): Cluster => {
    if (!current) throw noPrimary();
    return current;
  };
  const services = {
    get cluster() {
      return acting();
    },
    get eventLog() {
      return acting().eventLog;
    },
    logger,
    debug,
    version,
    metrics,
    redactor,
    gate,
  };
  const api = new ApiServer(services, apiOptions);
  await api.listen();
  try {
    await replication.start();
  } catch (err) {
    await api.close();
    throw err;
  }
  return {
    get cluster() {
      return acting();
    },
    api,
    replication,
    async close() {
      await api.close();
      await replication.close();
      gate.close();
      metrics.close();
    },
  };
}

/** How long a request waits for a leader beyond the session timeout (the time a dead leader's znode lingers). */
const NO_PRIMARY_GRACE_MS = 10_000;

/** Makes the configured driver's cluster (once per leadership with replication), its discovery read first. */
function clusterBuilder(config: ManageConfig, logger: Logger, metrics: Metrics) {
  const scheduler = new Scheduler({ strategy: config.strategy, filters: config.filters });
  const engine = {
    tls: config.tls,
    refreshMinMs: config.engineRefreshMinMs,
    refreshMaxMs: config.engineRefreshMaxMs,
    failureRetry: config.engineFailureRetry,
  };
  const options = clusterSettings(config.clusterOptions);
  if (config.clusterDriver === 'swarm') {
    const discovery = createDiscovery(config.discovery, config.heartbeatMs);
    return {
      mesos: undefined,
      async withDiscovery(_backend: StateBackend | undefined): Promise<Cluster> {
        // A discovery read over the network (zk://) has its first list in before the engines are connected.
        await discovery.ready?.();
        return new SwarmCluster({
          discovery,
          engine,
          scheduler,
          overcommit: options['swarm.overcommit'],
          createRetry: options['swarm.createretry'],
          cpuShares: options['swarm.cpushares'] as CpuSharesMeaning,
          rescheduleTimeoutMs: options['swarm.rescheduletimeout'],
          logger,
          metrics,
        });
      },
    };
  }
  if (!config.discovery) {
    throw new Error('the mesos-experimental driver needs the Mesos master: host:port, zk://host:2181/mesos, …');
  }
  const settings = mesosSettings(config.discovery, options, config.tls);
  return {
    mesos: settings,
    async withDiscovery(backend: StateBackend | undefined): Promise<Cluster> {
      return new MesosCluster({ settings, scheduler, engine, logger, metrics, ...(backend ? { backend } : {}) });
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
