// Test-side tools, written as a framework would write them and independent of the simulator's own code: a byte-level
// RecordIO reader, raw HTTP calls with node:http, a tiny scheduler client (subscribe, wait for events, call, ack),
// and the service gates for Docker and ZooKeeper (skip with a reason locally; fail when CI=true).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import Docker from 'dockerode';
import { within } from '../helpers/deadline.js';

/** Splits a byte stream into RecordIO records; chunk boundaries may fall anywhere. */
export class RecordIOReader {
  private buf = Buffer.alloc(0);
  private need = -1;

  push(chunk: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.need < 0) {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) {
          assert.ok(
            /^\d*$/.test(this.buf.toString('latin1')),
            `garbage in length prefix: ${this.buf.toString('latin1')}`,
          );
          return out;
        }
        const digits = this.buf.subarray(0, nl).toString('latin1');
        assert.ok(/^\d+$/.test(digits), `bad length prefix ${JSON.stringify(digits)}`);
        this.need = Number(digits);
        this.buf = this.buf.subarray(nl + 1);
      }
      if (this.buf.length < this.need) return out;
      out.push(this.buf.subarray(0, this.need));
      this.buf = this.buf.subarray(this.need);
      this.need = -1;
    }
  }

  get pendingBytes(): number {
    return this.buf.length;
  }
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 });

export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ev = any;

export interface SubscribeOptions {
  frameworkId?: string;
  headers?: Record<string, string>;
  path?: string;
  suppressedRoles?: string[];
}

/** A scheduler's view of one subscription. */
export class Scheduler {
  readonly events: Ev[] = [];
  readonly chunks: Buffer[] = [];
  private taken = new Set<number>();
  private waiters: Array<() => void> = [];
  streamId = '';
  frameworkId = '';
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  private req?: http.ClientRequest;
  readonly endedPromise: Promise<void>;
  private resolveEnded!: () => void;
  private readonly baseUrl: string;
  private readonly authHeader?: Record<string, string>;

  constructor(baseUrl: string, authHeader?: Record<string, string>) {
    this.baseUrl = baseUrl;
    this.authHeader = authHeader;
    this.endedPromise = new Promise((r) => (this.resolveEnded = r));
  }

