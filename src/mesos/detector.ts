// Finding the leading master. Owns the master address forms (`host:port`, `http(s)://host:port`,
// `zk://[user:pass@]h1:2181,h2:2181/path`, and `file:///path` holding one of those) and the ZooKeeper leader
// detection of reference §8: masters register EPHEMERAL_SEQUENTIAL `json.info_<seq>` children under the group path;
// the lowest sequence is the leader, its data is MasterInfo JSON. Detectors report the leader's scheduler endpoint
// (or null for "no leader") and report again only when it changes; the client reacts by re-subscribing.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import zookeeper from 'node-zookeeper-client';
import { hardenConnection } from './zookeeper-guard.js';
import { MasterAddressError, describe } from './errors.js';
import { schedulerUrl } from './http.js';
import { silentLogger, type Logger } from './logger.js';
import type { MasterInfo } from './types.js';

export interface DetectedMaster {
  /** The leader's scheduler endpoint, e.g. `http://10.0.0.11:5050/api/v1/scheduler`. */
  url: URL;
  /** The MasterInfo published in ZooKeeper, when the leader was found there. */
  info?: MasterInfo;
}

export type LeaderListener = (leader: DetectedMaster | null) => void;

/** Something that knows who leads. `start` may report synchronously; `stop` ends all watching. */
export interface MasterDetector {
  start(listener: LeaderListener): void;
  stop(): Promise<void>;
}

export type MasterAddress =
  { kind: 'url'; url: URL } | { kind: 'zk'; servers: string; path: string; auth?: { user: string; password: string } };

export const DEFAULT_MASTER_PORT = 5050;

/**
 * A master address safe to log or show: the password of `zk://user:pass@…` (or of `https://user:pass@…`) is
 * replaced by `***`. Every message this client makes from an address goes through it.
 */
export function redactMasterAddress(text: string): string {
  return text.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^/]*@/i, '$1:***@');
}

/**
 * Parses every form except `file://` (which needs I/O; see resolveMasterAddress). `scheme` applies to the bare
 * `host[:port]` form.
 */
export function parseMasterAddress(text: string, scheme: 'http' | 'https' = 'http'): MasterAddress {
  const input = text.trim();
  if (input === '') throw new MasterAddressError('empty Mesos master address');
  if (input.startsWith('zk://')) return parseZkUrl(input);
  if (input.startsWith('file://')) {
    throw new MasterAddressError(
      `"${redactMasterAddress(input)}": file:// addresses must be resolved with resolveMasterAddress`,
    );
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `${scheme}://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new MasterAddressError(`invalid Mesos master address "${redactMasterAddress(text)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MasterAddressError(
      `invalid Mesos master address "${redactMasterAddress(text)}": expected http, https, zk or file`,
    );
  }
  if (!url.hostname)
    throw new MasterAddressError(`invalid Mesos master address "${redactMasterAddress(text)}": no host`);
  // Mesos masters listen on 5050; a URL without a port means that, not 80/443.
  if (!url.port && !/^[a-z]+:\/\/[^/]*:\d+/i.test(withScheme)) url.port = String(DEFAULT_MASTER_PORT);
  return { kind: 'url', url: schedulerUrl(url) };
}

function parseZkUrl(input: string): MasterAddress {
  const match = /^zk:\/\/(?:([^@/]*)@)?([^/]+)(\/.*)$/.exec(input);
  if (!match)
    throw new MasterAddressError(
      `invalid ZooKeeper URL "${redactMasterAddress(input)}": expected zk://host:port[,host:port]/path`,
    );
  const [, userinfo, servers, rawPath] = match;
  const path = rawPath!.replace(/\/+$/, '');
  if (path === '')
    throw new MasterAddressError(`invalid ZooKeeper URL "${redactMasterAddress(input)}": the group path is missing`);
  for (const server of servers!.split(',')) {
    if (!/^(?:\[[^\]]+\]|[^:,[\]]+)(?::\d+)?$/.test(server)) {
      throw new MasterAddressError(`invalid ZooKeeper URL "${redactMasterAddress(input)}": bad server "${server}"`);
    }
  }
  const out: MasterAddress = { kind: 'zk', servers: servers!, path };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    if (colon < 0)
      throw new MasterAddressError(
        `invalid ZooKeeper URL "${redactMasterAddress(input)}": credentials must be user:password`,
      );
    out.auth = {
      user: decodeURIComponent(userinfo.slice(0, colon)),
      password: decodeURIComponent(userinfo.slice(colon + 1)),
    };
  }
  return out;
}

