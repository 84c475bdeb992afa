// One small value kept in ZooKeeper (the framework ID when the Mesos master is found through `zk://`), so a
// manager started on another machine against the same ensemble re-registers as the same framework.
import zookeeper from 'node-zookeeper-client';

export interface ZooKeeperValue {
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
  close(): void;
}

/** `hosts` is a ZooKeeper connect string (`h1:2181,h2:2181`); `path` an absolute znode path. */
export async function openZooKeeperValue(hosts: string, path: string, timeoutMs = 10_000): Promise<ZooKeeperValue> {
  const client = zookeeper.createClient(hosts, { sessionTimeout: timeoutMs, retries: 2 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`cannot reach ZooKeeper at ${hosts} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  const call = <T>(fn: (done: (err: unknown, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
  return {
    async get() {
      try {
        const data = await call<Buffer | undefined>((done) => client.getData(path, (err, d) => done(err, d)));
        return data?.toString('utf8') || undefined;
      } catch (err) {
        if ((err as { getCode?: () => number }).getCode?.() === zookeeper.Exception.NO_NODE) return undefined;
        throw err;
      }
    },
    async set(value) {
      const data = Buffer.from(value, 'utf8');
      await call((done) => client.mkdirp(path, (err) => done(err)));
      await call((done) => client.setData(path, data, -1, (err) => done(err)));
    },
    close: () => client.close(),
  };
}
