// A guard around node-zookeeper-client's connection handling (see hardenConnection), for every client the manager
// makes: the master detector's here, the election's, the discovery's and the stored values' elsewhere.
import zookeeper from 'node-zookeeper-client';

interface ConnectionInternals {
  pendingBuffer: Buffer | null;
  socket?: { destroy(): void };
  onSocketClosed(this: ConnectionInternals, ...args: unknown[]): void;
  onSocketData(this: ConnectionInternals, buffer: Buffer): void;
}

/**
 * Two flaws of node-zookeeper-client 1.1.3, each of which throws from its socket handler and so takes the process
 * down: it keeps the partial frame of a connection that dropped and reads it as the start of the next connection's
 * bytes; and an answer that comes after close() was called mid-connect (a session given up while reconnecting) is
 * parsed as the wrong kind ("Unknown code: …", seen when ZooKeeper was cut off and came back). Here the partial
 * frame goes with its connection, and bytes the library cannot parse end that connection (the stream is out of step
 * anyway) rather than the process. Call before `connect()`: each socket binds the handlers when it is made.
 */
export function hardenConnection(client: zookeeper.Client): zookeeper.Client {
  const connection = (client as unknown as { connectionManager?: ConnectionInternals }).connectionManager;
  if (!connection || typeof connection.onSocketClosed !== 'function' || typeof connection.onSocketData !== 'function') {
    return client;
  }
  const closed = connection.onSocketClosed;
  const data = connection.onSocketData;
  connection.onSocketClosed = function (this: ConnectionInternals, ...args: unknown[]) {
    this.pendingBuffer = null;
    closed.apply(this, args);
  };
  connection.onSocketData = function (this: ConnectionInternals, buffer: Buffer) {
    try {
      data.call(this, buffer);
    } catch {
      this.pendingBuffer = null;
      this.socket?.destroy();
    }
  };
  return client;
}

/**
 * A hardened client with digest credentials, connected: rejects when no server answers within `timeoutMs` (the
 * session timeout asked for), closing the client so it stops trying.
 */
export async function connectedClient(
  hosts: string,
  options: { timeoutMs: number; retries: number; auth?: { readonly user: string; readonly password: string } },
): Promise<zookeeper.Client> {
  const { timeoutMs } = options;
  const client = hardenConnection(
    zookeeper.createClient(hosts, { sessionTimeout: timeoutMs, retries: options.retries }),
  );
  if (options.auth) client.addAuthInfo('digest', Buffer.from(`${options.auth.user}:${options.auth.password}`));
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
  return client;
}
