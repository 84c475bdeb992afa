// The node-zookeeper-client calls the election, discovery and join make, as promises, and the paths they need.
import zookeeper from 'node-zookeeper-client';

const { CreateMode, Exception, ACL, Id, Permission } = zookeeper;

export const OPEN_ACL = [new ACL(Permission.ALL, new Id('world', 'anyone'))];

export function call<T = unknown>(
  fn: (done: (err: Error | zookeeper.Exception | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** ZooKeeper's error code of a failed call (`Exception.NO_NODE`, …), undefined for other errors. */
export const codeOf = (err: unknown) => (err as { getCode?: () => number }).getCode?.();
export const isNoNode = (err: unknown) => codeOf(err) === Exception.NO_NODE;
export const isNodeExists = (err: unknown) => codeOf(err) === Exception.NODE_EXISTS;

/** Creates every missing node of `path`, persistent, with `acls`. */
export async function ensurePath(client: zookeeper.Client, path: string, acls = OPEN_ACL): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    try {
      await call((done) => client.create(`/${parts.slice(0, i).join('/')}`, acls, CreateMode.PERSISTENT, done));
    } catch (err) {
      if (!isNodeExists(err)) throw err;
    }
  }
}
