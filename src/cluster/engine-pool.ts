// The set of engines a cluster talks to, keyed by address: added and removed as discovery (or Mesos) says,
// connected in the background, checked for duplicates (two addresses reaching one daemon are reported, not counted
// twice), and merged into one decorated event stream, with classic Swarm's own events for each engine's health:
// engine_connect the first time it is healthy, engine_disconnect when it turns unhealthy or is removed,
// engine_reconnect when it is healthy again. The same transitions, and every daemon event, are also emitted to the
// driver's own components (`up`, `down`, `event`), which act on them.
import { EventEmitter } from 'node:events';
import { Engine, type DockerEvent, type EngineConfig } from '../engine/engine.js';
import { decorate, managerEvent, nodeOf, type EventLog } from './events.js';
import type { Logger } from '../util/logger.js';

export type EngineSettings = Omit<EngineConfig, 'address' | 'logger'>;

interface PoolEvents {
  /** An engine's container cache changed (`id` undefined: many containers). */
  containers: [Engine, string | undefined];
  /** An engine was added, removed, or changed state. */
  engines: [Engine];
  /** The engine turned healthy (engine_connect or engine_reconnect). */
  up: [Engine];
  /** The engine turned unhealthy or was removed (engine_disconnect). */
  down: [Engine];
  /** A daemon event, after the engine's cache reflects it. */
  event: [DockerEvent, Engine];
}

export class EnginePool extends EventEmitter<PoolEvents> {
  readonly #engines = new Map<string, Engine>();
  readonly #settings: EngineSettings;
  readonly #log: Logger;
  readonly #events: EventLog;
  readonly #wasHealthy = new WeakSet<Engine>();
  /** Engines whose last health event said they are up (connect or reconnect, not disconnect since). */
  readonly #up = new WeakSet<Engine>();

  constructor(settings: EngineSettings, events: EventLog, logger: Logger) {
    super();
    this.setMaxListeners(0);
    this.#settings = settings;
    this.#events = events;
    this.#log = logger;
  }

  all(): Engine[] {
    return [...this.#engines.values()];
  }

  healthy(): Engine[] {
    return this.all().filter((e) => e.isHealthy);
  }

  get(address: string): Engine | undefined {
    return this.#engines.get(address);
  }

  /** A healthy (else any) engine by name or daemon ID. */
  byNode(node: string): Engine | undefined {
    const matches = this.all().filter((e) => e.name === node || e.id === node);
    return matches.find((e) => e.isHealthy) ?? matches[0];
  }

  /** Makes the pool hold exactly these addresses. */
  sync(addresses: readonly string[]): void {
    const wanted = new Set(addresses);
    for (const [address, engine] of this.#engines) if (!wanted.has(address)) this.remove(engine);
    for (const address of wanted) if (!this.#engines.has(address)) this.add(address);
  }

  add(address: string): Engine {
    const existing = this.#engines.get(address);
    if (existing) return existing;
    const engine = new Engine({ ...this.#settings, address, logger: this.#log });
    this.#engines.set(address, engine);
    engine.on('state', () => this.#onState(engine));
    engine.on('containers', (id) => this.emit('containers', engine, id));
    engine.on('event', (event) => {
      this.#events.publish(decorate(event, nodeOf(engine)));
      this.emit('event', event, engine);
    });
    void engine.connect();
    this.emit('engines', engine);
    return engine;
  }

  remove(engine: Engine): void {
    if (this.#engines.get(engine.address) !== engine) return;
    this.#engines.delete(engine.address);
    engine.removeAllListeners();
    engine.close();
    const wasUp = this.#up.delete(engine);
    if (wasUp) this.#events.publish(managerEvent('engine_disconnect', nodeOf(engine)));
    this.emit('containers', engine, undefined);
    if (wasUp) this.emit('down', engine);
    this.emit('engines', engine);
  }

  close(): void {
    for (const engine of this.all()) {
      engine.removeAllListeners();
      engine.close();
    }
    this.#engines.clear();
  }

  #onState(engine: Engine): void {
    if (engine.state === 'healthy' && !engine.duplicateOf) {
      const twin = this.all().find((other) => other !== engine && other.id === engine.id && !other.duplicateOf);
      if (twin && twin.state !== 'pending') {
        this.#log.warn({ engine: engine.address, twin: twin.address, id: engine.id }, 'duplicate engine ID');
        engine.markDuplicate(twin.addr);
        this.emit('containers', engine, undefined);
        return;
      }
      if (!this.#up.has(engine)) {
        this.#up.add(engine);
        const action = this.#wasHealthy.has(engine) ? 'engine_reconnect' : 'engine_connect';
        this.#wasHealthy.add(engine);
        this.#events.publish(managerEvent(action, nodeOf(engine)));
        this.emit('engines', engine);
        this.emit('up', engine);
        return;
      }
    } else if (engine.state === 'unhealthy' && this.#up.delete(engine)) {
      this.#events.publish(managerEvent('engine_disconnect', nodeOf(engine)));
      this.emit('engines', engine);
      this.emit('down', engine);
      return;
    }
    this.emit('engines', engine);
  }
}
