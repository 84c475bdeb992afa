// The Docker Engine API server: one node:http (or TLS) listener per `-H`, every route bare and under `/v1.NN/`,
// dockerd's identity headers on every response, `{"message": …}` errors, and the `Upgrade: tcp` hijack for
// attach and exec. Handlers live in ./routes; this file owns the connection-level behaviour only.
import http from 'node:http';
import https from 'node:https';
import { chmod, rm } from 'node:fs/promises';
import type net from 'node:net';
import { Context } from './context.js';
import { Router, type Route } from './router.js';
import { apiRoutes } from './routes/index.js';
import { API_VERSION, splitVersion } from './version.js';
import type { ListenAddress } from './listen.js';
import type { TlsFiles } from '../util/tls.js';
import type { Services } from './services.js';
import { isManagerError, tooManyRequests } from '../errors.js';
import { ClientCounter, DEFAULT_LIMITS, type ApiLimits } from './limits.js';
import { checkQuery } from './schema/query.js';
import { parseBody } from './schema/body.js';
import { metricsRoutes } from '../metrics/route.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { UNMATCHED_ROUTE } from '../metrics/index.js';
import { inRequest, requestIdFor } from '../util/request-scope.js';

/** The metrics label of requests a replica forwarded to the leader. */
const PROXIED_ROUTE = '(primary)';

export interface ApiServerOptions {
  readonly hosts: readonly ListenAddress[];
  readonly tls: TlsFiles | undefined;
  readonly cors: boolean;
  /** `GET /metrics` (Prometheus) and `/dashboard/`, on the same listeners and TLS rules as the API. */
  readonly metrics: boolean;
  readonly dashboard: boolean;
  readonly limits?: Partial<ApiLimits>;
}

export class ApiServer {
  readonly #services: Services;
  readonly #options: ApiServerOptions;
  readonly #router = new Router();
  readonly #servers: http.Server[] = [];
  readonly #sockets = new Set<net.Socket>();
  readonly #limits: ApiLimits;
  readonly #connections: ClientCounter;
  readonly #requests: ClientCounter;

  constructor(services: Services, options: ApiServerOptions) {
    this.#services = services;
    this.#options = options;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#connections = new ClientCounter(this.#limits.maxConnectionsPerClient);
    this.#requests = new ClientCounter(this.#limits.maxRequestsPerClient);
    const routes: Route[] = [
      ...apiRoutes,
      ...(options.metrics ? metricsRoutes : []),
      ...(options.dashboard ? dashboardRoutes : []),
    ];
    for (const route of routes) this.#router.add(route);
  }

