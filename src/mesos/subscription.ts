// One SUBSCRIBE attempt and the life of its stream: the HTTP answer (200, 307, 503, 4xx), the Mesos-Stream-Id,
// RecordIO decoding of the body, the heartbeat watchdog, and how the stream ended. It does not retry or reconnect;
// the client decides what to do from the `SubscriptionEnd` it reports.
//
// The watchdog counts bytes, not events: a huge record arriving slowly is still a live link. The master sends a
// HEARTBEAT every `heartbeat_interval_seconds` (15 s), so silence for `missLimit` intervals (5 by default, 75 s)
// means a dead or half-open connection, which TCP alone would not notice for a long time.

import type http from 'node:http';
import { MesosConnectionError, MesosHttpError, RecordIOError, describe } from './errors.js';
import { resolveRedirect, type MesosHttp } from './http.js';
import { silentLogger, type Logger } from './logger.js';
import { RecordIODecoder } from './recordio.js';
import type { Event } from './types.js';

export type SubscriptionEnd =
  /** 307 from a non-leader: try again at `location` (the Location's host:port with our scheme and path). */
  | { kind: 'redirect'; location: URL }
  /** A non-200, non-307 answer (503 while no leader or recovering; 4xx when the request is wrong). */
  | { kind: 'http-error'; error: MesosHttpError }
  /** No HTTP answer at all: refused, reset, DNS, timeout before headers. */
  | { kind: 'connect-failed'; error: MesosConnectionError }
  /** The master ended the stream without an ERROR (TEARDOWN, or a master going away cleanly). */
  | { kind: 'eof' }
  /** The connection broke mid-stream. */
  | { kind: 'network'; error: Error }
  /** No bytes for `missLimit` heartbeat intervals. */
  | { kind: 'watchdog'; silentMs: number }
  /** The master sent ERROR; the stream is over. */
  | { kind: 'error-event'; message: string }
  /** The stream is not what the protocol promises (bad RecordIO, bad JSON, no stream id). */
  | { kind: 'protocol'; error: Error }
  /** We closed it (stop, leader change, the owner's framework-ID hook failed). */
  | { kind: 'closed'; reason: string };

export interface SubscriptionOptions {
  http: MesosHttp;
  url: URL;
  /** The serialised SUBSCRIBE call. */
  body: string;
  /** Time allowed for the response headers. */
  connectTimeoutMs: number;
  /** Heartbeat interval assumed until SUBSCRIBED names the real one. */
  defaultHeartbeatIntervalSeconds: number;
  /** Silent intervals tolerated before the stream is declared dead. */
  heartbeatMissLimit: number;
  maxRecordBytes?: number;
  logger?: Logger;
  /** The 200 arrived; `streamId` must be sent back on every call made on behalf of this stream. */
  onOpen?: (streamId: string) => void;
  /** Every decoded event except ERROR (which ends the stream and is reported in `SubscriptionEnd`), in order. */
  onEvent: (event: Event) => void;
}

export class Subscription {
  /** Resolves exactly once, when the attempt or the stream is over. */
  readonly done: Promise<SubscriptionEnd>;
  private resolveDone!: (end: SubscriptionEnd) => void;
  private ended = false;
  private readonly req: http.ClientRequest;
  private readonly logger: Logger;
  private readonly decoder: RecordIODecoder;
  private connectTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private watchdogMs: number;
  private lastByteAt = 0;
  private streamIdValue: string | undefined;

  constructor(private readonly options: SubscriptionOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.logger = options.logger ?? silentLogger;
    this.decoder = new RecordIODecoder(options.maxRecordBytes);
    this.watchdogMs = this.timeoutFor(options.defaultHeartbeatIntervalSeconds);
    this.req = options.http.openStream(options.url, options.body);
    this.connectTimer = setTimeout(
      () =>
        this.finish({
          kind: 'connect-failed',
          error: new MesosConnectionError(
            'SUBSCRIBE',
            options.url.href,
            new Error(`no answer within ${options.connectTimeoutMs} ms`),
          ),
        }),
      options.connectTimeoutMs,
    );
    this.req.on('error', (err) => {
      if (this.streamIdValue === undefined) {
        this.finish({ kind: 'connect-failed', error: new MesosConnectionError('SUBSCRIBE', options.url.href, err) });
      } else {
        this.finish({ kind: 'network', error: err });
      }
    });
    this.req.on('response', (res) => this.onResponse(res));
  }

  get streamId(): string | undefined {
    return this.streamIdValue;
  }

