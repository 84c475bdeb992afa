// One small value kept in ZooKeeper (the framework ID when the Mesos master is found through `zk://`), so a
// manager started on another machine against the same ensemble re-registers as the same framework.
//
// With digest credentials (`zk://user:pass@…`), the value's znode and its parent belong to that identity: anyone may
// read them, only the credentials' holder may write or delete them (Mesos' own EVERYONE_READ_CREATOR_ALL), so no
// other ZooKeeper client can point the manager at another framework. The shared top node (`/mesoswarm`) also lets
// anyone add a child, so managers with other credentials can keep their own values beside ours. Nodes made before
// credentials were given are tightened the same way (their open ACL allows it).
import zookeeper from 'node-zookeeper-client';
import { connectedClient } from '../mesos/zookeeper-guard.js';

export interface ZooKeeperValue {
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
  close(): void;
}

export interface ZooKeeperValueOptions {
  readonly auth?: { readonly user: string; readonly password: string };
  readonly timeoutMs?: number;
}

const { ACL, Id, Permission, Exception } = zookeeper;
const OWNER_ALL = new ACL(Permission.ALL, new Id('auth', ''));
const WORLD_READ = new ACL(Permission.READ, new Id('world', 'anyone'));
const WORLD_READ_CREATE = new ACL(Permission.READ | Permission.CREATE, new Id('world', 'anyone'));
const WORLD_ALL = new ACL(Permission.ALL, new Id('world', 'anyone'));

/** An ACL's permission bits (the library names the field `permission`; its type declarations say `perms`). */
const permissionsOf = (acl: zookeeper.ACL) => (acl as unknown as { permission: number }).permission;

/** `hosts` is a ZooKeeper connect string (`h1:2181,h2:2181`); `path` an absolute znode path. */
export async function openZooKeeperValue(
  hosts: string,
  path: string,
  options: ZooKeeperValueOptions = {},
): Promise<ZooKeeperValue> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client = await connectedClient(hosts, { timeoutMs, retries: 2, auth: options.auth });
  const call = <T>(fn: (done: (err: unknown, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
  const code = (err: unknown) => (err as { getCode?: () => number }).getCode?.();
  const secured = options.auth !== undefined;

  /** Creates `node` with `acls` unless it exists; with credentials, tightens an existing node's ACL to `acls`. */
  const ensure = async (node: string, acls: zookeeper.ACL[]) => {
    try {
      await call((done) => client.create(node, acls, zookeeper.CreateMode.PERSISTENT, (err) => done(err)));
      return;
    } catch (err) {
      if (code(err) !== Exception.NODE_EXISTS) throw err;
    }
    if (!secured) return;
    const current = await call<zookeeper.ACL[]>((done) => client.getACL(node, (err, acl) => done(err, acl)));
    const open = current.some((acl) => acl.id.scheme === 'world' && permissionsOf(acl) & Permission.WRITE);
    // A node already ours, or someone else's: left as it is (writing it then fails with NOT_AUTH, which is reported).
    if (open) await call((done) => client.setACL(node, acls, -1, (err) => done(err)));
  };

  return {
    async get() {
      try {
        const data = await call<Buffer | undefined>((done) => client.getData(path, (err, d) => done(err, d)));
        return data?.toString('utf8') || undefined;
      } catch (err) {
        if (code(err) === Exception.NO_NODE) return undefined;
        throw err;
      }
    },
    async set(value) {
      const data = Buffer.from(value, 'utf8');
      const parts = path.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        const node = `/${parts.slice(0, i).join('/')}`;
        const own = i >= parts.length - 1;
        const acls = !secured ? [WORLD_ALL] : own ? [OWNER_ALL, WORLD_READ] : [OWNER_ALL, WORLD_READ_CREATE];
        await ensure(node, acls);
      }
      await call((done) => client.setData(path, data, -1, (err) => done(err)));
    },
    close: () => client.close(),
  };
}
