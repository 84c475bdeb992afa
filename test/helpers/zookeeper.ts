// A ZooKeeper client on the test ensemble, connected (and with digest credentials `user:password` when given).
import zookeeper from 'node-zookeeper-client';
import { ZOOKEEPER } from './services.js';
import { within } from './deadline.js';

export function zkClient(auth?: string): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(ZOOKEEPER, { sessionTimeout: 5000 });
  if (auth) client.addAuthInfo('digest', Buffer.from(auth));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ZooKeeper did not answer')), within(5000));
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}
