// Discovery: where the swarm driver learns its engines. Backends: a static list (`nodes://h1:p,h2:p` or bare
// `h1:p,h2:p`, with IP ranges), a file (`file:///path`, one address a line, re-read every heartbeat), or nothing
// (the local engine: DOCKER_HOST, else the default socket), or ZooKeeper (`zk://h:2181/path`: ./zookeeper.ts,
// engines registered by `mesoswarm join`). Consul and etcd are refused with a clear message.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { expandRange } from './ranges.js';
import { normalizeEngineAddress, type EngineAddress } from './address.js';
import { zookeeperDiscovery } from './zookeeper.js';

export interface Discovery {
  /** A description for logs and `docker info`. */
  readonly description: string;
  /** Calls `onChange` with the full address list now and whenever it changes, until the returned stop is called. */
  watch(onChange: (addresses: EngineAddress[]) => void, onError: (err: Error) => void): () => void;
  /** For a discovery read over the network: resolves once the first list is in, so `watch` reports it at once. */
  ready?(): Promise<void>;
}

export const DEFAULT_LOCAL_ENGINE = 'unix:///var/run/docker.sock';

export function createDiscovery(uri: string | undefined, heartbeatMs: number, env = process.env): Discovery {
  if (uri === undefined || uri === '') {
    const local = env.DOCKER_HOST ? normalizeEngineAddress(env.DOCKER_HOST) : DEFAULT_LOCAL_ENGINE;
    return staticDiscovery(`local engine ${local}`, [local]);
  }
  const scheme = /^([a-z]+):\/\//.exec(uri)?.[1];
  if (scheme === 'file') return fileDiscovery(uri.slice('file://'.length), heartbeatMs);
  if (scheme === 'nodes') return staticDiscovery(uri, parseNodeList(uri.slice('nodes://'.length)));
  if (scheme === 'zk') return zookeeperDiscovery(uri, Math.max(heartbeatMs, 10_000));
  if (scheme === 'consul' || scheme === 'etcd') {
    throw new Error(`${scheme}:// discovery is not supported; use zk://, nodes:// or file://`);
  }
  if (scheme === 'token') throw new Error('token:// discovery was retired with Docker Hub’s hosted service');
  if (scheme !== undefined && scheme !== 'tcp' && scheme !== 'unix') {
    throw new Error(`unsupported discovery "${uri}": expected zk://, nodes://, file://, or host:port[,host:port…]`);
  }
  return staticDiscovery(uri, parseNodeList(uri));
}

export function parseNodeList(list: string): EngineAddress[] {
  const out: EngineAddress[] = [];
  for (const entry of list.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    for (const address of expandRange(trimmed)) out.push(normalizeEngineAddress(address));
  }
  if (out.length === 0) throw new Error(`discovery "${list}" lists no engines`);
  return [...new Set(out)];
}

function staticDiscovery(description: string, addresses: EngineAddress[]): Discovery {
  return {
    description,
    watch(onChange) {
      onChange(addresses);
      return () => {};
    },
  };
}

function fileDiscovery(path: string, heartbeatMs: number): Discovery {
  const parse = (text: string) =>
    text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean)
      .flatMap((line) => expandRange(line).map(normalizeEngineAddress));
  return {
    description: `file://${path}`,
    watch(onChange, onError) {
      // Undefined until the first read, which is always reported (an empty file lists no engines, and says so).
      let last: string | undefined;
      let stopped = false;
      const report = (addresses: EngineAddress[]) => {
        const key = addresses.join(',');
        if (!stopped && key !== last) {
          last = key;
          onChange([...new Set(addresses)]);
        }
      };
      // The first read is synchronous, like a static list's: the cluster connects to these engines before the API
      // opens, so the first `docker info` or `docker run` already sees them (not an empty or pending cluster).
      try {
        report(parse(readFileSync(path, 'utf8')));
      } catch (err) {
        onError(err as Error);
      }
      // A file rewritten in place (`echo … > nodes`) is empty between its truncation and the write: one empty read
      // would drop every engine for a heartbeat. An empty list is believed when the next read agrees.
      let emptyReads = 0;
      const read = async () => {
        try {
          const addresses = parse(await readFile(path, 'utf8'));
          emptyReads = addresses.length === 0 ? emptyReads + 1 : 0;
          if (emptyReads === 1 && last) return;
          report(addresses);
        } catch (err) {
          if (!stopped) onError(err as Error);
        }
      };
      const timer = setInterval(() => void read(), heartbeatMs);
      timer.unref();
      return () => {
        stopped = true;
        clearInterval(timer);
      };
    },
  };
}
