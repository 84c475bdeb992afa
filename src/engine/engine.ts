// One Docker daemon as the manager knows it: its identity (/info, /version), its health state, and a cache of its
// containers and images kept current by its /events stream and a jittered refresh loop. Everything else that
// talks to the daemon (proxied streams, structured calls) goes through `transport` and `docker`, and reports
// failures back here so the health state reflects what callers actually saw.
import { EventEmitter } from 'node:events';
import Dockerode from 'dockerode';
import type { Logger } from '../util/logger.js';
import type { TlsFiles } from '../util/tls.js';
import { createTransport, type EngineTransport } from './transport.js';
import { ContainerCache } from './container-cache.js';
import { EventStream } from './event-stream.js';
import { engineFault } from './faults.js';

export type EngineState = 'pending' | 'healthy' | 'unhealthy' | 'disconnected';

export interface EngineConfig {
  readonly address: string;
  readonly tls: TlsFiles | undefined;
  readonly refreshMinMs: number;
  readonly refreshMaxMs: number;
  /** Consecutive failures after which the engine is Unhealthy. */
  readonly failureRetry: number;
  readonly logger: Logger;
  /**
   * Keep a cache of the daemon's containers, fed by its event stream (the swarm driver). Off for Mesos agents'
   * daemons: Mesos reports container state, and the engine is only a way to reach logs, exec and the like.
   */
  readonly watchContainers?: boolean;
}

/** A Docker event as the daemon sends it on /events. */
export interface DockerEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  from?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  scope?: string;
  time?: number;
  timeNano?: number;
}

export type ContainerDetails = Dockerode.ContainerInspectInfo;
export type ImageSummary = Dockerode.ImageInfo;

interface EngineEvents {
  /** Health state or identity changed. */
  state: [Engine];
  /** A daemon event, delivered after the cache reflects it. */
  event: [DockerEvent, Engine];
  /** The container cache changed (one container, or `undefined` for a full refresh). */
  containers: [string | undefined, Engine];
}

const PENDING_RETRY_CAP_MS = 4 * 3_600_000;

export class Engine extends EventEmitter<EngineEvents> {
  readonly address: string;
  readonly transport: EngineTransport;
  readonly docker: Dockerode;
  readonly #config: EngineConfig;
  readonly #log: Logger;
  #state: EngineState = 'pending';
  #failures = 0;
  #lastError = '';
  #updatedAt = new Date();
  #info: Record<string, unknown> | undefined;
  #version: Record<string, unknown> | undefined;
  readonly #cache = new ContainerCache();
  #images: ImageSummary[] = [];
  #revision = 0;
  #closed = false;
  #refreshTimer: NodeJS.Timeout | undefined;
  readonly #events: EventStream;
  #pendingRetryMs = 1000;
  #connecting: Promise<void> | undefined;
  /** Serialises event handling so the cache and the emitted events keep the daemon's order. */
  #eventChain: Promise<void> = Promise.resolve();
  /** Set by the pool when another address already reaches this daemon. */
  #duplicateOf: string | undefined;

