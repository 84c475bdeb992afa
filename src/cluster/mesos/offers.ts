// Offers (the seed's step 2): the book of offers held, per agent, and the whole policy of what the framework tells
// Mesos about them. An offer is held at most mesos.offertimeout, then declined; RESCIND drops one; a disconnect
// voids them all (Mesos takes them back without telling). The policy: hold offers while a start waits; once none
// waits, keep them a moment (the next start is usually milliseconds away, and a REVIVE costs it an allocation
// cycle), then decline them with a refuse filter and SUPPRESS; REVIVE when a start waits again while suppressed, or
// when what is held does not fit and our own refuse filters hold resources back. Classic Swarm did none of this
// and hoarded every offer (its issues #1401 and #1888). Placement decides what to use; the book never forgets one.
import { scalarTotals, type Offer } from '../../mesos/index.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { MesosCalls } from './calls.js';

/** How long held offers wait for new work once no start waits, before they go back to Mesos. */
export const IDLE_HOLD_MS = 1000;

interface Held {
  readonly offer: Offer;
  readonly timer: TimerHandle;
}

export class OfferBook {
  readonly #held = new Map<string, Held>();
  readonly #byAgent = new Map<string, Set<string>>();
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #onExpire: (offer: Offer) => void;
  #version = 0;
  readonly #agentVersions = new Map<string, number>();

  constructor(timeoutMs: number, clock: Clock, onExpire: (offer: Offer) => void) {
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
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
    const timer = this.#clock.setTimeout(() => {
      if (this.remove(id)) this.#onExpire(offer);
    }, this.#timeoutMs);
    this.#held.set(id, { offer, timer });
    this.#version++;
    const agent = offer.agent_id.value;
    this.#agentVersions.set(agent, this.#version);
    const set = this.#byAgent.get(agent) ?? new Set();
    set.add(id);
    this.#byAgent.set(agent, set);
  }

  /** Removes an offer (used, declined, rescinded); returns it if it was held. */
  remove(id: string): Offer | undefined {
    const held = this.#held.get(id);
    if (!held) return undefined;
    this.#clock.clear(held.timer);
    this.#held.delete(id);
    this.#version++;
    const agent = held.offer.agent_id.value;
    this.#agentVersions.set(agent, this.#version);
    const set = this.#byAgent.get(agent);
    set?.delete(id);
    if (set && !set.size) this.#byAgent.delete(agent);
    return held.offer;
  }

  /** Removes and returns every offer (to decline them all, or because they are void). */
  clear(): Offer[] {
    const offers = this.all();
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

  /** What the held offers (of one agent, or all) add up to: CPUs, and memory in MB. */
  totals(agentId?: string): { cpus: number; memMb: number } {
    let cpus = 0;
    let memMb = 0;
    for (const offer of agentId === undefined ? this.all() : this.forAgent(agentId)) {
      const t = scalarTotals(offer.resources);
      cpus += t.cpus ?? 0;
      memMb += t.mem ?? 0;
    }
    return { cpus, memMb };
  }
}

export interface OfferSettings {
  readonly offerTimeoutMs: number;
  /** mesos.offerrefusetimeout: the refuse filter on launches that leave resources unused, and on declines. */
  readonly refuseMs: number;
}

export class OfferPolicy {
  readonly book: OfferBook;
  readonly #mesos: MesosCalls;
  readonly #clock: Clock;
  readonly #settings: OfferSettings;
  readonly #waiting: () => number;
  readonly #log: Logger;
  #subscribed = false;
  #suppressed = false;
  /** We declined (or left unused) resources with a refuse filter since the last REVIVE: Mesos holds them back. */
  #filtered = false;
  #idleTimer: TimerHandle | undefined;
  /**
   * The first offers of this subscription came. Until they do the framework never suppresses: offers are how it
   * learns the agents of the master it is on, and a loaded master can send them seconds after SUBSCRIBED. No timer
   * ends this wait: a master slower than any timer would be suppressed before it offered, leaving no agents at all,
   * while an unsuppressed framework on a master with nothing to offer costs nothing.
   */
  #offered = false;