  /** Opens the stream and waits for the response headers (not for SUBSCRIBED). */
  static async open(
    baseUrl: string,
    frameworkInfo: Record<string, unknown>,
    opts: SubscribeOptions = {},
  ): Promise<Scheduler> {
    const s = new Scheduler(
      baseUrl,
      opts.headers?.Authorization ? { Authorization: opts.headers.Authorization } : undefined,
    );
    const body: Record<string, unknown> = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: opts.frameworkId ? { ...frameworkInfo, id: { value: opts.frameworkId } } : frameworkInfo,
        ...(opts.suppressedRoles ? { suppressed_roles: opts.suppressedRoles } : {}),
      },
    };
    if (opts.frameworkId) body.framework_id = { value: opts.frameworkId };
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        `${baseUrl}${opts.path ?? '/api/v1/scheduler'}`,
        // A header given as '' is left out (to test a request without it).
        {
          method: 'POST',
          headers: Object.fromEntries(Object.entries({ ...JSON_HEADERS, ...opts.headers }).filter(([, v]) => v !== '')),
          agent: false,
        },
        (res) => {
          s.status = res.statusCode ?? 0;
          s.headers = res.headers;
          s.streamId = String(res.headers['mesos-stream-id'] ?? '');
          const reader = new RecordIOReader();
          res.on('data', (c: Buffer) => {
            s.chunks.push(c);
            if (s.status !== 200) return;
            for (const rec of reader.push(c)) {
              const ev = JSON.parse(rec.toString('utf8')) as Ev;
              if (ev.type === 'SUBSCRIBED') s.frameworkId = ev.subscribed.framework_id.value;
              s.events.push(ev);
            }
            s.wake();
          });
          const end = () => {
            s.ended = true;
            s.resolveEnded();
            s.wake();
          };
          res.on('end', end);
          res.on('close', end);
          res.on('error', end);
          resolve();
        },
      );
      req.on('error', (e) => {
        s.ended = true;
        s.resolveEnded();
        s.wake();
        reject(e);
      });
      s.req = req;
      req.end(JSON.stringify(body));
    });
    return s;
  }

  /** Subscribes and waits for SUBSCRIBED. */
  static async subscribe(
    baseUrl: string,
    frameworkInfo: Record<string, unknown>,
    opts: SubscribeOptions = {},
  ): Promise<Scheduler> {
    const s = await Scheduler.open(baseUrl, frameworkInfo, opts);
    assert.equal(s.status, 200, `subscribe answered ${s.status}: ${Buffer.concat(s.chunks).toString()}`);
    await s.next((e) => e.type === 'SUBSCRIBED');
    return s;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The first event not yet taken that matches; waits for it. */
  async next(pred: (e: Ev) => boolean, timeoutMs = 5000, what = 'event'): Promise<Ev> {
    const deadline = Date.now() + within(timeoutMs);
    for (;;) {
      for (let i = 0; i < this.events.length; i++) {
        if (!this.taken.has(i) && pred(this.events[i])) {
          this.taken.add(i);
          return this.events[i];
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.ended) {
        throw new Error(
          `timed out waiting for ${what}; got ${this.events.map((e: Ev) => e.type).join(',')}${this.ended ? ' (stream ended)' : ''}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Marks every event received so far that matches as taken (so `next` only sees newer ones). */
  drain(pred: (e: Ev) => boolean): void {
    this.events.forEach((e, i) => {
      if (pred(e)) this.taken.add(i);
    });
  }

  /** Asserts that nothing matching arrives within `ms`. */
  async none(pred: (e: Ev) => boolean, ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const hit = this.events.find((e, i) => !this.taken.has(i) && pred(e));
    assert.equal(hit, undefined, `unexpected event ${JSON.stringify(hit)}`);
  }

  offers(timeoutMs = 5000): Promise<Ev[]> {
    return this.next((e) => e.type === 'OFFERS', timeoutMs, 'OFFERS').then((e) => e.offers.offers as Ev[]);
  }

  update(taskId: string, state?: string, timeoutMs = 5000): Promise<Ev> {
    return this.next(
      (e) =>
        e.type === 'UPDATE' && e.update.status.task_id.value === taskId && (!state || e.update.status.state === state),
      timeoutMs,
      `UPDATE ${taskId} ${state ?? ''}`,
    ).then((e) => e.update.status);
  }

  call(type: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<HttpResult> {
    const body = { framework_id: { value: this.frameworkId }, type, ...fields };
    return request(`${this.baseUrl}/api/v1/scheduler`, {
      headers: { ...JSON_HEADERS, 'Mesos-Stream-Id': this.streamId, ...this.authHeader, ...headers },
      body: JSON.stringify(body),
    });
  }

  async ack(status: Ev): Promise<HttpResult> {
    const r = await this.call('ACKNOWLEDGE', {
      acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
    });
    assert.equal(r.status, 202, r.body);
    return r;
  }

  async launch(offer: Ev, tasks: Ev[], filters?: Ev): Promise<HttpResult> {
    const r = await this.call('ACCEPT', {
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
        ...(filters ? { filters } : {}),
      },
    });
    assert.equal(r.status, 202, r.body);
    return r;
  }

  /** Closes the subscription connection (the scheduler goes away). */
  close(): void {
    this.req?.destroy();
  }
}

/** A Docker task for busybox, shaped like the ones a framework sends. */
export function dockerTask(id: string, agentId: string, extra: Ev = {}): Ev {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
    command: { shell: false, value: 'sleep', arguments: ['300'] },
    container: { type: 'DOCKER', docker: { image: 'busybox:latest', network: 'HOST' } },
    ...extra,
  };
}

export const FRAMEWORK = { user: 'root', name: 'mesos-sim-test', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` returns something truthy. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + within(timeoutMs);
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function dockerAvailable(socket = '/var/run/docker.sock'): Promise<string | undefined> {
  try {
    const d = new Docker({ socketPath: socket });
    await d.ping();
    await d.getImage('busybox:latest').inspect();
    return undefined;
  } catch (e) {
    return `Docker engine at unix://${socket} with busybox:latest is not available (${String(e)})`;
  }
}

export async function zookeeperAvailable(): Promise<string | undefined> {
  const [host, port] = (process.env.MESOSWARM_TEST_ZK ?? '127.0.0.1:2181').split(':');
  return (await tcpOpen(host!, Number(port))) ? undefined : `ZooKeeper at ${host}:${port} is not reachable`;
}

/**
 * Skips a suite when a service is missing (printing why), except under CI=true, where the absence is a failure.
 * Returns the `skip` option for describe().
 */
export function gate(missing: string | undefined): string | false {
  if (missing === undefined) return false;
  if (process.env.CI === 'true') {
    test(`required service: ${missing}`, () => assert.fail(`${missing} (CI=true requires it)`));
    return missing;
  }
  console.log(`# skipping: ${missing}`);
  return missing;
}
