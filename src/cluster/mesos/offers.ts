// Offers held by the manager, per agent. Each is held at most `mesos.offertimeout`, then declined; RESCIND drops
// one; a disconnect voids them all (Mesos takes them back without telling). The book never decides what to use:
// placement does; the book just never lets an offer be forgotten, which is how classic Swarm came to hoard them.
import type { Offer } from '../../mesos/index.js';

interface Held {
  readonly offer: Offer;
  readonly timer: NodeJS.Timeout;
}

export class OfferBook {
  readonly #held = new Map<string, Held>();
  readonly #byAgent = new Map<string, Set<string>>();
  readonly #timeoutMs: number;
  readonly #onExpire: (offer: Offer) => void;
  #version = 0;
  readonly #agentVersions = new Map<string, number>();

  constructor(timeoutMs: number, onExpire: (offer: Offer) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
  }

  get size(): number {
    return this.#held.size;
  }

  /** Bumped whenever an offer comes or goes. */
  get version(): number {
    return this.#version;
  }

  /** Bumped whenever one of this agent's offers comes or goes. */
  agentVersion(agentId: string): number {
    return this.#agentVersions.get(agentId) ?? 0;
  }

  add(offer: Offer): void {
    const id = offer.id.value;
    if (this.#held.has(id)) return;
    const timer = setTimeout(() => {
      if (this.remove(id)) this.#onExpire(offer);
    }, this.#timeoutMs);
    timer.unref();
    this.#held.set(id, { offer, timer });
    this.#version++;
    this.#agentVersions.set(offer.agent_id.value, this.#version);
    const agent = offer.agent_id.value;
    const set = this.#byAgent.get(agent) ?? new Set();
    set.add(id);
    this.#byAgent.set(agent, set);
  }

  /** Removes an offer (used, declined, rescinded); returns it if it was held. */
  remove(id: string): Offer | undefined {
    const held = this.#held.get(id);
    if (!held) return undefined;
    clearTimeout(held.timer);
    this.#held.delete(id);
    this.#version++;
    this.#agentVersions.set(held.offer.agent_id.value, this.#version);
    const agent = held.offer.agent_id.value;
    const set = this.#byAgent.get(agent);
    set?.delete(id);
    if (set && !set.size) this.#byAgent.delete(agent);
    return held.offer;
  }

  /** Removes and returns every offer (to decline them all, or because they are void). */
  clear(): Offer[] {
    const offers = [...this.#held.values()].map((h) => h.offer);
    for (const offer of offers) this.remove(offer.id.value);
    return offers;
  }

  forAgent(agentId: string): Offer[] {
    return [...(this.#byAgent.get(agentId) ?? [])].map((id) => this.#held.get(id)!.offer);
  }

  agents(): string[] {
    return [...this.#byAgent.keys()];
  }

  all(): Offer[] {
    return [...this.#held.values()].map((h) => h.offer);
  }
}
