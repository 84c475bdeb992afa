// A small fake Mesos master for the client's tests: records every request, answers SUBSCRIBE with a RecordIO stream
// the test drives by hand, and answers calls with 202 unless a test installs its own handler. It is deliberately
// minimal (no offers, no agents); the full protocol double lives elsewhere.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { encodeRecord } from '../../src/mesos/recordio.js';
import type { MesosSchedulerClient } from '../../src/mesos/client.js';
import type { SchedulerClientEvents } from '../../src/mesos/calls.js';
import type { Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Header names exactly as the client sent them (rawHeaders), for case-sensitive checks. */
  rawHeaders: string[];
  raw: string;
  /** The client's port: tells connections apart. */
  remotePort: number | undefined;
  body: Record<string, unknown> | undefined;
  type: string | undefined;
}

export class FakeStream {
  readonly closed: Promise<void>;
  isClosed = false;
  constructor(
    readonly id: string,
    readonly request: RecordedRequest,
    readonly res: http.ServerResponse,
  ) {
    this.closed = new Promise((resolve) =>
      res.on('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }
  send(event: object): void {
    this.write(encodeRecord(JSON.stringify(event)));
  }
  write(bytes: Buffer | string): void {
    if (!this.isClosed) this.res.write(bytes);
  }
  /** Ends the stream cleanly (what TEARDOWN looks like). */
  end(): void {
    this.res.end();
  }
  /** Cuts the connection (a crashing master). */
  destroy(): void {
    this.res.socket?.destroy();
  }
}

type Handler = (req: RecordedRequest, res: http.ServerResponse) => boolean | void;

export class FakeMaster {
  readonly requests: RecordedRequest[] = [];
  readonly streams: FakeStream[] = [];
  frameworkId = 'fake-master-0000';
  heartbeatIntervalSeconds = 15;
  /** Return true after answering to take over a SUBSCRIBE (e.g. to answer 307 or 503). */
  onSubscribe: Handler | undefined;
  /** Return true after answering to take over a call. */
  onCall: Handler | undefined;
  /** Whether a new stream gets SUBSCRIBED and HEARTBEAT right away. */
  autoSubscribed = true;
  private server: http.Server;
  private readonly sockets = new Set<Socket>();

  private constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<FakeMaster> {
    return FakeMaster.startOn(0);
  }

  static async startOn(port: number): Promise<FakeMaster> {
    const master = new FakeMaster();
    await new Promise<void>((resolve, reject) => {
      master.server.once('error', reject);
      master.server.listen(port, '127.0.0.1', resolve);
    });
    return master;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `127.0.0.1:<port>`, the form an operator would pass. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get subscribes(): RecordedRequest[] {
    return this.requests.filter((r) => r.type === 'SUBSCRIBE');
  }

  get calls(): RecordedRequest[] {
    return this.requests.filter((r) => r.type !== 'SUBSCRIBE');
  }

  callsOf(type: string): RecordedRequest[] {
    return this.requests.filter((r) => r.type === type);
  }

  get lastStream(): FakeStream | undefined {
    return this.streams[this.streams.length - 1];
  }

  subscribedEvent(overrides: Record<string, unknown> = {}): object {
    return {
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: this.frameworkId },
        heartbeat_interval_seconds: this.heartbeatIntervalSeconds,
        master_info: {
          id: 'fake-master',
          ip: 16777343,
          port: this.port,
          hostname: '127.0.0.1',
          address: { hostname: '127.0.0.1', ip: '127.0.0.1', port: this.port },
        },
        ...overrides,
      },
    };
  }

  /** Opens a 200 stream on `res` with a fresh Mesos-Stream-Id (for handlers that take over a SUBSCRIBE). */
  openStream(req: RecordedRequest, res: http.ServerResponse): FakeStream {
    const id = randomUUID();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': id });
    res.flushHeaders();
    const stream = new FakeStream(id, req, res);
    this.streams.push(stream);
    return stream;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        raw,
        remotePort: req.socket.remotePort,
        body,
        type: typeof body?.type === 'string' ? body.type : undefined,
      };
      this.requests.push(recorded);
      if (recorded.type === 'SUBSCRIBE') {
        if (this.onSubscribe?.(recorded, res)) return;
        const stream = this.openStream(recorded, res);
        if (this.autoSubscribed) {
          stream.send(this.subscribedEvent());
          stream.send({ type: 'HEARTBEAT' });
        }
        return;
      }
      if (this.onCall?.(recorded, res)) return;
      res.writeHead(202, { 'Content-Length': '0' });
      res.end();
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | null,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves with the arguments of the next `event` the client emits. */
export function nextEvent<K extends keyof SchedulerClientEvents>(
  client: MesosSchedulerClient,
  event: K,
  timeoutMs = 5000,
): Promise<SchedulerClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for event ${event}`)), timeoutMs);
    const listener = (...args: SchedulerClientEvents[K]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    (client.once as (event: K, listener: (...args: SchedulerClientEvents[K]) => void) => unknown)(event, listener);
  });
}

/** Fast, deterministic timings for tests. */
export const fastTimings = {
  reconnectBackoff: { initialMs: 10, maxMs: 50 },
  callRetry: { initialMs: 10, maxMs: 50, attempts: 3 },
  leaderChangeDelayMaxMs: 20,
  connectTimeoutMs: 2000,
} as const;