  get url(): URL {
    return this.options.url;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the stream from our side; a no-op once it has ended. */
  close(reason: string): void {
    this.finish({ kind: 'closed', reason });
  }

  private timeoutFor(intervalSeconds: number): number {
    return Math.max(1, Math.round(intervalSeconds * 1000 * this.options.heartbeatMissLimit));
  }

  private onResponse(res: http.IncomingMessage): void {
    if (this.ended) {
      res.resume();
      return;
    }
    const status = res.statusCode ?? 0;
    const url = this.options.url.href;
    if (status === 307) {
      clearTimeout(this.connectTimer);
      res.resume();
      const location = res.headers.location;
      if (!location) {
        this.finish({
          kind: 'http-error',
          error: new MesosHttpError(status, 'redirect without a Location header', 'SUBSCRIBE', url),
        });
        return;
      }
      try {
        this.finish({ kind: 'redirect', location: resolveRedirect(this.options.url, location) });
      } catch (err) {
        this.finish({ kind: 'protocol', error: err as Error });
      }
      return;
    }
    if (status !== 200) {
      // The connect timer keeps running: an error body that never ends must not stall the client.
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < 64 * 1024) chunks.push(chunk);
        size += chunk.length;
      });
      const report = (): void =>
        this.finish({
          kind: 'http-error',
          error: new MesosHttpError(status, Buffer.concat(chunks).toString('utf8'), 'SUBSCRIBE', url),
        });
      res.on('end', report);
      res.on('error', report);
      res.on('aborted', report);
      return;
    }
    clearTimeout(this.connectTimer);
    const streamId = res.headers['mesos-stream-id'];
    if (typeof streamId !== 'string' || streamId === '') {
      this.finish({ kind: 'protocol', error: new Error('SUBSCRIBE answered 200 without a Mesos-Stream-Id header') });
      return;
    }
    this.streamIdValue = streamId;
    this.lastByteAt = performance.now();
    this.armWatchdog(this.watchdogMs);
    res.on('data', (chunk: Buffer) => this.onData(chunk));
    res.on('end', () => {
      if (!this.decoder.atBoundary) {
        this.finish({ kind: 'network', error: new Error('stream ended inside a record') });
      } else {
        this.finish({ kind: 'eof' });
      }
    });
    res.on('error', (err) => this.finish({ kind: 'network', error: err }));
    res.on('aborted', () => this.finish({ kind: 'network', error: new Error('stream aborted') }));
    res.on('close', () => {
      if (!res.complete) this.finish({ kind: 'network', error: new Error('connection closed') });
    });
    try {
      this.options.onOpen?.(streamId);
    } catch (err) {
      this.logger.error({ err: describe(err) }, 'mesos subscription open handler failed');
    }
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    this.lastByteAt = performance.now();
    try {
      this.decoder.write(chunk, (record) => this.onRecord(record));
    } catch (err) {
      const error = err instanceof Error ? err : new RecordIOError(String(err));
      this.finish({ kind: 'protocol', error });
    }
  }

  private onRecord(record: Buffer): void {
    if (this.ended) return;
    if (record.length === 0) return;
    let event: Event;
    try {
      event = JSON.parse(record.toString('utf8')) as Event;
    } catch (err) {
      throw new RecordIOError(`undecodable event: ${describe(err)}`);
    }
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
      throw new RecordIOError('event without a type');
    }
    if (event.type === 'ERROR') {
      this.finish({ kind: 'error-event', message: event.error?.message ?? '' });
      return;
    }
    if (event.type === 'SUBSCRIBED') {
      const interval = event.subscribed?.heartbeat_interval_seconds;
      if (typeof interval === 'number' && interval > 0) {
        this.watchdogMs = this.timeoutFor(interval);
        this.armWatchdog(this.watchdogMs);
      }
    }
    try {
      this.options.onEvent(event);
    } catch (err) {
      this.logger.error({ err: describe(err), type: event.type }, 'mesos event handler failed');
    }
  }

  /** One timer per interval rather than one per chunk: on expiry it checks the real silence and re-arms if needed. */
  private armWatchdog(ms: number): void {
    clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => {
      if (this.ended) return;
      const silent = performance.now() - this.lastByteAt;
      if (silent >= this.watchdogMs) {
        this.finish({ kind: 'watchdog', silentMs: Math.round(silent) });
      } else {
        this.armWatchdog(this.watchdogMs - silent);
      }
    }, ms);
  }

  private finish(end: SubscriptionEnd): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.watchdogTimer);
    this.req.destroy();
    this.resolveDone(end);
  }
}
