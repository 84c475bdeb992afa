// Where a request is served when several managers run: here while this manager leads and acts, else by the leader,
// reached at its `--advertise` address (over TLS with this manager's certificate when TLS is configured). A request
// that finds no leader waits for one up to a bound, then gets classic Swarm's 503. A request the leader refused at
// connect never reached it: it waits for the next leader and goes there (its body, small, was read first); one that
// reached the leader and lost it midway is the client's to retry (it may have been done).
import type http from 'node:http';
import type net from 'node:net';
import { createTransport, type EngineTransport } from '../engine/transport.js';
import { forward, type Upstream } from '../engine/proxy.js';
import { hijack } from '../engine/hijack.js';
import { noPrimary, primaryUnreachable } from '../errors.js';
import type { TlsFiles } from '../util/tls.js';
import type { Replication } from './replication.js';
import type { ClusterDriverName } from '../cluster/options.js';

/** Answered by every manager itself; everything else is the leader's. */
const LOCAL_PATHS = new Set(['/_ping', '/version', '/info', '/metrics']);
/**
 * On a request a manager passed on: the manager that receives it serves it or fails it, never passes it on again
 * (two managers whose views of the election differ for a moment would otherwise bounce it between them).
 */
const FORWARDED = 'x-mesoswarm-forwarded-by';
/** Bodies up to this size are read before forwarding, so a refused connection can be retried elsewhere. */
const RETRYABLE_BODY = 1 << 20;

export class ReplicaGate {
  readonly #replication: Replication;
  readonly #tls: TlsFiles | undefined;
  readonly #waitMs: number;
  readonly #peers = new Map<string, Upstream>();
  /** The cluster driver the leader runs (a replica's `docker info` says it). */
  readonly driver: ClusterDriverName;

  constructor(replication: Replication, driver: ClusterDriverName, tls: TlsFiles | undefined, waitMs: number) {
    this.#replication = replication;
    this.driver = driver;
    this.#tls = tls;
    this.#waitMs = waitMs;
  }

  get replication(): Replication {
    return this.#replication;
  }

  answersLocally(path: string): boolean {
    return LOCAL_PATHS.has(path);
  }

  /**
   * Undefined when this manager serves the request itself; else the leader to forward it to. `avoid` is a leader
   * that just refused a connection: the wait goes on until another one leads. Throws the 503 after the bound.
   */
  async route(
    req: http.IncomingMessage,
    avoid?: string,
    deadline = performance.now() + this.#waitMs,
  ): Promise<Upstream | undefined> {
    const r = this.#replication;
    const forwarded = req.headers[FORWARDED] !== undefined;
    for (;;) {
      if (r.serving) return undefined;
      // Passed on to a manager that no longer leads: the sender's view was stale; it answers, the client retries.
      if (forwarded && r.role !== 'primary') throw noPrimary();
      const primary = r.primary;
      if (!forwarded && primary !== undefined && primary !== avoid && primary !== r.advertise) {
        return this.#peer(primary);
      }
      const left = deadline - performance.now();
      if (left <= 0) throw noPrimary();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          r.off('changed', done);
          resolve();
        }
        r.on('changed', done);
      });
    }
  }

  /** Forwards the request to the leader and streams its answer back (logs -f, events and wait included). */
  async proxy(req: http.IncomingMessage, res: http.ServerResponse, first: Upstream): Promise<void> {
    const deadline = performance.now() + this.#waitMs;
    const body = await smallBody(req);
    let peer: Upstream | undefined = first;
    for (;;) {
      try {
        await forward(
          peer,
          {
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            headers: this.#forwardedHeaders(req),
            body: body === undefined ? req : (body ?? undefined),
          },
          res,
        );
        return;
      } catch (err) {
        const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        if (!refused || body === undefined || res.headersSent) throw primaryUnreachable(peer.address, err);
        peer = await this.route(req, peer.address, deadline);
        if (peer === undefined) throw primaryUnreachable(this.#replication.advertise, err);
      }
    }
  }

  /** Splices a hijacked stream (attach, exec start) to the leader: its answer and the stream pass byte for byte. */
  hijack(req: http.IncomingMessage, socket: net.Socket, head: Buffer, peer: Upstream): void {
    hijack(
      peer,
      { method: req.method ?? 'POST', path: req.url ?? '/', headers: this.#forwardedHeaders(req) },
      socket,
      head,
      false,
      (address) => primaryUnreachable(address),
    );
  }

  /** A small JSON answer of the leader's (a replica's `docker info` figures); rejects past `timeoutMs`. */
  async fetchJson(path: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const peer = await this.route(NOT_FORWARDED, undefined, performance.now() + timeoutMs);
    if (!peer) throw new Error('this manager leads');
    return new Promise((resolve, reject) => {
      const req = peer.transport.request({ method: 'GET', path, headers: { accept: 'application/json' } });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${peer.address} within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`${peer.address} answered ${res.statusCode}`);
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          } catch (err) {
            reject(err as Error);
          }
        });
      });
      req.end();
    });
  }

  #forwardedHeaders(req: http.IncomingMessage): http.IncomingHttpHeaders {
    return { ...req.headers, [FORWARDED]: this.#replication.advertise };
  }

  close(): void {
    for (const peer of this.#peers.values()) peer.transport.close();
    this.#peers.clear();
  }

  #peer(address: string): Upstream {
    let peer = this.#peers.get(address);
    if (!peer) {
      const transport: EngineTransport = createTransport(address, this.#tls);
      peer = { address, transport, noteSuccess: () => undefined, noteCallFailure: () => undefined };
      this.#peers.set(address, peer);
    }
    return peer;
  }
}

/** A request of the manager's own (a replica's `docker info` asking the leader for its figures). */
const NOT_FORWARDED = { headers: {} } as http.IncomingMessage;

/** The whole body when it is small, null when there is none, undefined when it must be streamed. */
async function smallBody(req: http.IncomingMessage): Promise<Buffer | null | undefined> {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (length === undefined && !chunked) return null;
  if (chunked || Number(length) > RETRYABLE_BODY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
