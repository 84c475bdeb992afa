// Forwards one HTTP request to an engine and streams the answer back unchanged (status, body, content type), the
// way classic Swarm proxied logs, stats, archives and the like. Headers that belong to one hop, and the identity
// headers the manager sets itself, are not copied.
import type http from 'node:http';
import type { EngineTransport } from './transport.js';

/** What requests are forwarded to: an engine, or (replication) the leading manager. */
export interface Upstream {
  readonly address: string;
  readonly transport: EngineTransport;
  noteSuccess(): void;
  noteCallFailure(err: unknown): void;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);
const OURS = new Set(['api-version', 'server', 'ostype', 'docker-experimental', 'date']);

export interface ForwardOptions {
  readonly method: string;
  /** Path and query as the engine should see them. */
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** A body already read, or the client request to stream from; none for bodiless requests. */
  readonly body?: Buffer | http.IncomingMessage;
  /** Written first into a 200 answer, before the engine's body (a build says which node it runs on). */
  readonly prelude?: string;
  /** Awaited once the engine's body is through, before the client's answer ends (so the client's next request
   * sees what this one changed: a built image in the engine's cache). */
  readonly beforeEnd?: () => Promise<void>;
}

/** Streams the engine's answer into `res`. Resolves with the engine's status when the body is done. */
export function forward(engine: Upstream, options: ForwardOptions, res: http.ServerResponse): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(options.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    if (Buffer.isBuffer(options.body)) {
      headers['content-length'] = String(options.body.length);
      delete headers['transfer-encoding'];
    }
    const upstream = engine.transport.request({ method: options.method, path: options.path, headers });
    let answered = false;
    /** Set when the client went away and we cut the engine's request: its error is ours, not the engine's. */
    let abandoned = false;
    upstream.on('response', (answer) => {
      answered = true;
      engine.noteSuccess();
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && !OURS.has(name) && value !== undefined) out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      res.flushHeaders();
      if (options.prelude && answer.statusCode === 200) res.write(options.prelude);
      const beforeEnd = options.beforeEnd;
      answer.pipe(res, { end: !beforeEnd });
      answer.on('end', () => {
        if (!beforeEnd) {
          resolve(answer.statusCode ?? 502);
          return;
        }
        void beforeEnd()
          .catch(() => undefined)
          .finally(() => {
            res.end();
            resolve(answer.statusCode ?? 502);
          });
      });
      answer.on('error', (err) => {
        res.destroy(err);
        resolve(answer.statusCode ?? 502);
      });
    });
    upstream.on('error', (err) => {
      if (answered) return;
      if (!abandoned) engine.noteCallFailure(err);
      reject(err);
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      abandoned = true;
      upstream.destroy();
    });
    const body = options.body;
    if (body === undefined) upstream.end();
    else if (Buffer.isBuffer(body)) upstream.end(body);
    else body.pipe(upstream);
  });
}
