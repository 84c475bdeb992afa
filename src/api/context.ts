// One API request as handlers see it: its parameters, a size-limited body reader that answers malformed input
// with a 400, query readers with dockerd's boolean and integer rules, and the JSON response writers.
import type http from 'node:http';
import type net from 'node:net';
import { badParameter, requestTimeout } from '../errors.js';
import { parseJsonObject } from './schema/body.js';
import type { Services } from './services.js';
import { writeGathered } from '../util/gathered-write.js';

/** Bodies the manager parses itself are small (create configs, network specs); streams are never buffered here. */
export const JSON_BODY_LIMIT = 4 * 1024 * 1024;

export class Context {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The API version the client asked for (the advertised one when its path had none). */
  readonly apiVersion: string;
  /** The request path without its `/v1.NN` prefix. */
  readonly path: string;
  readonly services: Services;
  readonly #bodyTimeoutMs: number;
  #body: Promise<Buffer> | undefined;

  constructor(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    params: Readonly<Record<string, string>>,
    query: URLSearchParams,
    apiVersion: string,
    path: string,
    services: Services,
    bodyTimeoutMs = 60_000,
  ) {
    this.#bodyTimeoutMs = bodyTimeoutMs;
    this.req = req;
    this.res = res;
    this.params = params;
    this.query = query;
    this.apiVersion = apiVersion;
    this.path = path;
    this.services = services;
  }

  param(name: string): string {
    return this.params[name] ?? '';
  }

  /** The whole body, refused with 400 past `limit` bytes. */
  body(limit = JSON_BODY_LIMIT): Promise<Buffer> {
    this.#body ??= readBody(this.req, limit, this.#bodyTimeoutMs);
    return this.#body;
  }

  /**
   * The body as JSON, unchecked beyond its depth (an empty body reads as `{}`; malformed JSON or a non-object is a
   * 400). Routes of ours declare a schema instead (router.ts `route`), and get the checked body.
   */
  async json<T = Record<string, unknown>>(): Promise<T> {
    return parseJsonObject(await this.body()) as T;
  }

  /** dockerd's boolean query rule: absent, "", "0", "no", "false", "none" are false; anything else true. */
  bool(name: string): boolean {
    const value = this.query.get(name);
    if (value === null) return false;
    return !['', '0', 'no', 'false', 'none'].includes(value.trim().toLowerCase());
  }

  /** An integer query value; absent or empty is `undefined`; anything else that is not an integer is a 400. */
  int(name: string): number | undefined {
    const value = this.query.get(name);
    if (value === null || value === '') return undefined;
    if (!/^-?\d+$/.test(value)) throw badParameter(`invalid value for ${name}: ${value} is not an integer`);
    return Number(value);
  }

  send(status: number, body?: unknown): void {
    if (this.res.headersSent) {
      this.res.end();
      return;
    }
    if (body === undefined) {
      this.res.writeHead(status);
      this.res.end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    this.#write(status, text, typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
  }

  /** Sends JSON the caller serialized already. */
  sendJson(status: number, json: string): void {
    this.#write(status, json, 'application/json');
  }

  /** Sends JSON the caller serialized already as UTF-8 pieces, in order (a large list of cached entries). */
  async sendJsonParts(status: number, parts: readonly Buffer[]): Promise<void> {
    let length = 0;
    for (const part of parts) length += part.length;
    this.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': length });
    if (this.req.method === 'HEAD') this.res.end();
    else await writeGathered(this.res, parts);
  }

  #write(status: number, text: string, contentType: string): void {
    // Encoded once: Buffer.byteLength and then writing the string would each walk it (33 MB for 30,000 containers).
    const payload = Buffer.from(text, 'utf8');
    this.res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': payload.length });
    this.res.end(this.req.method === 'HEAD' ? undefined : payload);
  }
}

/** Takes over a raw connection for attach and exec (the `Upgrade: tcp` handshake). */
export type Hijack = (
  request: {
    req: http.IncomingMessage;
    params: Readonly<Record<string, string>>;
    query: URLSearchParams;
    path: string;
  },
  socket: net.Socket,
  head: Buffer,
  services: Services,
) => Promise<void> | void;

function readBody(req: http.IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(badParameter(`request body too large: more than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // A client that trickles its body holds a request (and a connection) open; it gets a deadline, then a 408.
    const timer = setTimeout(() => {
      req.removeAllListeners('data');
      req.resume();
      reject(requestTimeout(`request body not received within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        clearTimeout(timer);
        req.removeAllListeners('data');
        req.resume();
        reject(badParameter(`request body too large: more than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
