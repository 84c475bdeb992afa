// The Mesos v1 scheduler client: keeps one SUBSCRIBE stream alive against whichever master leads, turns its events
// into typed EventEmitter events, and sends calls on their own keep-alive pool with the stream's Mesos-Stream-Id.
// It owns the subscription state (framework ID as the master confirmed it, stream ID, suppressed roles) and the
// reconnect policy; it does not own persistence (the owner stores the framework ID through `onFrameworkId`) nor
// acknowledgement policy (the owner acks after processing; see README.md).

import { SchedulerCalls, type SubscribedInfo } from './calls.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import {
  createDetector,
  parseMasterAddress,
  type DetectedMaster,
  type MasterDetector,
  type ZooKeeperDetectorOptions,
} from './detector.js';
import { MesosFatalError, MesosNotSubscribedError, describe, type MesosHttpError } from './errors.js';
import { MesosHttp, basicAuthorization, type CallResult, type TlsOptions } from './http.js';
import { silentLogger, type Logger } from './logger.js';
import { Subscription, type SubscriptionEnd } from './subscription.js';
import type { Call, CallBodies, Event, FrameworkInfo } from './types.js';

export interface Credentials {
  principal: string;
  /** The secret itself; reading a secret file is the caller's job. */
  secret: string;
}

export interface SchedulerClientOptions {
  /**
   * `host:port`, `http(s)://host:port`, `zk://…/mesos`, `file:///path`, or a detector of your own (which the client
   * then owns: it is stopped with the client).
   */
  master: string | MasterDetector;
  /** The FrameworkInfo to subscribe with. Its `id` is managed by the client (from `frameworkId`, then the master). */
  frameworkInfo: FrameworkInfo;
  /** The framework ID persisted from an earlier run; omit on first registration. */
  frameworkId?: string;
  /**
   * Called when the master assigns a framework ID the client did not start with. The client awaits it before it
   * emits `subscribed` or any later event of that stream and before it accepts calls, so the owner can persist the ID
   * before relying on it. If it throws, the stream is closed and the client re-subscribes (with the new ID) after a
   * backoff, calling the hook again.
   */
  onFrameworkId?: (frameworkId: string) => void | Promise<void>;
  /** Roles to subscribe suppressed. Later suppress()/revive() calls update the set used on re-subscribe. */
  suppressedRoles?: string[];
  /** HTTP Basic credentials, sent on every request including SUBSCRIBE. */
  credentials?: Credentials;
  logger?: Logger;
  tls?: TlsOptions;
  /** Scheme for masters given as bare `host:port` or found through ZooKeeper. */
  scheme?: 'http' | 'https';
  /**
   * Between subscribe attempts; truncated exponential with jitter. Default 0.5 s doubling to 15 s. It starts over
   * only after a stream has stayed up for `maxMs`, so a master that accepts and at once drops us (or two schedulers
   * fighting over one framework ID with "Framework failed over") is retried ever more slowly.
   */
  reconnectBackoff?: BackoffOptions;
  /** 503 retries for calls. Default 3 retries, 0.25 s doubling to 5 s. */
  callRetry?: BackoffOptions & { attempts?: number };
  /** Redirect hops per request before backing off. Default 8. */
  maxRedirects?: number;
  /** Time for a SUBSCRIBE to get its response headers. Default 10 s. */
  connectTimeoutMs?: number;
  /** Time for a call to be answered. Default 30 s. */
  callTimeoutMs?: number;
  /** Heartbeat intervals of silence after which the stream is considered dead. Default 5. */
  heartbeatMissLimit?: number;
  /** Assumed until SUBSCRIBED names the interval. Default 15. */
  defaultHeartbeatIntervalSeconds?: number;
  /** Upper bound of the random pause before re-subscribing to a newly detected leader. Default 2 s. */
  leaderChangeDelayMaxMs?: number;
  /** Which ERROR messages stop the client instead of re-subscribing. Default: see isFatalMasterError. */
  isFatalError?: (message: string) => boolean;
  /** ZooKeeper session settings, for `zk://` masters. */
  zookeeper?: Pick<ZooKeeperDetectorOptions, 'sessionTimeoutMs' | 'retryDelayMs' | 'createClient'>;
  /** For tests: the source of jitter. */
  random?: () => number;
}

