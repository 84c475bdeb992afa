// The master's HTTP face: `/api/v1/scheduler` (and `/master/api/v1/scheduler`) with the real master's checks in the
// real order (401 before the leader check, 307/503 for non-leaders, 405 with Allow, exact Content-Type match, JSON
// parsing and call validation, Accept for SUBSCRIBE, stream-id rules, 400 "Framework cannot be found", 403 "Framework
// is not subscribed", 202 for accepted calls), the operator endpoints (/state, /tasks, /health, /version,
// /redirect) and the test hooks under /__sim/ (control.ts). A subscription's connection never answers another request.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { parseCallJson, validateCall } from './call-parser.js';
import type { Master } from './master.js';
import { stateJson, tasksJson, versionJson } from './state.js';
import { toWireJson } from './wire-json.js';

export type Leader = { self: true } | { self: false; hostname: string; port: number } | null;

export interface HttpDeps {
  master: () => Master;
  leader: () => Leader;
  /** principal → secret; undefined = authentication off. */
  credentials?: ReadonlyMap<string, string>;
  control: (req: IncomingMessage, res: ServerResponse, url: URL, body: string) => void | Promise<void>;
  maxBodyBytes?: number;
  /** Serve HTTPS (as a master started with LIBPROCESS_SSL_ENABLED=true) with this certificate. */
  tls?: SimTls;
}

/** The master's TLS identity; with `ca` and `requireClientCert`, clients must show a certificate from that CA. */
export interface SimTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  requireClientCert?: boolean;
}

const SUBSCRIBED_SOCKET = Symbol('mesos-sim subscribed socket');

export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(buf.length),
  });
  res.end(buf);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const buf = Buffer.from(toWireJson(value), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
  res.end(buf);
}

function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': '0' });
  res.end();
}

/** libprocess' Request::acceptsMediaType: a missing header accepts anything; q=0 refuses; wildcards count. */
export function acceptsMediaType(accept: string | undefined, mediaType: string): boolean {
  if (accept === undefined) return true;
  const [type, subtype] = mediaType.split('/');
  for (const part of accept.split(',')) {
    const [range, ...params] = part
      .trim()
      .split(';')
      .map((s) => s.trim());
    if (!range) continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) <= 0) continue;
    const [t, s] = range.split('/');
    if ((t === '*' && s === '*') || (t === type && (s === '*' || s === subtype))) return true;
  }
  return false;
}

/** The principal of valid Basic credentials, or undefined. A secret containing ':' can never authenticate. */
function authenticate(req: IncomingMessage, credentials: ReadonlyMap<string, string>): string | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const parts = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8').split(':');
  if (parts.length !== 2) return undefined;
  const [principal, secret] = parts as [string, string];
  return credentials.get(principal) === secret ? principal : undefined;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createHttpServer(deps: HttpDeps): http.Server {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handle(deps, req, res).catch((e: unknown) => {
      if (!res.headersSent) sendText(res, 500, String(e));
      else res.destroy();
    });
  };
  const tls = deps.tls;
  const server = tls
    ? https.createServer(
        {
          cert: tls.cert,
          key: tls.key,
          ca: tls.ca,
          requestCert: tls.requireClientCert === true,
          rejectUnauthorized: tls.requireClientCert === true,
        },
        listener,
      )
    : http.createServer(listener);
  server.keepAliveTimeout = 30_000;
  server.requestTimeout = 0;
  return server;
}

