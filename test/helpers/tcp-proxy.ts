// A TCP proxy in front of a real engine, that a test can cut and restore: the engine "goes away" for the manager
// (refused connections, broken streams) while the daemon itself, shared with every other suite, keeps running.
import net from 'node:net';
import { Transform } from 'node:stream';

export interface TcpProxy {
  /** tcp://127.0.0.1:<port> */
  readonly address: string;
  /** Stops listening and breaks every open connection. */
  cut(): Promise<void>;
  /** Keeps every connection open but throws away what the target sends from now on (answers lost on the way). */
  dropReplies(): void;
  /** Listens again on the same port (and passes answers again). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpProxy(target: string): Promise<TcpProxy> {
  const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(target)!;
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let listenPort = 0;
  let dropping = false;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      // Half-open on both sides, as a daemon's connection is: a hijacked exec half-closes its input and still reads.
      server = net.createServer({ allowHalfOpen: true }, (client) => {
        const upstream = net.connect({ host, port: Number(port), allowHalfOpen: true });
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream);
        const gate = new Transform({ transform: (data, _encoding, done) => done(null, dropping ? undefined : data) });
        upstream.pipe(gate).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });

  const cut = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise((resolve) => closing.close(resolve));
  };

  await listen();
  return {
    address: `tcp://127.0.0.1:${listenPort}`,
    cut,
    dropReplies: () => void (dropping = true),
    restore: () => {
      dropping = false;
      return listen();
    },
    close: cut,
  };
}