  constructor(config: EngineConfig) {
    super();
    this.setMaxListeners(0);
    this.#config = config;
    this.address = config.address;
    this.#log = config.logger.child({ engine: config.address });
    this.transport = createTransport(config.address, config.tls);
    this.docker = new Dockerode(this.transport.dockerodeOptions as Dockerode.DockerOptions);
    this.#events = new EventStream(this.transport, this.#log, {
      line: (line) => {
        let event: DockerEvent;
        try {
          event = JSON.parse(line) as DockerEvent;
        } catch {
          return;
        }
        this.#eventChain = this.#eventChain.then(() => this.#handleEvent(event));
      },
      // Events may have been missed while the stream was down.
      gap: () => {
        if (this.#watching) this.refreshContainers().catch((err) => this.noteFailure(err));
      },
    });
  }

  get state(): EngineState {
    return this.#state;
  }
  /** The daemon's ID (from /info), or '' before the first successful connection. */
  get id(): string {
    return String(this.#info?.ID ?? '');
  }
  /** The daemon's name (its hostname), or '' before the first successful connection. */
  get name(): string {
    return String(this.#info?.Name ?? '');
  }
  get info(): Readonly<Record<string, unknown>> | undefined {
    return this.#info;
  }
  get serverVersion(): string {
    return String(this.#version?.Version ?? this.#info?.ServerVersion ?? '');
  }
  get apiVersion(): string {
    return String(this.#version?.ApiVersion ?? '');
  }
  get cpus(): number {
    return Number(this.#info?.NCPU ?? 0);
  }
  get memory(): number {
    return Number(this.#info?.MemTotal ?? 0);
  }
  get lastError(): string {
    return this.#lastError;
  }
  get updatedAt(): Date {
    return this.#updatedAt;
  }
  get failureCount(): number {
    return this.#failures;
  }
  /** Bumps whenever anything cached changes; lets callers cache views derived from this engine. */
  get revision(): number {
    return this.#revision;
  }
  get isHealthy(): boolean {
    return this.#state === 'healthy';
  }
  /** The host part of the address (for port bindings on 0.0.0.0 and the Node object). */
  get ip(): string {
    if (this.address.startsWith('unix://')) return '127.0.0.1';
    return this.address
      .replace(/^tcp:\/\//, '')
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '');
  }
  /** `host:port` as classic Swarm shows it (`Addr`); the socket path for unix engines. */
  get addr(): string {
    return this.address.replace(/^(tcp|unix):\/\//, '');
  }

  /** 0..100, as classic Swarm computes it: less per recent failure, 0 unless healthy. */
  get healthIndicator(): number {
    if (this.#state !== 'healthy' || this.#failures >= this.#config.failureRetry) return 0;
    return Math.floor(100 - (this.#failures * 100) / this.#config.failureRetry);
  }

  /** Daemon labels plus the built-ins classic Swarm adds; constraints match against these. */
  get labels(): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const entry of (this.#info?.Labels as string[] | undefined) ?? []) {
      const eq = entry.indexOf('=');
      if (eq > 0) labels[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    delete labels.node; // a label named `node` would shadow the node constraint; classic Swarm drops it too
    if (this.#info) {
      labels.storagedriver = String(this.#info.Driver ?? '');
      labels.kernelversion = String(this.#info.KernelVersion ?? '');
      labels.operatingsystem = String(this.#info.OperatingSystem ?? '');
      labels.ostype = String(this.#info.OSType ?? '');
    }
    return labels;
  }

  get containers(): ReadonlyMap<string, ContainerDetails> {
    return this.#cache.containers;
  }
  get images(): readonly ImageSummary[] {
    return this.#images;
  }

  get duplicateOf(): string | undefined {
    return this.#duplicateOf;
  }

  /** Connects: reads identity, fills the caches, starts the event stream and the refresh loop. Never throws. */
  connect(): Promise<void> {
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    try {
      const [info, version] = await Promise.all([this.docker.info(), this.docker.version()]);
      this.#info = info as Record<string, unknown>;
      this.#version = version as unknown as Record<string, unknown>;
      await Promise.all([this.#watching ? this.refreshContainers() : undefined, this.refreshImages()]);
      if (this.#closed) return;
      this.#pendingRetryMs = 1000;
      if (this.#watching) this.#events.start();
      this.#setHealthy();
      this.#scheduleRefresh();
      this.#log.info({ id: this.id, name: this.name }, 'engine connected');
    } catch (err) {
      this.noteFailure(err);
      if (this.#state === 'pending' || this.#state === 'unhealthy') this.#scheduleReconnect();
    }
  }

  /** Marks the engine as a second address of a daemon already known at `other`; it stays Pending. */
  markDuplicate(other: string): void {
    this.#duplicateOf = other;
    this.#lastError = `ID duplicated. ${this.id} shared by this node ${this.addr} and another node ${other}`;
    this.#stopLoops();
    this.#setState('pending');
  }

  /** Stops everything; the engine reports Disconnected from now on. */
  close(): void {
    this.#closed = true;
    this.#stopLoops();
    this.#events.close();
    this.transport.close();
    this.#setState('disconnected');
  }

  /**
   * Records a failed call made for a client: counted only when it says something about the engine (./faults.ts),
   * so a request's own error never marks the node Unhealthy.
   */
  noteCallFailure(err: unknown): void {
    if (engineFault(err)) this.noteFailure(err);
    else this.#log.debug({ err: errorText(err) }, 'engine call failed for a reason of its own; not counted');
  }

  /** Records a failed call of the manager's own (refresh, events); enough of them in a row make it Unhealthy. */
  noteFailure(err: unknown): void {
    this.#failures++;
    this.#lastError = errorText(err);
    this.#updatedAt = new Date();
    this.#log.warn({ err: this.#lastError, failures: this.#failures }, 'engine call failed');
    if (this.#state === 'healthy' && this.#failures >= this.#config.failureRetry) this.#setState('unhealthy');
    else this.emit('state', this);
  }

  noteSuccess(): void {
    if (this.#failures === 0 && this.#state === 'healthy') return;
    this.#failures = 0;
    if (this.#state === 'unhealthy') this.#setHealthy();
  }

  /** Re-reads one container; drops it from the cache when the daemon no longer has it. */
  async refreshContainer(id: string): Promise<ContainerDetails | undefined> {
    const ticket = this.#cache.issue();
    try {
      const details = await this.docker.getContainer(id).inspect();
      if (this.#cache.record(details.Id, ticket, details)) this.#touch(details.Id);
      return details;
    } catch (err) {
      if (statusOf(err) === 404) {
        if (this.#cache.record(id, ticket, undefined)) this.#touch(id);
        return undefined;
      }
      throw err;
    } finally {
      this.#cache.settle(ticket);
    }
  }

  /** Lists every container and inspects those that are new or whose state changed. */
  async refreshContainers(): Promise<void> {
    const cache = this.#cache;
    const listedAt = cache.issue();
    try {
      const listed = await this.docker.listContainers({ all: true });
      const seen = new Set<string>();
      await Promise.all(
        listed.map(async (summary) => {
          seen.add(summary.Id);
          const cached = cache.containers.get(summary.Id);
          if (cached && cached.State.Status === summary.State) return;
          const ticket = cache.issue();
          try {
            cache.record(summary.Id, ticket, await this.docker.getContainer(summary.Id).inspect());
          } catch (err) {
            if (statusOf(err) !== 404) throw err;
          } finally {
            cache.settle(ticket);
          }
        }),
      );
      // Not listed: gone, unless a read issued after the listing (the create's own, say) found it.
      for (const id of [...cache.containers.keys()]) if (!seen.has(id)) cache.record(id, listedAt, undefined);
    } finally {
      cache.settle(listedAt);
    }
    this.#touch(undefined);
  }

  async refreshImages(): Promise<void> {
    this.#images = await this.docker.listImages({ all: false });
    this.#revision++;
  }

  /** Refreshes identity (labels, resources) too; used by the periodic loop. */
  async refreshAll(): Promise<void> {
    const info = await this.docker.info();
    this.#info = info as Record<string, unknown>;
    await Promise.all([this.#watching ? this.refreshContainers() : undefined, this.refreshImages()]);
  }

  get #watching(): boolean {
    return this.#config.watchContainers !== false;
  }

  #touch(id: string | undefined): void {
    this.#revision++;
    this.#updatedAt = new Date();
    this.emit('containers', id, this);
  }

  #setHealthy(): void {
    this.#failures = 0;
    this.#lastError = '';
    this.#setState('healthy');
  }

  #setState(state: EngineState): void {
    const changed = state !== this.#state;
    this.#state = state;
    this.#updatedAt = new Date();
    this.#revision++;
    if (changed) this.#log.info({ state }, 'engine state');
    this.emit('state', this);
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#duplicateOf) return;
    const delay = this.#pendingRetryMs;
    this.#pendingRetryMs = Math.min(this.#pendingRetryMs * 2, PENDING_RETRY_CAP_MS);
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.connect(), delay);
    this.#refreshTimer.unref();
  }

  /** Waits min + jitter up to (max − min), as classic Swarm does, so engines don't refresh in lockstep. */
  #scheduleRefresh(): void {
    if (this.#closed) return;
    const { refreshMinMs, refreshMaxMs } = this.#config;
    const delay = refreshMinMs + Math.random() * (refreshMaxMs - refreshMinMs);
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.#refreshRound(), delay);
    this.#refreshTimer.unref();
  }

  async #refreshRound(): Promise<void> {
    try {
      await this.refreshAll();
      if (this.#state !== 'healthy') {
        this.#setHealthy();
        if (this.#watching) this.#events.start();
      } else this.noteSuccess();
    } catch (err) {
      this.noteFailure(err);
    }
    this.#scheduleRefresh();
  }

  async #handleEvent(event: DockerEvent): Promise<void> {
    const id = event.Actor?.ID ?? event.id;
    try {
      if (event.Type === 'container' && id) {
        const action = event.Action ?? event.status ?? '';
        if (action === 'destroy') {
          const ticket = this.#cache.issue();
          if (this.#cache.record(id, ticket, undefined)) this.#touch(id);
          this.#cache.settle(ticket);
        } else if (!action.startsWith('exec_') || !this.#cache.containers.has(id)) {
          await this.refreshContainer(id);
        }
      } else if (event.Type === 'image') {
        await this.refreshImages();
      }
    } catch (err) {
      this.noteFailure(err);
    }
    this.emit('event', event, this);
  }

  #stopLoops(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#events.stop();
  }
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The daemon's message from a dockerode error, or the error's own text. */
export function errorText(err: unknown): string {
  const json = (err as { json?: { message?: string } })?.json;
  if (json && typeof json.message === 'string') return json.message;
  return err instanceof Error ? err.message : String(err);
}
