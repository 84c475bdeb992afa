// One ZooKeeper session of a manager taking part in the election, and the lease that says whether this manager may
// still act on it. ZooKeeper expires a session `timeout` after it last heard from the client; the client cannot see
// that moment, so the lease is counted from the last request the ensemble answered (measured from when it was sent,
// which is no later than when the ensemble heard it) and ends at two thirds of the timeout. A watchdog on the
// monotonic clock ends the lease the moment it is past, even after the process was paused (SIGSTOP, a long GC): on
// resume, timers run before any I/O is read, so a paused leader learns it may no longer act before it reads one
// byte from Mesos or a client. A lost lease, an expiry or a refused authentication ends the session for good
// (`lost`); the owner opens a new one to take part again.
import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import { hardenConnection } from '../mesos/zookeeper-guard.js';

export interface SessionOptions {
  /** A ZooKeeper connect string, `h1:2181,h2:2181`. */
  readonly servers: string;
  readonly timeoutMs: number;
  readonly auth?: { readonly user: string; readonly password: string };
}

export interface SessionEvents {
  /** The session cannot be trusted any more: the lease ran out, it expired, or it was refused. Emitted once. */
  lost: [reason: string];
}

/** Share of the negotiated timeout the lease lasts: a third is left for the pause between check and deletion. */
const LEASE_SHARE = 2 / 3;

export class ZooKeeperSession extends EventEmitter<SessionEvents> {
  readonly client: zookeeper.Client;
  readonly #options: SessionOptions;
  #heardAt = 0;
  #lost: string | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #probe: NodeJS.Timeout | undefined;

  constructor(options: SessionOptions) {
    super();
    this.#options = options;
    this.client = hardenConnection(
      zookeeper.createClient(options.servers, { sessionTimeout: options.timeoutMs, retries: 0 }),
    );
    if (options.auth) this.client.addAuthInfo('digest', Buffer.from(`${options.auth.user}:${options.auth.password}`));
    this.client.on('expired', () => this.#lose('the ZooKeeper session expired'));
    this.client.on('authenticationFailed', () => this.#lose('ZooKeeper refused the credentials'));
  }

  /** Resolves once connected; rejects when the ensemble does not answer within the timeout. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close();
        reject(new Error(`cannot reach ZooKeeper at ${this.#options.servers} within ${this.#options.timeoutMs} ms`));
      }, this.#options.timeoutMs);
      this.client.once('connected', () => {
        clearTimeout(timer);
        this.#heardAt = performance.now();
        this.#startLease();
        resolve();
      });
      this.client.connect();
    });
  }

  /** The timeout ZooKeeper agreed to (it clamps the asked one to 2–20 ticks). */
  get timeoutMs(): number {
    return this.client.getSessionTimeout() || this.#options.timeoutMs;
  }

  get leaseMs(): number {
    return Math.floor(this.timeoutMs * LEASE_SHARE);
  }

  /** Why the session was lost, or undefined while it holds. */
  get lost(): string | undefined {
    return this.#lost;
  }

  /** Whether the lease still holds right now (read before each act that must not outlive leadership). */
  get valid(): boolean {
    this.#check();
    return this.#lost === undefined;
  }

  close(): void {
    clearInterval(this.#watchdog);
    clearTimeout(this.#probe);
    this.#lost ??= 'closed';
    this.removeAllListeners('lost');
    this.client.close();
  }

  #startLease(): void {
    // Checked often enough that a lost lease is acted on well inside the third of the timeout kept in reserve.
    this.#watchdog = setInterval(() => this.#check(), Math.max(50, Math.floor(this.timeoutMs / 20)));
    this.#watchdog.unref();
    const probe = () => {
      const sent = performance.now();
      this.client.exists('/', (err) => {
        if (this.#lost) return;
        if (!err) this.#heardAt = Math.max(this.#heardAt, sent);
        this.#probe = setTimeout(probe, Math.max(50, Math.floor(this.timeoutMs / 6)));
        this.#probe.unref();
      });
    };
    probe();
  }

  #check(): void {
    if (this.#lost) return;
    const silent = performance.now() - this.#heardAt;
    if (silent > this.leaseMs) {
      this.#lose(`no answer from ZooKeeper for ${Math.round(silent)} ms (the lease is ${this.leaseMs} ms)`);
    }
  }

  #lose(reason: string): void {
    if (this.#lost) return;
    this.#lost = reason;
    clearInterval(this.#watchdog);
    clearTimeout(this.#probe);
    this.emit('lost', reason);
  }
}