  /** `waiting`: how many starts wait for offers now. */
  constructor(mesos: MesosCalls, clock: Clock, settings: OfferSettings, waiting: () => number, logger: Logger) {
    this.#mesos = mesos;
    this.#clock = clock;
    this.#settings = settings;
    this.#waiting = waiting;
    this.#log = logger;
    this.book = new OfferBook(settings.offerTimeoutMs, clock, (offer) => {
      this.#log.debug({ offer: offer.id.value }, 'offer held too long; declining');
      void mesos.decline([offer.id.value]).catch(() => undefined);
    });
  }

  get suppressed(): boolean {
    return this.#suppressed;
  }

  /** A new subscription: nothing is suppressed on it (a new stream's SUBSCRIBE carries what the client keeps). */
  subscribed(): void {
    this.#subscribed = true;
    this.#suppressed = false;
    this.#offered = false;
  }

  disconnected(): void {
    this.#subscribed = false;
    this.book.clear(); // Mesos took them back; declining them now would only be refused
  }

  /** Holds the offers; when nothing waits they go back (at once if we are suppressed: they crossed the SUPPRESS). */
  received(offers: readonly Offer[]): void {
    for (const offer of offers) this.book.add(offer);
    this.#offered = true;
    if (this.#waiting()) return;
    if (this.#suppressed) this.#declineHeld();
    else this.idle();
  }

  rescinded(offerId: string): void {
    this.book.remove(offerId);
  }

  /** A start waits: make sure Mesos offers, un-suppressing and clearing our refuse filters (REVIVE does both). */
  wantOffers(): void {
    this.#clock.clear(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#suppressed || (this.#filtered && this.book.size === 0)) this.#revive();
  }

  /** Nothing waits: after IDLE_HOLD_MS without new work, decline what is held and SUPPRESS. */
  idle(): void {
    if (this.#idleTimer || !this.#offered || !this.#subscribed) return;
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#waiting() || !this.#subscribed) return;
      this.#declineHeld();
      if (this.#suppressed) return;
      this.#suppressed = true;
      void this.#mesos.suppress().catch(() => (this.#suppressed = false));
    }, IDLE_HOLD_MS);
  }

  /**
   * After a pass: what we hold did not fit some starts, and resources we turned down earlier are held back by our
   * own refuse filters: ask for them again (REVIVE clears the filters) rather than wait for the filters to run out.
   */
  unplaced(): void {
    if (this.#filtered) this.#revive();
  }

  /** Takes offers out of the book for an ACCEPT; returns the refuse filter its unused resources get. */
  take(offerIds: readonly string[]): { refuse_seconds: number } {
    for (const id of offerIds) this.book.remove(id);
    // While starts wait, unused resources should come straight back; with none waiting, not for a while.
    const refuseSeconds = this.#waiting() ? 0 : this.#settings.refuseMs / 1000;
    if (refuseSeconds > 0) this.#filtered = true;
    return { refuse_seconds: refuseSeconds };
  }

  stop(): void {
    this.#clock.clear(this.#idleTimer);
    this.#idleTimer = undefined;
    this.book.clear();
  }

  #declineHeld(): void {
    const held = this.book.clear();
    if (!held.length) return;
    this.#filtered = true;
    void this.#mesos
      .decline(
        held.map((o) => o.id.value),
        { refuse_seconds: Math.max(this.#settings.refuseMs / 1000, 5) },
      )
      .catch(() => undefined);
  }

  #revive(): void {
    const wasSuppressed = this.#suppressed;
    this.#suppressed = false;
    this.#filtered = false;
    void this.#mesos.revive().catch(() => {
      this.#suppressed = wasSuppressed;
      this.#filtered = true;
    });
  }
}