function redirectOrUnavailable(deps: HttpDeps, res: ServerResponse, pathAndQuery: string): boolean {
  const leader = deps.leader();
  if (leader?.self) return false;
  if (leader) sendEmpty(res, 307, { Location: `//${leader.hostname}:${leader.port}${pathAndQuery}` });
  else sendText(res, 503, 'No leader elected');
  return true;
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // libprocess handles a connection's requests in order; behind a streaming response nothing is ever answered.
  if ((req.socket as unknown as Record<symbol, boolean>)[SUBSCRIBED_SOCKET]) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const p = url.pathname;
  const body = await readBody(req, deps.maxBodyBytes ?? 256 * 1024 * 1024);

  if (p.startsWith('/__sim/')) return deps.control(req, res, url, body);
  if (p === '/api/v1/scheduler' || p === '/master/api/v1/scheduler') return scheduler(deps, req, res, body);

  const master = deps.master();
  switch (p) {
    case '/health':
    case '/master/health':
      return sendEmpty(res, 200);
    case '/version':
      return sendJson(res, 200, versionJson(master));
    case '/redirect':
    case '/master/redirect': {
      const leader = deps.leader();
      if (!leader) return sendText(res, 503, 'No leader elected');
      const target = leader.self ? master.identity : leader;
      return sendEmpty(res, 307, { Location: `//${target.hostname}:${target.port}` });
    }
    case '/state':
    case '/state.json':
    case '/master/state':
    case '/master/state.json': {
      const leader = deps.leader();
      return sendJson(res, 200, stateJson(master, leader && !leader.self ? leader : null));
    }
    case '/tasks':
    case '/tasks.json':
    case '/master/tasks':
    case '/master/tasks.json':
      if (redirectOrUnavailable(deps, res, `${p}${url.search}`)) return;
      return sendJson(res, 200, tasksJson(master, url.searchParams));
    default:
      return sendText(res, 404, '');
  }
}

async function scheduler(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  let principal: string | undefined;
  if (deps.credentials) {
    principal = authenticate(req, deps.credentials);
    if (principal === undefined) {
      return sendText(res, 401, '401 Unauthorized.', { 'WWW-Authenticate': 'Basic realm="mesos-master-scheduler"' });
    }
  }
  if (redirectOrUnavailable(deps, res, req.url ?? '/api/v1/scheduler')) return;
  const master = deps.master();
  if (Date.now() < master.recoveringUntil) return sendText(res, 503, 'Master has not finished recovery');
  if (req.method !== 'POST') {
    return sendText(res, 405, `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${req.method}'`, {
      Allow: 'POST',
    });
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return sendText(res, 400, "Expecting 'Content-Type' to be present");
  // Exact, case-sensitive comparison, as the master does. Protobuf bodies are not decoded by the simulator.
  if (contentType !== 'application/json') {
    return sendText(res, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
  }
  const parsed = parseCallJson(body);
  if (!parsed.ok) return sendText(res, 400, parsed.error);
  const call = parsed.call;
  const invalid = validateCall(call, principal);
  if (invalid !== undefined) return sendText(res, 400, `Failed to validate scheduler::Call: ${invalid}`);
  master.callCounts.set(call.type!, (master.callCounts.get(call.type!) ?? 0) + 1);

  if (call.type === 'SUBSCRIBE' || call.type === 'RECONCILE_OPERATIONS') {
    // Only JSON is produced; a client that accepts nothing but protobuf is refused like one that accepts neither.
    if (!acceptsMediaType(req.headers.accept, 'application/json')) {
      return sendText(res, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
    }
  }
  if (call.type === 'SUBSCRIBE') {
    if (req.headers['mesos-stream-id'] !== undefined) {
      return sendText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    }
    const socket = req.socket as unknown as Record<symbol, boolean>;
    socket[SUBSCRIBED_SOCKET] = true;
    // Once the stream has ended cleanly (ERROR, TEARDOWN) the connection serves requests again.
    res.on('finish', () => (socket[SUBSCRIBED_SOCKET] = false));
    master.subscribe(res, call.subscribe!, principal);
    return;
  }

  const fw = master.frameworks.get(call.framework_id!.value);
  if (!fw) return sendText(res, 400, 'Framework cannot be found');
  if (principal !== undefined && principal !== fw.info.principal) {
    return sendText(
      res,
      400,
      `Authenticated principal '${principal}' does not match principal '${fw.info.principal ?? ''}' set in \`FrameworkInfo\``,
    );
  }
  if (!fw.connected || !fw.stream) return sendText(res, 403, 'Framework is not subscribed');
  const streamId = req.headers['mesos-stream-id'];
  if (streamId === undefined) {
    return sendText(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  }
  if (streamId !== fw.stream.streamId) {
    return sendText(
      res,
      400,
      `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`,
    );
  }
  const result = master.handleCall(fw, call);
  if (result.status === 202 || result.status === 200) return sendEmpty(res, result.status);
  if (result.status === 501) return sendEmpty(res, 501);
  return sendText(res, result.status, result.body);
}