/**
 * Master errors that re-subscribing cannot fix: the framework is gone for good, or its FrameworkInfo or credentials
 * are refused (reference §1.4, §3 ERROR). "Framework failed over" is not among them.
 */
export function isFatalMasterError(message: string): boolean {
  return [
    /Framework has been removed/i,
    /must not be set when the framework is/i,
    /are not present in the master's --roles/i,
    /are not contained in the set of roles/i,
    /Changing framework's principal is not allowed/i,
    /^Not authorized to/i,
    /failover_timeout .* is invalid/i,
    /is not allowed to run frameworks/i,
  ].some((re) => re.test(message));
}

/** SUBSCRIBE answers that retrying cannot fix: the request or the credentials are wrong. */
const FATAL_SUBSCRIBE_STATUSES = new Set([400, 401, 403, 405, 406, 415]);

interface Session {
  streamId: string;
  url: URL;
  /** performance.now() at SUBSCRIBED. */
  since: number;
}

export class MesosSchedulerClient extends SchedulerCalls {
  private readonly options: SchedulerClientOptions;
  protected readonly logger: Logger;
  private readonly http: MesosHttp;
  private readonly backoff: Backoff;
  private readonly reconnectOptions: BackoffOptions;
  private readonly lifetime = new AbortController();
  private detector: MasterDetector | undefined;
  private leaderValue: DetectedMaster | null | undefined;
  /** A redirect target we stick to until it fails, so each re-subscribe does not bounce off a non-leader first. */
  private redirectTarget: URL | undefined;
  private leaderChanged = false;
  private current: Subscription | undefined;
  private session: Session | undefined;
  private frameworkIdValue: string | undefined;
  /** The ID the owner is known to hold (given at start, or confirmed by onFrameworkId). */
  private ownedFrameworkId: string | undefined;
  private generation = 0;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private tearingDown = false;
  private readonly pauses = new Pauses();
  private loop: Promise<void> | undefined;
  /** Calls awaiting their answer; stopping lets them finish before the pool is closed. */
  private readonly inFlight = new Set<Promise<CallResult>>();
  private fatalError: MesosFatalError | undefined;
  private subscribeError: string | undefined;
  private resolveDone!: (error: MesosFatalError | undefined) => void;
  /** Resolves when the client has stopped: with the fatal error, or undefined after stop()/teardown(). */
  readonly done: Promise<MesosFatalError | undefined>;

