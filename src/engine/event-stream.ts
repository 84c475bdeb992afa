// A daemon's `/events` stream, kept open: each event line is handed over in order, and a stream that ends or fails
// is reopened after a back-off (1 s doubling to 10 s), with a note that events may have been missed meanwhile.
import type { EngineTransport } from './transport.js';
import { splitLines } from './lines.js';
import type { Logger } from '../util/logger.js';

const RETRY_CAP_MS = 10_000;

export interface EventStreamHandlers {
  /** One event line, as the daemon sent it. */
  line(line: string): void;
  /** The stream was reopened after a gap: what happened meanwhile must be re-read. */
  gap(): void;
}

export class EventStream {
  readonly #transport: EngineTransport;
  readonly #log: Logger;
  readonly #handlers: EventStreamHandlers;
  #request: { destroy(): void } | undefined;
  #closed = false;

  constructor(transport: EngineTransport, logger: Logger, handlers: EventStreamHandlers) {
    this.#transport = transport;
    this.#log = logger;
    this.#handlers = handlers;
  }

  get open(): boolean {
    return this.#request !== undefined;
  }

  start(): void {
    if (this.#request || this.#closed) return;
    let retryMs = 1000;
    const open = () => {
      if (this.#closed) return;
      const request = this.#transport.request({
        method: 'GET',
        path: '/events',
        headers: { Accept: 'application/json' },
      });
      this.#request = request;
      const reopen = (why: string) => {
        if (this.#request !== request || this.#closed) return;
        this.#log.debug({ why }, 'event stream ended; reconnecting');
        const timer = setTimeout(() => {
          open();
          this.#handlers.gap();
        }, retryMs);
        timer.unref();
        this.#request = { destroy: () => clearTimeout(timer) };
        retryMs = Math.min(retryMs * 2, RETRY_CAP_MS);
      };
      request.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reopen(`status ${res.statusCode}`);
          return;
        }
        retryMs = 1000;
        splitLines(res, (line) => this.#handlers.line(line));
        res.on('end', () => reopen('end'));
        res.on('error', (err) => reopen(err.message));
      });
      request.on('error', (err) => reopen(err.message));
      request.end();
    };
    open();
  }

  /** Stops the stream (it may be started again). */
  stop(): void {
    const request = this.#request;
    this.#request = undefined;
    request?.destroy();
  }

  close(): void {
    this.#closed = true;
    this.stop();
  }
}
