// Raw HTTP against a manager, for what the docker CLI never sends (malformed bodies, odd versions, HEAD, concurrent
// creates): node:http with the body exactly as given, or bytes straight onto a TCP connection.
import http from 'node:http';
import net from 'node:net';
import { within } from './deadline.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

export interface HttpOptions {
  /** An object is sent as JSON; a string or Buffer as is. */
  readonly body?: unknown;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly timeoutMs?: number;
}

function endpoint(host: string): { host: string; port: number } {
  const match = /^tcp:\/\/(.+):(\d+)$/.exec(host);
  if (!match) throw new Error(`not a tcp:// address: ${host}`);
  return { host: match[1]!, port: Number(match[2]) };
}

export function request(host: string, method: string, path: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const { body } = options;
  const payload =
    body === undefined
      ? undefined
      : typeof body === 'string' || Buffer.isBuffer(body)
        ? Buffer.from(body)
        : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...endpoint(host),
        method,
        path,
        agent: false,
        headers: {
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.setTimeout(within(options.timeoutMs ?? 15_000), () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** `{"message": …}` of an error answer. */
export function messageOf(answer: HttpAnswer): string {
  const message = (answer.json as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string') throw new Error(`no JSON message in ${answer.status} ${answer.text}`);
  return message;
}

/**
 * Writes `requests` (raw HTTP/1.1 text) on one connection, one after the other with a short pause, and returns
 * everything the server sent back within `waitMs`. Shows what a keep-alive client sees.
 */
export function onOneConnection(host: string, requests: readonly string[], waitMs = 1500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(endpoint(host));
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const text of requests) {
        socket.write(text);
        await new Promise((r) => setTimeout(r, 150));
      }
      setTimeout(() => {
        socket.destroy();
        resolve(received);
      }, waitMs);
    });
  });
}

/** A loopback TCP port nothing listens on (taken from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