  constructor(options: SchedulerClientOptions) {
    super(options.frameworkInfo, options.suppressedRoles ?? []);
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    // Refuse a malformed address now rather than on start(); file:// is read (and checked) when the client starts.
    if (typeof options.master === 'string' && !options.master.trim().startsWith('file://')) {
      parseMasterAddress(options.master, options.scheme);
    }
    this.frameworkIdValue = options.frameworkId || options.frameworkInfo.id?.value || undefined;
    this.ownedFrameworkId = this.frameworkIdValue;
    this.http = new MesosHttp({
      authorization: options.credentials
        ? basicAuthorization(options.credentials.principal, options.credentials.secret)
        : undefined,
      tls: options.tls,
      maxRedirects: options.maxRedirects,
      callRetry: options.callRetry,
      callTimeoutMs: options.callTimeoutMs,
      logger: this.logger,
      random: options.random,
    });
    this.reconnectOptions = options.reconnectBackoff ?? { initialMs: 500, maxMs: 15_000 };
    this.backoff = new Backoff(this.reconnectOptions, options.random);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lifecycle

  /** Starts detecting the leader and subscribing. Events begin once `subscribed` has been emitted. */
  start(): void {
    if (this.state !== 'new') throw new Error('MesosSchedulerClient can only be started once');
    this.state = 'running';
    this.loop = this.run();
  }

  /**
   * Closes the stream and stops re-subscribing; calls already sent get their answers, retries waiting for a 503 to
   * pass are abandoned. The framework stays registered until its failover timeout.
   */
  async stop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      this.resolveDone(undefined);
      return;
    }
    if (this.state === 'running') {
      this.state = 'stopping';
      this.current?.close('stopped');
      this.lifetime.abort(new MesosNotSubscribedError('stopped'));
      this.pauses.wake();
    }
    await this.loop;
  }

  /** The framework ID as last confirmed by the master (or given at construction). */
  get frameworkId(): string | undefined {
    return this.frameworkIdValue;
  }

  /** The current stream's ID, while subscribed. */
  get streamId(): string | undefined {
    return this.session?.streamId;
  }

  /** True between `subscribed` and `disconnected`. */
  get subscribed(): boolean {
    return this.session !== undefined;
  }

  /**
   * Why the last SUBSCRIBE attempt failed (no answer, a TLS handshake refused, an HTTP error), until one succeeds:
   * what an operator needs to see while the client keeps retrying.
   */
  get lastSubscribeError(): string | undefined {
    return this.subscribeError;
  }

  /** The scheduler endpoint of the master the stream is on, while subscribed. */
  get masterUrl(): string | undefined {
    return this.session?.url.href;
  }

  get leader(): DetectedMaster | null | undefined {
    return this.leaderValue;
  }

  get suppressedRoles(): string[] {
    return [...this.suppressed];
  }

  private async run(): Promise<void> {
    try {
      const master = this.options.master;
      this.detector =
        typeof master === 'string'
          ? await createDetector(master, {
              scheme: this.options.scheme,
              logger: this.logger,
              ...this.options.zookeeper,
            })
          : master;
      if (this.isRunning()) this.detector.start((leader) => this.onLeader(leader));
      let redirects = 0;
      while (this.isRunning()) {
        if (this.leaderChanged) {
          // Every framework sees the change at once; a random pause spreads their re-subscriptions out.
          this.leaderChanged = false;
          await this.pauses.pause(
            this.isRunning(),
            Math.round(this.random() * (this.options.leaderChangeDelayMaxMs ?? 2000)),
          );
          continue;
        }
        const target = this.redirectTarget ?? this.leaderValue?.url;
        if (!target) {
          await this.pauses.pause(this.isRunning(), Infinity);
          continue;
        }
        const end = await this.subscribeOnce(target);
        if (!this.isRunning()) break;
        if (end.kind === 'redirect') {
          if (++redirects <= this.http.redirectLimit) {
            this.redirectTarget = end.location;
            this.logger.info({ from: target.href, to: this.redirectTarget.href }, 'mesos subscribe redirected');
            continue;
          }
          this.logger.warn({ redirects }, 'mesos subscribe: too many redirects, backing off');
          this.redirectTarget = undefined;
        } else if (end.kind !== 'closed') {
          this.redirectTarget = undefined;
        }
        redirects = 0;
        const fatal = fatalFor(end, this.options.isFatalError ?? isFatalMasterError);
        if (fatal) {
          this.fail(fatal);
          break;
        }
        if (end.kind === 'eof' && this.tearingDown) break;
        if (end.kind === 'closed' && end.reason !== 'framework ID hook failed') continue;
        const delay = this.backoff.next();
        if (end.kind === 'connect-failed' || end.kind === 'http-error') this.subscribeError = end.error.message;
        this.logger.info({ delay, reason: end.kind, err: this.subscribeError }, 'mesos re-subscribing after backoff');
        await this.pauses.pause(this.isRunning(), delay);
      }
    } catch (err) {
      this.fail(new MesosFatalError(describe(err), { cause: err }));
    } finally {
      this.current?.close('stopped');
      this.state = 'stopped';
      await this.detector?.stop().catch(() => {});
      // The master may have acted on these (TEARDOWN, ACCEPT); cutting them off would only hide their answers.
      await Promise.allSettled([...this.inFlight]);
      this.http.close();
      this.resolveDone(this.fatalError);
    }
  }

  private isRunning(): boolean {
    return this.state === 'running';
  }

  private random(): number {
    return (this.options.random ?? Math.random)();
  }

  private fail(error: MesosFatalError): void {
    if (this.fatalError) return;
    this.fatalError = error;
    this.state = 'stopping';
    this.lifetime.abort(error);
    this.logger.error({ err: error.reason }, 'mesos scheduler client stopped');
    this.safeEmit('fatal', error);
  }

  private onLeader(leader: DetectedMaster | null): void {
    const previous = this.leaderValue;
    if ((previous?.url.href ?? null) === (leader?.url.href ?? null) && previous !== undefined) return;
    this.leaderValue = leader;
    this.redirectTarget = undefined;
    this.safeEmit('leader', leader);
    if (previous === undefined) {
      this.pauses.wake();
      return;
    }
    this.logger.info({ from: previous?.url.href ?? null, to: leader?.url.href ?? null }, 'mesos leader changed');
    this.leaderChanged = leader !== null;
    this.current?.close('leader changed');
    this.pauses.wake();
  }

  // -------------------------------------------------------------------------------------------------------------
  // The stream

  private async subscribeOnce(url: URL): Promise<SubscriptionEnd> {
    const generation = ++this.generation;
    const resubscribed = this.frameworkIdValue !== undefined;
    // Events that arrive while the owner's onFrameworkId hook runs wait here, in order.
    const queue: Event[] = [];
    let waiting = false;
    let streamId: string | undefined;
    const stale = (): boolean => generation !== this.generation || sub.isEnded || !this.isRunning();

    const deliver = (event: Event): void => {
      if (waiting) {
        queue.push(event);
        return;
      }
      if (event.type !== 'SUBSCRIBED') {
        if (this.session) this.dispatch(event);
        else this.logger.warn({ type: event.type }, 'mesos event before SUBSCRIBED dropped');
        return;
      }
      waiting = true;
      void this.acceptSubscribed(event, streamId!, url, resubscribed, stale).then(
        (ok) => {
          waiting = false;
          const pending = queue.splice(0);
          if (!ok) return;
          for (const next of pending) deliver(next);
        },
        (err: unknown) => {
          waiting = false;
          queue.length = 0;
          this.logger.error({ err: describe(err) }, 'onFrameworkId failed; closing the stream to retry');
          sub.close('framework ID hook failed');
        },
      );
    };

    const body = JSON.stringify(subscribeCall(this.options.frameworkInfo, this.frameworkIdValue, this.suppressed));
    this.logger.debug({ url: url.href, resubscribed }, 'mesos subscribing');
    const sub = new Subscription({
      http: this.http,
      url,
      body,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      defaultHeartbeatIntervalSeconds: this.options.defaultHeartbeatIntervalSeconds ?? 15,
      heartbeatMissLimit: this.options.heartbeatMissLimit ?? 5,
      logger: this.logger,
      onOpen: (id) => (streamId = id),
      onEvent: deliver,
    });
    this.current = sub;
    const end = await sub.done;
    if (this.current === sub) this.current = undefined;
    const session = this.session !== undefined && this.session.streamId === streamId ? this.session : undefined;
    const wasSubscribed = session !== undefined;
    if (session) {
      this.session = undefined;
      if (performance.now() - session.since >= this.reconnectOptions.maxMs) this.backoff.reset();
    }
    if (end.kind === 'error-event') this.safeEmit('masterError', end.message);
    const detail = describeEnd(end);
    if (wasSubscribed) {
      this.logger.warn({ reason: end.kind, detail }, 'mesos subscription ended');
      this.safeEmit('disconnected', { reason: end.kind, detail });
    } else if (end.kind !== 'closed' && end.kind !== 'redirect') {
      this.logger.warn({ url: url.href, reason: end.kind, detail }, 'mesos subscribe attempt failed');
    }
    return end;
  }

  private async acceptSubscribed(
    event: Extract<Event, { type: 'SUBSCRIBED' }>,
    streamId: string,
    url: URL,
    resubscribed: boolean,
    stale: () => boolean,
  ): Promise<boolean> {
    const id = event.subscribed.framework_id.value;
    // Re-subscribing after a failed hook must carry the ID the master already assigned.
    this.frameworkIdValue = id;
    if (id !== this.ownedFrameworkId) {
      if (this.options.onFrameworkId) await this.options.onFrameworkId(id);
      this.ownedFrameworkId = id;
    }
    if (stale()) return false;
    this.session = { streamId, url, since: performance.now() };
    this.subscribeError = undefined;
    const info: SubscribedInfo = {
      frameworkId: id,
      streamId,
      master: url.href,
      masterInfo: event.subscribed.master_info,
      heartbeatIntervalSeconds: event.subscribed.heartbeat_interval_seconds,
      resubscribed,
    };
    this.logger.info({ frameworkId: id, master: url.href, resubscribed }, 'mesos framework subscribed');
    this.safeEmit('event', event);
    this.safeEmit('subscribed', info);
    return true;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Calls

  /**
   * Sends any call on the current stream's behalf: fills in `framework_id`, adds Mesos-Stream-Id. Resolves with the
   * 2xx answer; rejects with MesosNotSubscribedError when no stream is subscribed, MesosHttpError for a 4xx/5xx,
   * MesosConnectionError when there was no answer.
   */
  async call(call: Call): Promise<CallResult> {
    const session = this.session;
    const frameworkId = this.frameworkIdValue;
    if (call.type === 'SUBSCRIBE') throw new TypeError('SUBSCRIBE is managed by the client; use start()');
    if (!session || !frameworkId || !this.isRunning()) throw new MesosNotSubscribedError(call.type);
    const body = JSON.stringify({ ...call, framework_id: call.framework_id ?? { value: frameworkId } });
    const pending = this.http.call(session.url, call.type, body, session.streamId, this.lifetime.signal);
    this.inFlight.add(pending);
    const forget = (): void => void this.inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  /**
   * TEARDOWN: the master kills every task and forgets the framework (its ID can never subscribe again). Stops the
   * client once the master has accepted the call.
   */
  async teardown(): Promise<void> {
    this.tearingDown = true;
    try {
      await this.send('TEARDOWN', {});
    } catch (err) {
      this.tearingDown = false;
      throw err;
    }
    await this.stop();
  }
}

function describeEnd(end: SubscriptionEnd): string {
  switch (end.kind) {
    case 'redirect':
      return `redirected to ${end.location.host}`;
    case 'http-error':
    case 'connect-failed':
      return (end.error as MesosHttpError | Error).message;
    case 'network':
    case 'protocol':
      return end.error.message;
    case 'watchdog':
      return `no bytes for ${end.silentMs} ms`;
    case 'error-event':
      return end.message;
    case 'closed':
      return end.reason;
    case 'eof':
      return 'the master closed the stream';
  }
}

/** The SUBSCRIBE call: the framework ID (when known) both top-level and in the FrameworkInfo, and suppressed roles. */
function subscribeCall(info: FrameworkInfo, id: string | undefined, suppressed: ReadonlySet<string>): Call {
  const frameworkInfo: FrameworkInfo = { ...info };
  delete frameworkInfo.id;
  if (id) frameworkInfo.id = { value: id };
  const subscribe: CallBodies['SUBSCRIBE']['subscribe'] = { framework_info: frameworkInfo };
  if (suppressed.size > 0) subscribe.suppressed_roles = [...suppressed];
  return id ? { type: 'SUBSCRIBE', framework_id: { value: id }, subscribe } : { type: 'SUBSCRIBE', subscribe };
}

/** How a stream ended, when no re-subscription can fix it. */
function fatalFor(end: SubscriptionEnd, isFatal: (message: string) => boolean): MesosFatalError | undefined {
  if (end.kind === 'error-event') return isFatal(end.message) ? new MesosFatalError(end.message) : undefined;
  if (end.kind === 'http-error' && FATAL_SUBSCRIBE_STATUSES.has(end.error.status)) {
    return new MesosFatalError(end.error.message, { cause: end.error });
  }
  return undefined;
}

/** The reconnect loop's waits: `ms` (Infinity: until woken); leader changes and stop() wake it early. */
class Pauses {
  #wake: (() => void) | undefined;

  pause(running: boolean, ms: number): Promise<void> {
    if (!running) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  wake(): void {
    this.#wake?.();
  }
}