/** Like parseMasterAddress, and also reads `file:///path` (whose content is one of the other forms). */
export async function resolveMasterAddress(text: string, scheme: 'http' | 'https' = 'http'): Promise<MasterAddress> {
  const input = text.trim();
  if (!input.startsWith('file://')) return parseMasterAddress(input, scheme);
  let path: string;
  try {
    path = fileURLToPath(input);
  } catch {
    throw new MasterAddressError(`invalid file URL "${input}"`);
  }
  let content: string;
  try {
    content = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new MasterAddressError(`cannot read Mesos master address from ${path}: ${describe(err)}`, { cause: err });
  }
  if (content.startsWith('file://'))
    throw new MasterAddressError(`${path} points at another file (${redactMasterAddress(content)})`);
  return parseMasterAddress(content, scheme);
}

/**
 * The scheduler endpoint a MasterInfo advertises: `address.ip` (or `address.hostname`) and `address.port`, as pymesos
 * does; older masters without `address` are read from `pid` (`master@ip:port`) or `hostname` + `port`.
 */
export function masterInfoUrl(info: MasterInfo, scheme: 'http' | 'https' = 'http'): URL | undefined {
  let host: string | undefined;
  let port: number | undefined;
  const address = info.address;
  if (address && typeof address.port === 'number' && (address.ip || address.hostname)) {
    host = address.ip || address.hostname;
    port = address.port;
  } else if (typeof info.pid === 'string' && /@(.+):(\d+)$/.test(info.pid)) {
    const m = /@(.+):(\d+)$/.exec(info.pid)!;
    host = m[1];
    port = Number(m[2]);
  } else if (info.hostname && typeof info.port === 'number') {
    host = info.hostname;
    port = info.port;
  }
  if (!host || !port || port < 1 || port > 65535) return undefined;
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    return schedulerUrl(new URL(`${scheme}://${hostPart}:${port}`));
  } catch {
    return undefined;
  }
}

