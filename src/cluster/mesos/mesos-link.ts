// How the manager reaches Mesos securely, derived once from the master address and the options at start-up:
// - HTTPS to the master when it is given as `https://…`, or when `mesos.tls` (or any mesos.tls* file) says so for a
//   `host:port` or `zk://` master (ZooKeeper's MasterInfo names no scheme: like Mesos' own scheduler library, the
//   scheme is the framework's setting). The certificate is verified by default (`mesos.tlsverify=false` turns it
//   off), against mesos.tlscacert, else the manager's --tlscacert, else the system's CAs; the client certificate is
//   mesos.tlscert/tlskey, else the manager's --tlscert/--tlskey.
// - ZooKeeper digest credentials from `zk://user:pass@hosts/path` (the form Mesos accepts), used both to read the
//   masters' group and to own the znodes the manager writes (see store/zookeeper-value.ts for their ACLs).
// The password is never put in a message; `masterForDisplay` is the address as logs and `docker info` show it.
import { readFileSync } from 'node:fs';
import type { TlsFiles } from '../../util/tls.js';
import type { ClusterOptionKey, ClusterSettings } from '../options.js';
import { parseMasterAddress, redactMasterAddress, type TlsOptions } from '../../mesos/index.js';

export interface MesosLink {
  readonly scheme: 'http' | 'https';
  /** Client TLS settings for https masters; undefined for plain HTTP. */
  readonly tls: TlsOptions | undefined;
  /** ZooKeeper servers and credentials, for `zk://` masters. */
  readonly zookeeper: { readonly servers: string; readonly auth?: { user: string; password: string } } | undefined;
  readonly masterForDisplay: string;
}

/** The parsed options (parseClusterOptions), or the typed settings made of them (clusterSettings). */
type Options = ReadonlyMap<ClusterOptionKey, number | boolean | string> | ClusterSettings;

export function mesosLink(master: string, options: Options, managerTls: TlsFiles | undefined): MesosLink {
  const opt = (key: ClusterOptionKey) =>
    options instanceof Map ? options.get(key) : (options as ClusterSettings)[key];
  const files = {
    ca: opt('mesos.tlscacert') as string | undefined,
    cert: opt('mesos.tlscert') as string | undefined,
    key: opt('mesos.tlskey') as string | undefined,
  };
  if (Boolean(files.cert) !== Boolean(files.key)) throw new Error('mesos.tlscert and mesos.tlskey go together');
  const trimmed = master.trim();
  const https =
    /^https:\/\//i.test(trimmed) || opt('mesos.tls') === true || Boolean(files.ca || files.cert || files.key);
  if (/^http:\/\//i.test(trimmed) && https) {
    throw new Error(`the Mesos master ${redactMasterAddress(trimmed)} is http://, but mesos.tls options ask for TLS`);
  }
  let zookeeper: MesosLink['zookeeper'];
  if (trimmed.startsWith('zk://')) {
    const parsed = parseMasterAddress(trimmed);
    if (parsed.kind === 'zk') zookeeper = { servers: parsed.servers, ...(parsed.auth ? { auth: parsed.auth } : {}) };
  }
  return {
    scheme: https ? 'https' : 'http',
    tls: https ? tlsOptions(files, opt('mesos.tlsverify') !== false, managerTls) : undefined,
    zookeeper,
    masterForDisplay: redactMasterAddress(trimmed),
  };
}

function tlsOptions(
  files: { ca?: string; cert?: string; key?: string },
  verify: boolean,
  managerTls: TlsFiles | undefined,
): TlsOptions {
  const read = (option: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read ${option} "${path}": ${(err as Error).message}`, { cause: err });
    }
  };
  const ca = files.ca ? read('mesos.tlscacert', files.ca) : managerTls?.ca;
  const own = files.cert && files.key;
  const cert = own ? read('mesos.tlscert', files.cert!) : managerTls?.cert;
  const key = own ? read('mesos.tlskey', files.key!) : managerTls?.key;
  return {
    rejectUnauthorized: verify,
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
  };
}