  async listen(): Promise<void> {
    for (const address of this.#options.hosts) {
      const server = this.#createServer();
      this.#servers.push(server);
      if (address.kind === 'unix') {
        await rm(address.path, { force: true });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(address.path, () => resolve());
        });
        await chmod(address.path, 0o660);
      } else {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(address.port, address.host, () => resolve());
        });
      }
    }
  }

  /** The bound addresses (tcp ports resolved when `-H` asked for port 0). */
  addresses(): string[] {
    return this.#servers.map((server) => {
      const a = server.address();
      if (typeof a === 'string') return `unix://${a}`;
      return `tcp://${a?.address}:${a?.port}`;
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }

  #createServer(): http.Server {
    const tls = this.#options.tls;
    const limits = this.#limits;
    // Headers timeouts are checked on this period; the default (30 s) would let a slow head live twice its limit.
    const base = { maxHeaderSize: limits.maxHeaderBytes, connectionsCheckingInterval: 1000 };
    const server = tls
      ? https.createServer({
          ...base,
          cert: tls.cert,
          key: tls.key,
          ca: tls.ca,
          requestCert: tls.verify,
          rejectUnauthorized: tls.verify,
          minVersion: 'TLSv1.2',
        })
      : http.createServer(base);
    server.keepAliveTimeout = limits.keepAliveTimeoutMs;
    server.headersTimeout = limits.headersTimeoutMs;
    // Not node's whole-request timer: it would cut uploads (load, import, cp) of any size. JSON bodies have their
    // own deadline (Context), and a response, stream or not, is never cut short.
    server.requestTimeout = 0;
    server.maxConnections = limits.maxConnections;
    server.on('connection', (socket: net.Socket) => {
      const client = clientOf(socket);
      if (!this.#connections.take(client)) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        this.#connections.release(client);
      });
    });
    server.on('request', (req, res) => this.#admit(req, res));
    server.on('upgrade', (req, socket, head) => void this.#upgrade(req, socket as net.Socket, head));
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });
    return server;
  }

  #identityHeaders(res: http.ServerResponse): void {
    res.setHeader('Api-Version', API_VERSION);
    res.setHeader('Server', `mesoswarm/${this.#services.version} (linux)`);
    res.setHeader('Ostype', 'linux');
    res.setHeader('Docker-Experimental', 'false');
    if (this.#options.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, PUT, OPTIONS, HEAD');
    }
  }

  /** The per-client request cap: a request past it is answered 429 at once, before any work. */
  #admit(req: http.IncomingMessage, res: http.ServerResponse): void {
    const client = clientOf(req.socket);
    if (!this.#requests.take(client)) {
      this.#identityHeaders(res);
      req.resume();
      writeError(
        res,
        tooManyRequests(`too many requests in flight from this client (at most ${this.#limits.maxRequestsPerClient})`),
        this.#services.logger,
        this.#services.redactor,
      );
      return;
    }
    res.once('close', () => this.#requests.release(client));
    void this.#handle(req, res);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const id = requestIdFor(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', id);
    return inRequest(id, () => this.#serve(req, res));
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.#identityHeaders(res);
    const log = this.#services.logger;
    const started = process.hrtime.bigint();
    let route = UNMATCHED_ROUTE;
    try {
      const url = new URL(req.url ?? '/', 'http://docker');
      if (req.method === 'OPTIONS' && this.#options.cors) {
        res.writeHead(200).end();
        return;
      }
      const { version, path } = splitVersion(url.pathname);
      const gate = this.#services.gate;
      if (gate && !gate.answersLocally(path)) {
        const primary = await gate.route(req);
        if (primary) {
          route = PROXIED_ROUTE;
          await gate.proxy(req, res, primary);
          return;
        }
      }
      const match = this.#router.match(req.method ?? 'GET', path);
      if (match === undefined) throw notFoundPage();
      if (match !== 'method') route = match.route.pattern;
      if (match === 'method') {
        res.setHeader('Allow', 'GET, POST, PUT, DELETE, HEAD');
        throw Object.assign(notFoundPage(), { status: 405, message: 'Method Not Allowed' });
      }
      if (req.method === 'HEAD') endAfterHeaders(res);
      const query = checkQuery(match.route.query, url.searchParams);
      const ctx = new Context(req, res, match.params, query, version, path, this.#services, this.#limits.bodyTimeoutMs);
      const body = match.route.body ? parseBody(match.route.body, await ctx.body()) : undefined;
      await match.route.handler(ctx, body as never);
      if (!res.headersSent) res.writeHead(204).end();
    } catch (err) {
      writeError(res, err, log, this.#services.redactor);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.#services.metrics.api.route(route).observe(req.method ?? 'GET', res.statusCode, seconds);
      if (log.isLevelEnabled('debug')) {
        log.debug(
          { method: req.method, route, url: req.url, status: res.statusCode, ms: Math.round(seconds * 1e6) / 1e3 },
          'request',
        );
      }
    }
  }

  #upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
    return inRequest(requestIdFor(req.headers['x-request-id']), () => this.#hijack(req, socket, head));
  }

  async #hijack(req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
    const client = clientOf(socket);
    const admitted = this.#requests.take(client);
    if (admitted) socket.once('close', () => this.#requests.release(client));
    try {
      if (!admitted)
        throw tooManyRequests(
          `too many requests in flight from this client (at most ${this.#limits.maxRequestsPerClient})`,
        );
      const url = new URL(req.url ?? '/', 'http://docker');
      const { path } = splitVersion(url.pathname);
      const gate = this.#services.gate;
      const primary = gate && !gate.answersLocally(path) ? await gate.route(req) : undefined;
      if (primary) {
        gate!.hijack(req, socket, head, primary);
        return;
      }
      const match = this.#router.match(req.method ?? 'GET', path);
      if (!match || match === 'method' || !match.route.hijack) {
        throw Object.assign(notFoundPage(), { status: 400, message: `cannot upgrade ${path}` });
      }
      await match.route.hijack(
        { req, params: match.params, query: checkQuery(match.route.query, url.searchParams), path },
        socket,
        head,
        this.#services,
      );
    } catch (err) {
      const status = isManagerError(err) ? err.status : Number((err as { status?: number }).status ?? 500);
      const message = this.#services.redactor.scrub((err as Error).message);
      const body = JSON.stringify({ message });
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nApi-Version: ${API_VERSION}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  }
}

/**
 * A HEAD request is answered by its GET route (the router falls back), but a HEAD response has no body: it is
 * complete once the headers are out. Ending it there matters for GET routes that stream (`/events`, a followed log):
 * they would otherwise hold the connection open with nothing to send, and a keep-alive client's next request on it
 * would never be answered. Ending the response also fires its 'close', so the handler lets go of what it watched.
 */
function endAfterHeaders(res: http.ServerResponse): void {
  // A handler that has not noticed yet may still write; for a HEAD that is nothing lost, not a reason to crash.
  res.on('error', () => undefined);
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    const out = (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
    setImmediate(() => {
      if (!res.writableEnded) res.end();
    });
    return out;
  } as typeof res.writeHead;
}

/** Who a connection belongs to, for the per-client caps: its remote address (every unix socket client is one). */
function clientOf(socket: net.Socket): string {
  return socket.remoteAddress ?? 'local';
}

function notFoundPage(): Error & { status: number } {
  return Object.assign(new Error('page not found'), { status: 404 });
}

export function writeError(
  res: http.ServerResponse,
  err: unknown,
  log: Services['logger'],
  redactor: Services['redactor'],
): void {
  const status = isManagerError(err) ? err.status : Number((err as { status?: number })?.status ?? 500);
  const message = redactor.scrub(err instanceof Error ? err.message : String(err));
  if (status >= 500) log.warn({ err: message, status }, 'request failed');
  else log.debug({ err: message, status }, 'request refused');
  if (res.headersSent) {
    // A stream already started: dockerd reports late errors inside the stream; ours end it.
    res.destroy();
    return;
  }
  if (status === 304) {
    res.writeHead(304).end();
    return;
  }
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
