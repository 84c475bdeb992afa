// The HTTP layer under the client: request headers, the keep-alive pool for calls, the separate connection for the
// SUBSCRIBE stream, 307 leader redirects, 503 retries, and turning non-2xx answers into typed errors.
//
// Why the details matter (reference §1): the master compares Content-Type with exact string equality (a charset
// suffix gets 415), libprocess answers requests on one connection in order (a call sent on the subscription socket
// would never be answered, hence the stream gets a connection of its own), and a non-leader's 307 Location is
// protocol-relative and names the leader's advertised hostname — like mesos-go we keep only its host:port and reuse
// our own scheme and path.

import http from 'node:http';
import https from 'node:https';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { MesosConnectionError, MesosHttpError, MesosRedirectError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';

export const SCHEDULER_PATH = '/api/v1/scheduler';
export const CONTENT_TYPE_JSON = 'application/json';
export const STREAM_ID_HEADER = 'Mesos-Stream-Id';

/** Client TLS settings for `https` masters (the same fields node:https takes). */
export interface TlsOptions {
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface HttpOptions {
  /** Full `Authorization` header value, sent on every request including SUBSCRIBE. */
  authorization?: string;
  tls?: TlsOptions;
  /** Redirect hops one request may follow. */
  maxRedirects?: number;
  /** 503 handling for calls: how often to retry, and how long to wait in between. */
  callRetry?: BackoffOptions & { attempts?: number };
  /** A call that has no answer after this long fails (the master answers calls at once with 202). */
  callTimeoutMs?: number;
  /** Sockets per master in the keep-alive pool. */
  maxSockets?: number;
  logger?: Logger;
  random?: () => number;
}

export interface CallResult {
  status: number;
  body: string;
  /** Where the call was finally answered (after redirects). */
  url: URL;
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Calls that may be sent twice without harm (the master treats a repeat as a no-op or a re-send). ACCEPT is not: a
 * repeated ACCEPT of a used offer turns the launched tasks into TASK_LOST "invalid offers" updates; nor are
 * TEARDOWN (the repeat gets 400), MESSAGE, REQUEST, ACCEPT_INVERSE_OFFERS or UPDATE_FRAMEWORK.
 */
export const IDEMPOTENT_CALLS: ReadonlySet<string> = new Set([
  'DECLINE',
  'DECLINE_INVERSE_OFFERS',
  'REVIVE',
  'SUPPRESS',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
]);

export function basicAuthorization(principal: string, secret: string): string {
  return `Basic ${Buffer.from(`${principal}:${secret}`, 'utf8').toString('base64')}`;
}

/**
 * The scheduler endpoint under a master's base URL: `http://m:5050` → `http://m:5050/api/v1/scheduler`. A base that
 * already names the endpoint is kept, and a path prefix is kept in front (`/master` → `/master/api/v1/scheduler`,
 * the form the C++ client uses).
 */
export function schedulerUrl(base: URL): URL {
  const url = new URL(base.href);
  url.search = '';
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith(SCHEDULER_PATH)) url.pathname = `${path}${SCHEDULER_PATH}`;
  return url;
}

/**
 * Where a 307 sends us: the host and port from `Location` (usually `//leader:5050/api/v1/scheduler`, protocol-
 * relative), our own scheme and path. Throws when Location names no host.
 */
export function resolveRedirect(current: URL, location: string): URL {
  let target: URL;
  try {
    target = new URL(location.trim(), current);
  } catch {
    throw new Error(`invalid redirect Location "${location}"`);
  }
  if (!target.host) throw new Error(`redirect Location "${location}" names no host`);
  const next = new URL(current.href);
  next.hostname = target.hostname;
  // A Location without a port means the scheme's default port, not ours.
  next.port = target.port;
  return next;
}

/** Reads a (small) response body as text, dropping anything past `limit` bytes. */
export function readText(res: http.IncomingMessage, limit = MAX_ERROR_BODY): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}

export class MesosHttp {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly logger: Logger;
  private readonly maxRedirects: number;
  private readonly callTimeoutMs: number;
  private readonly retry: BackoffOptions & { attempts: number };

  constructor(private readonly options: HttpOptions = {}) {
    const maxSockets = options.maxSockets ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...options.tls });
    this.logger = options.logger ?? silentLogger;
    this.maxRedirects = options.maxRedirects ?? 8;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.retry = { initialMs: 250, maxMs: 5_000, attempts: 3, ...options.callRetry };
  }

  get redirectLimit(): number {
    return this.maxRedirects;
  }

  headers(body: string, streamId?: string): Record<string, string> {
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPE_JSON,
      Accept: CONTENT_TYPE_JSON,
      'Content-Length': String(Buffer.byteLength(body, 'utf8')),
    };
    if (streamId !== undefined) headers[STREAM_ID_HEADER] = streamId;
    if (this.options.authorization) headers.Authorization = this.options.authorization;
    return headers;
  }

  /**
   * POSTs a non-SUBSCRIBE call over the keep-alive pool and returns the 2xx answer. Follows 307s, retries 503s with
   * backoff (a 503 means the call was not processed), and throws MesosHttpError for any other status,
   * MesosConnectionError when no answer came. `signal` cuts short the waits between retries, never a request in
   * flight: a call the master may already have acted on should get its answer.
   */
  async call(url: URL, callType: string, body: string, streamId: string, signal?: AbortSignal): Promise<CallResult> {
    let target = url;
    let redirects = 0;
    const backoff = new Backoff(this.retry, this.options.random);
    for (;;) {
      const res = await this.send(target, callType, body, streamId);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        return { status, body: await readText(res), url: target };
      }
      if (status === 307) {
        res.resume();
        const location = res.headers.location;
        if (!location) throw new MesosHttpError(status, 'redirect without a Location header', callType, target.href);
        if (++redirects > this.maxRedirects) throw new MesosRedirectError(callType, target.href, redirects - 1);
        const next = resolveRedirect(target, location);
        this.logger.debug({ callType, from: target.href, to: next.href }, 'mesos call redirected');
        target = next;
        continue;
      }
      const text = await readText(res).catch(() => '');
      if (status === 503 && backoff.attempts < this.retry.attempts) {
        const delay = backoff.next();
        this.logger.debug(
          { callType, url: target.href, body: text.trim(), delay },
          'mesos master unavailable, retrying',
        );
        await sleep(delay, signal);
        continue;
      }
      throw new MesosHttpError(status, text, callType, target.href);
    }
  }

  /**
   * Sends one request on the pool. A keep-alive socket the master closed while idle fails with ECONNRESET on reuse,
   * and the request is then sent once more on a fresh socket (Node's documented pattern) — but only for idempotent
   * calls, because the same error also appears when the master did receive the request before the socket died.
   */
  private async send(url: URL, callType: string, body: string, streamId: string): Promise<http.IncomingMessage> {
    try {
      return await this.request(url, body, streamId);
    } catch (err) {
      const reused = (err as { reusedSocket?: boolean }).reusedSocket;
      if (reused && (err as NodeJS.ErrnoException).code === 'ECONNRESET' && IDEMPOTENT_CALLS.has(callType)) {
        try {
          return await this.request(url, body, streamId);
        } catch (again) {
          throw new MesosConnectionError(callType, url.href, again);
        }
      }
      throw new MesosConnectionError(callType, url.href, err);
    }
  }

  private request(url: URL, body: string, streamId: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      const req = (isHttps ? https : http).request(url, {
        method: 'POST',
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        headers: this.headers(body, streamId),
        timeout: this.callTimeoutMs,
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.callTimeoutMs} ms`)));
      req.on('response', resolve);
      req.on('error', (err: Error & { reusedSocket?: boolean }) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      req.end(body);
    });
  }

  /**
   * Opens the SUBSCRIBE request on a connection of its own (`agent: false`, so never a pooled socket and never reused).
   * The caller owns the returned request: it listens for 'response' and 'error' and destroys it to close the stream.
   */
  openStream(url: URL, body: string): http.ClientRequest {
    const isHttps = url.protocol === 'https:';
    const req = (isHttps ? https : http).request(url, {
      method: 'POST',
      agent: false,
      headers: this.headers(body),
      ...(isHttps ? this.options.tls : {}),
    });
    req.end(body);
    return req;
  }

  /** Closes pooled sockets; calls still in flight fail. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
