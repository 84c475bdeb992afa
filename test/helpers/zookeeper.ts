// A ZooKeeper client for tests (with digest credentials `user:password` when given): read what the manager or a Mesos
// master wrote, and remove what a test created.
import zookeeper from 'node-zookeeper-client';
import { ZOOKEEPER } from './services.js';
import { within } from './deadline.js';

export function zkClient(auth?: string, sessionTimeout = 5000): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(ZOOKEEPER, { sessionTimeout });
  if (auth) client.addAuthInfo('digest', Buffer.from(auth));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error('ZooKeeper did not answer'));
    }, within(5000));
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

export const getData = (client: zookeeper.Client, path: string) =>
  new Promise<string>((resolve, reject) =>
    client.getData(path, (err, data) => (err ? reject(err) : resolve(data.toString('utf8')))),
  );

/** Removes a znode and everything under it (what the test created); a missing node is fine. */
export async function removeTree(client: zookeeper.Client, path: string): Promise<void> {
  const children = await new Promise<string[]>((resolve) =>
    client.getChildren(path, (err, names) => resolve(err ? [] : names)),
  );
  for (const child of children) await removeTree(client, `${path}/${child}`);
  await new Promise<void>((resolve) => client.remove(path, -1, () => resolve()));
}

/** Removes these trees with a client of its own. */
export async function removeZkTrees(...paths: string[]): Promise<void> {
  const client = await zkClient();
  try {
    for (const path of paths) await removeTree(client, path);
  } finally {
    client.close();
  }
}
