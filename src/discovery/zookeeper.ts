// ZooKeeper discovery (`zk://h1:2181,h2:2181/path`), as classic Swarm's: engines are the children of
// `<path>/docker/swarm/nodes`, each named by its address (one `mesoswarm join` each, an ephemeral znode that lives
// as long as the joining process's session), and the managers' election lives beside them at
// `<path>/docker/swarm/leader`. The list is read once before the manager serves, then followed through a watch;
// a session that expires is replaced and the list read again.
import zookeeper from 'node-zookeeper-client';
import { parseMasterAddress } from '../mesos/detector.js';
import { normalizeEngineAddress, type EngineAddress } from './address.js';
import type { Discovery } from './discovery.js';
import { call, ensurePath, isNodeExists } from '../util/zookeeper.js';
import { connectedClient } from '../mesos/zookeeper-guard.js';

const { CreateMode } = zookeeper;

export interface ZooKeeperTarget {
  readonly servers: string;
  readonly auth?: { readonly user: string; readonly password: string };
  /** The discovery's path, under which classic Swarm's `docker/swarm/…` keys live. */
  readonly base: string;
}

export function zookeeperTarget(uri: string): ZooKeeperTarget {
  const parsed = parseMasterAddress(uri);
  if (parsed.kind !== 'zk') throw new Error(`"${uri}" is not a zk://host:port/path address`);
  return { servers: parsed.servers, base: parsed.path, ...(parsed.auth ? { auth: parsed.auth } : {}) };
}

export const nodesPath = (target: ZooKeeperTarget) => `${target.base}/docker/swarm/nodes`;
export const leaderPath = (target: ZooKeeperTarget) => `${target.base}/docker/swarm/leader`;

/** A connected client of the discovery's ensemble; rejects when it does not answer within `timeoutMs`. */
const connectZooKeeper = (target: ZooKeeperTarget, timeoutMs: number): Promise<zookeeper.Client> =>
  connectedClient(target.servers, { timeoutMs, retries: 0, ...(target.auth ? { auth: target.auth } : {}) });

/** The engines under `<path>/docker/swarm/nodes`, followed while anyone watches. */
export function zookeeperDiscovery(uri: string, timeoutMs = 10_000): Discovery & { ready(): Promise<void> } {
  const target = zookeeperTarget(uri);
  const path = nodesPath(target);
  const listeners = new Set<{ onChange: (a: EngineAddress[]) => void; onError: (e: Error) => void }>();
  let client: zookeeper.Client | undefined;
  let latest: EngineAddress[] | undefined;
  let first: Promise<void> | undefined;
  let generation = 0;

  const report = (addresses: EngineAddress[]) => {
    const changed = latest === undefined || latest.join(',') !== addresses.join(',');
    latest = addresses;
    if (changed) for (const l of listeners) l.onChange(addresses);
  };
  const fail = (err: Error) => {
    for (const l of listeners) l.onError(err);
  };
  const read = async (own: number, c: zookeeper.Client) => {
    const names = await call<string[]>((done) =>
      c.getChildren(
        path,
        () => {
          if (own === generation) read(own, c).catch(fail);
        },
        done,
      ),
    );
    if (own !== generation) return;
    report([...new Set(names.map((n) => normalizeEngineAddress(decodeURIComponent(n))))].sort());
  };
  const open = async () => {
    const own = ++generation;
    const c = await connectZooKeeper(target, timeoutMs);
    if (own !== generation) return c.close();
    client = c;
    c.once('expired', () => {
      if (own !== generation) return;
      c.close();
      first = undefined;
      opening().catch(fail);
    });
    await ensurePath(c, path);
    await read(own, c);
  };
  const close = () => {
    generation++;
    client?.close();
    client = undefined;
    first = undefined;
    latest = undefined;
  };

  /** The first read under way or done; a failed one is forgotten, so the next ready() or watch() tries again. */
  const opening = () => {
    first ??= open().catch((err: unknown) => {
      first = undefined;
      throw err;
    });
    return first;
  };

  return {
    description: `zk://${target.servers}${target.base}`,
    ready: opening,
    watch(onChange, onError) {
      const listener = { onChange, onError };
      listeners.add(listener);
      if (latest) onChange(latest);
      opening().catch((err: Error) => onError(err));
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) close();
      };
    },
  };
}

/**
 * `mesoswarm join`: keeps `advertise` registered as an engine, an ephemeral znode of a session whose timeout is
 * `--ttl` (it goes when the joining process stops refreshing it), rewritten every heartbeat and made again after a
 * session was lost. Resolves once registered; the returned stop removes the registration.
 */
export async function registerEngine(
  uri: string,
  advertise: string,
  heartbeatMs: number,
  ttlMs: number,
  onError: (err: Error) => void,
): Promise<() => void> {
  const target = zookeeperTarget(uri);
  const node = `${nodesPath(target)}/${encodeURIComponent(advertise)}`;
  let client: zookeeper.Client | undefined;
  let stopped = false;
  const put = async (c: zookeeper.Client) => {
    const data = Buffer.from(advertise, 'utf8');
    try {
      await call((done) => c.create(node, data, CreateMode.EPHEMERAL, done));
    } catch (err) {
      if (!isNodeExists(err)) throw err;
      await call((done) => c.setData(node, data, -1, done));
    }
  };
  const connect = async () => {
    const c = await connectZooKeeper(target, ttlMs);
    client = c;
    c.once('expired', () => {
      c.close();
      if (!stopped) connect().catch(onError);
    });
    await ensurePath(c, nodesPath(target));
    await put(c);
  };
  await connect();
  const timer = setInterval(() => {
    if (client) put(client).catch(onError);
  }, heartbeatMs);
  return () => {
    stopped = true;
    clearInterval(timer);
    const c = client;
    if (c)
      call((done) => c.remove(node, -1, done))
        .finally(() => c.close())
        .catch(() => undefined);
  };
}
