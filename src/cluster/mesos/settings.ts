// The Mesos driver's settings, read once at start-up from the options catalogue (cluster/options.ts, where every
// default lives), and the Mesos client they describe: the FrameworkInfo, credentials, the master and how it is
// reached (TLS, ZooKeeper credentials: mesos-link.ts).
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { MesosSchedulerClient, type FrameworkInfo } from '../../mesos/index.js';
import { badParameter, serverError } from '../../errors.js';
import type { Logger } from '../../util/logger.js';
import type { ClusterSettings } from '../options.js';
import type { CpuSharesMeaning } from '../cpu-shares.js';
import type { TlsFiles } from '../../util/tls.js';
import type { NeedDefaults } from './allocation.js';
import type { FrameworkSettings } from './framework.js';
import { mesosLink, type MesosLink } from './mesos-link.js';

export interface MesosSettings extends FrameworkSettings {
  /** The manager's positional argument: `host:port`, `zk://…/mesos`, `http(s)://…`, `file:///path`. */
  readonly master: string;
  readonly name: string;
  readonly user: string;
  readonly role: string;
  readonly checkpoint: boolean;
  readonly failoverTimeoutMs: number;
  readonly credentials: { principal: string; secret: string } | undefined;
  readonly defaults: NeedDefaults;
  /** How the master is reached: scheme, client TLS, ZooKeeper servers and credentials, the address as shown. */
  readonly link: MesosLink;
  /** This framework name's own folder under mesos.statedir. */
  readonly stateDir: string;
  /** `mesos.address`/`mesos.port` were given: accepted for compatibility, and said to be unused. */
  readonly callbackGiven: boolean;
}

export function mesosSettings(
  master: string,
  options: ClusterSettings,
  managerTls: TlsFiles | undefined,
): MesosSettings {
  const name = options['mesos.name'];
  return {
    master,
    name,
    user: options['mesos.user'] || currentUser(),
    role: options['mesos.role'],
    checkpoint: options['mesos.checkpointfailover'],
    failoverTimeoutMs: options['mesos.failovertimeout'],
    offerTimeoutMs: options['mesos.offertimeout'],
    refuseMs: options['mesos.offerrefusetimeout'],
    taskTimeoutMs: options['mesos.tasktimeout'],
    rescheduleTimeoutMs: options['mesos.rescheduletimeout'],
    unreachableTimeoutMs: options['mesos.unreachabletimeout'],
    credentials: credentials(options),
    defaults: {
      defaultCpus: options['mesos.defaultcpus'],
      defaultMemMb: options['mesos.defaultmem'],
      cpuShares: options['mesos.cpushares'] as CpuSharesMeaning,
    },
    link: mesosLink(master, options, managerTls),
    stateDir: join(options['mesos.statedir'], name),
    callbackGiven: options['mesos.address'] !== undefined || options['mesos.port'] !== undefined,
  };
}

/** The client for these settings, carrying the framework ID the manager kept (and persisting a new one first). */
export function mesosClient(
  settings: MesosSettings,
  frameworkId: string | undefined,
  persistFrameworkId: (id: string) => Promise<void>,
  logger: Logger,
): MesosSchedulerClient {
  const info: FrameworkInfo = {
    user: settings.user,
    name: settings.name,
    hostname: hostname(),
    failover_timeout: settings.failoverTimeoutMs / 1000,
    checkpoint: settings.checkpoint,
    role: settings.role,
    capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
    ...(settings.credentials ? { principal: settings.credentials.principal } : {}),
  };
  return new MesosSchedulerClient({
    master: settings.master,
    frameworkInfo: info,
    frameworkId,
    onFrameworkId: persistFrameworkId,
    credentials: settings.credentials,
    scheme: settings.link.scheme,
    tls: settings.link.tls,
    logger,
  });
}

/**
 * FrameworkInfo.user when `mesos.user` is unset: the user the manager runs as, as Mesos' own scheduler drivers (C++,
 * and mesos-go under classic Swarm) fill it in. Sent empty, agents fail every task: they cannot chown the sandbox to
 * user "".
 */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return ''; // no passwd entry for this uid: the master decides
  }
}

function credentials(options: ClusterSettings): { principal: string; secret: string } | undefined {
  const principal = options['mesos.principal'];
  if (!principal) return undefined;
  let secret = options['mesos.secret'];
  const file = options['mesos.secretfile'];
  if (secret === undefined && file) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw serverError(`cannot read mesos.secretfile ${file}: ${(err as Error).message}`);
    }
  }
  if (secret === undefined) throw badParameter('mesos.principal needs mesos.secret or mesos.secretfile');
  return { principal, secret };
}
