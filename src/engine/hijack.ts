// Hijacked streams (attach, exec start): the client's connection is spliced to a fresh connection to the engine
// after the request head is re-sent there. The engine's `101 UPGRADED` answer, and everything after it, flows back
// byte for byte; each side's half-close is passed on, so `docker exec -i` sees its output after stdin ends.
import { createHash } from 'node:crypto';
import type net from 'node:net';
import type http from 'node:http';
import type { Upstream } from './proxy.js';
import { cannotConnect } from '../errors.js';

export interface HijackRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * Splices `client` to the engine. With `answered`, the client already got its `101 UPGRADED` from us (the stream
 * had to be promised before the container existed), so the engine's own answer head is read and dropped; an error
 * answer then just ends the client's stream.
 */
export function hijack(
  engine: Upstream,
  request: HijackRequest,
  client: net.Socket,
  head: Buffer,
  answered = false,
  unreachable?: (address: string) => Error,
): { close(): void } {
  const upstream = engine.transport.connect();
  let connected = false;
  const lines = [`${request.method} ${request.path} HTTP/1.1`, 'Host: docker'];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'host' || name === 'connection' || name === 'upgrade' || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  // The client's protocol, carried through: `tcp` for Docker's raw stream, `websocket` for attach/ws (dockerd
  // answers a websocket attach without it "not websocket protocol").
  const upgrade =
    typeof request.headers.upgrade === 'string' && request.headers.upgrade ? request.headers.upgrade : 'tcp';
  lines.push('Connection: Upgrade', `Upgrade: ${upgrade}`, '', '');
  upstream.on('connect', () => (connected = true));
  upstream.on('secureConnect', () => (connected = true));
  upstream.write(lines.join('\r\n'));
  if (head.length) upstream.write(head);

  client.pipe(upstream);
  if (answered) dropAnswerHead(upstream, client);
  else upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', (err) => {
    if (!connected) {
      engine.noteCallFailure(err);
      const body = JSON.stringify({ message: (unreachable ?? cannotConnect)(engine.address).message });
      client.end(
        `HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    } else client.destroy();
  });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => {
    if (!client.destroyed) client.end();
  });
  return {
    close: () => {
      upstream.end();
      client.end();
    },
  };
}

/** Reads the engine's response head, then pipes the rest to the client, or ends the client on an error status. */
function dropAnswerHead(upstream: net.Socket, client: net.Socket): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    upstream.off('data', onData);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(buffered.subarray(0, end).toString('latin1'))?.[1] ?? 0);
    if (status !== 101 && status !== 200) {
      client.end();
      upstream.destroy();
      return;
    }
    const rest = buffered.subarray(end + 4);
    if (rest.length) client.write(rest);
    upstream.pipe(client);
  };
  upstream.on('data', onData);
}

/**
 * The handshake answer to a websocket attach, when the manager must answer before the engine is reached (the
 * container is not running yet); the engine's own answer to the same key is then dropped.
 */
export function websocketAccepted(key: string): string {
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** The answer dockerd gives an attach before streaming; we give it ourselves when the stream must wait. */
export const UPGRADED_HEAD =
  'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';
