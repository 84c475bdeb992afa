// The Mesos agents the manager knows: hostname and attributes from their offers, and one connection to each agent's
// Docker daemon (at `<hostname>:2375`, 2376 with TLS, or the agent's `docker_port` attribute), made once and kept
// while the agent lives — classic Swarm reconnected on every offer and overloaded the daemons (its issue #1588).
// Placement does not wait for these connections: resources come from offers, and the daemon is needed only to reach
// a running container's logs, exec and files.
import { Engine } from '../../engine/engine.js';
import { attributeLabels, attributeValue, type Attribute, type Offer } from '../../mesos/index.js';
import type { EngineSettings } from '../engine-pool.js';
import type { Logger } from '../../util/logger.js';

export interface Agent {
  readonly id: string;
  hostname: string;
  attributes: Attribute[];
  /** Attributes as label values (`rack=r1`, `zone=2`, ranges and sets in Mesos' text form). */
  attributeLabels: Record<string, string>;
  engine: Engine;
  /** False once Mesos reported the agent lost; it comes back with its next offer. */
  active: boolean;
  /**
   * It offered since this manager started. One only remembered from the journal may belong to another master's
   * cluster (a manager pointed elsewhere with the same state): it is a node only once it offers or carries our tasks.
   */
  offered: boolean;
}

export class AgentRegistry {
  readonly #agents = new Map<string, Agent>();
  readonly #engines = new Map<string, Engine>();
  readonly #settings: EngineSettings;
  readonly #log: Logger;
  #version = 0;

  constructor(settings: EngineSettings, logger: Logger) {
    this.#settings = settings;
    this.#log = logger;
  }

  /** Bumped whenever an agent is added, changes, is lost or comes back. */
  get version(): number {
    return this.#version;
  }

  get(id: string): Agent | undefined {
    return this.#agents.get(id);
  }

  all(): Agent[] {
    return [...this.#agents.values()];
  }

  engines(): Engine[] {
    return [...this.#engines.values()];
  }

  /** The connection to the daemon at `address` (`tcp://host:port`), if an agent uses it. */
  engine(address: string): Engine | undefined {
    return this.#engines.get(address);
  }

  /** Learns (or refreshes) an agent from one of its offers. */
  observe(offer: Offer): Agent {
    const id = offer.agent_id.value;
    const address = this.engineAddress(offer.hostname, offer.attributes ?? []);
    const known = this.#agents.get(id);
    if (known && known.engine.address === address) {
      if (!known.active || !known.offered || known.hostname !== offer.hostname) this.#version++;
      known.active = true;
      known.offered = true;
      known.hostname = offer.hostname;
      if (offer.attributes && JSON.stringify(offer.attributes) !== JSON.stringify(known.attributes)) {
        this.#version++;
        known.attributes = offer.attributes;
        known.attributeLabels = attributeLabels(offer.attributes);
      }
      return known;
    }
    return this.#put(id, offer.hostname, offer.attributes ?? [], address, true);
  }

  /** Re-creates an agent known from the journal (its offers may not come back while our tasks fill it). */
  restore(id: string, hostname: string, address: string): Agent {
    return this.#agents.get(id) ?? this.#put(id, hostname, [], address, false);
  }

  /** Mesos says the agent is gone; it is shown inactive until it offers again. Its engine connection stays, shared
   * with other agents on the same daemon and needed again if the agent returns. */
  lost(id: string): void {
    const agent = this.#agents.get(id);
    if (agent?.active) this.#version++;
    if (agent) agent.active = false;
  }

  close(): void {
    for (const engine of this.#engines.values()) engine.close();
    this.#engines.clear();
    this.#agents.clear();
  }

  engineAddress(hostname: string, attributes: readonly Attribute[]): string {
    const portAttribute = attributes.find((a) => a.name === 'docker_port');
    const port = portAttribute ? attributeValue(portAttribute) : this.#settings.tls ? '2376' : '2375';
    const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
    return `tcp://${host}:${Number.parseInt(port, 10)}`;
  }

  #put(id: string, hostname: string, attributes: Attribute[], address: string, offered: boolean): Agent {
    this.#version++;
    const agent: Agent = {
      id,
      hostname,
      attributes,
      attributeLabels: attributeLabels(attributes),
      engine: this.#engine(address),
      active: true,
      offered,
    };
    this.#agents.set(id, agent);
    return agent;
  }

  /** Agents sharing a daemon (several simulated agents on one host) share its connection. */
  #engine(address: string): Engine {
    let engine = this.#engines.get(address);
    if (!engine) {
      engine = new Engine({ ...this.#settings, address, logger: this.#log, watchContainers: false });
      this.#engines.set(address, engine);
      void engine.connect();
    }
    return engine;
  }
}
