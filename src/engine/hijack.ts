// Hijacked streams (attach, exec start): the client's connection is spliced to a fresh connection to the engine
// after the request head is re-sent there. The engine's `101 UPGRADED` answer, and everything after it, flows back
// byte for byte; each side's half-close is passed on, so `docker exec -i` sees its output after stdin ends.
import type net from 'node:net';
import type http from 'node:http';
import type { Engine } from './engine.js';

export interface HijackRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

export function hijack(engine: Engine, request: HijackRequest, client: net.Socket, head: Buffer): void {
  const upstream = engine.transport.connect();
  let connected = false;
  const lines = [`${request.method} ${request.path} HTTP/1.1`, 'Host: docker'];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'host' || name === 'connection' || name === 'upgrade' || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  lines.push('Connection: Upgrade', 'Upgrade: tcp', '', '');
  upstream.on('connect', () => (connected = true));
  upstream.on('secureConnect', () => (connected = true));
  upstream.write(lines.join('\r\n'));
  if (head.length) upstream.write(head);

  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', (err) => {
    if (!connected) {
      engine.noteFailure(err);
      const body = JSON.stringify({ message: `cannot reach engine ${engine.addr}: ${err.message}` });
      client.end(
        `HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    } else client.destroy();
  });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => {
    if (!client.destroyed) client.end();
  });
}