/** MasterInfo from a znode's data, or undefined when the data is not a usable MasterInfo. */
export function parseMasterInfo(data: Buffer | undefined): MasterInfo | undefined {
  if (!data || data.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as MasterInfo;
}

// ---------------------------------------------------------------------------------------------------------------

/** A fixed master: reports it once. Redirects (to the real leader) are the client's business. */
export class StaticDetector implements MasterDetector {
  constructor(private readonly url: URL) {}
  start(listener: LeaderListener): void {
    listener({ url: this.url });
  }
  async stop(): Promise<void> {}
}

export interface ZooKeeperDetectorOptions {
  scheme?: 'http' | 'https';
  logger?: Logger;
  /** ZooKeeper session timeout; masters use 10 s. */
  sessionTimeoutMs?: number;
  /** Delay before re-reading after a ZooKeeper error that is not a connection change. */
  retryDelayMs?: number;
  /** Injection point for tests (to reach the session, or to use a fake). */
  createClient?: (servers: string, options: Partial<zookeeper.Option>) => zookeeper.Client;
}

const LEADER_NODE = /^json\.info_(\d+)$/;

function zkCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export class ZooKeeperDetector implements MasterDetector {
  private client: zookeeper.Client | undefined;
  private listener: LeaderListener | undefined;
  private stopped = false;
  private refreshing = false;
  private refreshAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The last reported leader's href, null for "no leader", undefined before the first report. */
  private reported: string | null | undefined;
  /** Nodes already logged as unusable, so a garbage node is reported once, not on every change. */
  private readonly skipped = new Set<string>();
  private readonly logger: Logger;
  private readonly scheme: 'http' | 'https';
  private readonly watcher = (): void => {
    if (!this.stopped) this.refresh();
  };

  constructor(
    private readonly address: Extract<MasterAddress, { kind: 'zk' }>,
    private readonly options: ZooKeeperDetectorOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.scheme = options.scheme ?? 'http';
  }

  start(listener: LeaderListener): void {
    if (this.listener) throw new Error('ZooKeeperDetector already started');
    this.listener = listener;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    client?.close();
  }

  /** A new session: at start, and after the previous session expired (its watches are gone with it). */
  private connect(): void {
    const options: Partial<zookeeper.Option> = {
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      spinDelay: 1000,
    };
    const client = this.options.createClient
      ? this.options.createClient(this.address.servers, options)
      : hardenConnection(zookeeper.createClient(this.address.servers, options));
    this.client = client;
    if (this.address.auth) {
      client.addAuthInfo('digest', Buffer.from(`${this.address.auth.user}:${this.address.auth.password}`));
    }
    client.on('state', (state: zookeeper.State) => {
      if (client !== this.client || this.stopped) return;
      const name = state.name;
      if (name === 'SYNC_CONNECTED' || name === 'CONNECTED_READ_ONLY') {
        this.logger.debug({ servers: this.address.servers, state: name }, 'zookeeper connected');
        this.refresh();
      } else if (name === 'EXPIRED') {
        this.logger.warn({ servers: this.address.servers }, 'zookeeper session expired, starting a new session');
        client.close();
        this.connect();
      } else if (name === 'AUTH_FAILED') {
        this.logger.error({ servers: this.address.servers }, 'zookeeper authentication failed');
      } else if (name === 'DISCONNECTED') {
        // The masters' nodes outlive our connection; keep the last leader until the session says otherwise.
        this.logger.warn({ servers: this.address.servers }, 'zookeeper disconnected, keeping the last known leader');
      }
    });
    client.connect();
  }

  /** One read at a time; a change noticed during a read triggers exactly one more. */
  private refresh(): void {
    if (this.stopped) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    clearTimeout(this.retryTimer);
    void this.read()
      .catch((err: unknown) => {
        if (this.stopped) return;
        this.logger.warn({ err: describe(err), path: this.address.path }, 'zookeeper read failed, retrying');
        this.retryTimer = setTimeout(() => this.refresh(), this.options.retryDelayMs ?? 1000);
      })
      .finally(() => {
        this.refreshing = false;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          this.refresh();
        }
      });
  }

  private async read(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const path = this.address.path;
    let children: string[];
    try {
      children = await new Promise<string[]>((resolve, reject) =>
        client.getChildren(path, this.watcher, (err, list) => (err ? reject(err) : resolve(list))),
      );
    } catch (err) {
      if (zkCode(err) !== zookeeper.Exception.NO_NODE) throw err;
      // No group node yet: nobody has ever been elected here. Watch for its creation.
      const exists = await new Promise<boolean>((resolve, reject) =>
        client.exists(path, this.watcher, (e, stat) => (e ? reject(e) : resolve(Boolean(stat)))),
      );
      if (exists) this.refreshAgain = true;
      this.report(null);
      return;
    }
    if (client !== this.client) return;
    const candidates = children
      .map((name) => ({ name, match: LEADER_NODE.exec(name) }))
      .filter((c): c is { name: string; match: RegExpExecArray } => c.match !== null)
      .map((c) => ({ name: c.name, seq: Number(c.match[1]) }))
      .sort((a, b) => a.seq - b.seq);
    for (const candidate of candidates) {
      const nodePath = `${path}/${candidate.name}`;
      let data: Buffer;
      try {
        data = await new Promise<Buffer>((resolve, reject) =>
          client.getData(nodePath, (err, value) => (err ? reject(err) : resolve(value))),
        );
      } catch (err) {
        // Deleted between listing and reading: the children watch fires too; move on to the next candidate.
        if (zkCode(err) === zookeeper.Exception.NO_NODE) continue;
        throw err;
      }
      if (client !== this.client) return;
      const info = parseMasterInfo(data);
      const url = info ? masterInfoUrl(info, this.scheme) : undefined;
      if (!info || !url) {
        if (!this.skipped.has(nodePath)) {
          this.skipped.add(nodePath);
          this.logger.warn(
            { node: nodePath, data: data?.toString('utf8').slice(0, 200) },
            'skipping ZooKeeper master node without a usable MasterInfo',
          );
        }
        continue;
      }
      this.report({ url, info });
      return;
    }
    this.report(null);
  }

  private report(leader: DetectedMaster | null): void {
    if (this.stopped) return;
    const key = leader ? leader.url.href : null;
    if (key === this.reported) return;
    this.reported = key;
    if (leader) {
      this.logger.info({ leader: leader.url.href, id: leader.info?.id }, 'mesos leader detected');
    } else {
      this.logger.warn({ path: this.address.path }, 'no mesos leader in zookeeper');
    }
    this.listener?.(leader);
  }
}

export interface DetectorOptions extends ZooKeeperDetectorOptions {
  scheme?: 'http' | 'https';
}

/** The detector for any supported address form. */
export async function createDetector(address: string, options: DetectorOptions = {}): Promise<MasterDetector> {
  const parsed = await resolveMasterAddress(address, options.scheme);
  return parsed.kind === 'zk' ? new ZooKeeperDetector(parsed, options) : new StaticDetector(parsed.url);
}
