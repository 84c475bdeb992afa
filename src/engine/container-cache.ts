// One engine's cache of its daemon's containers, written by reads that may overlap. Reads are numbered as they are
// issued, and an entry remembers the read it came from, so a read that lands late cannot undo a later one: a full
// refresh's listing taken just before a create would otherwise drop the new container when it lands (and an
// inspect issued before a destroy bring the container back), until the next refresh. Meanwhile the scheduler would
// count a slot or a host port as free.
import type { ContainerDetails } from './engine.js';

export class ContainerCache {
  readonly #containers = new Map<string, ContainerDetails>();
  #readTicket = 0;
  /** Per container, the ticket of the read its cache entry reflects; kept while an older read is in flight. */
  readonly #readAt = new Map<string, number>();
  readonly #readsInFlight = new Set<number>();
  #prunedBelow = 0;

  get containers(): ReadonlyMap<string, ContainerDetails> {
    return this.#containers;
  }

  /** Numbers a read about to be sent; settle it with `settle` once it has been recorded (or failed). */
  issue(): number {
    const ticket = ++this.#readTicket;
    this.#readsInFlight.add(ticket);
    return ticket;
  }

  /** Forgets the tickets no read still in flight is older than: nothing can land that they would refuse. */
  settle(ticket: number): void {
    this.#readsInFlight.delete(ticket);
    const oldest = this.#oldest();
    // While one read stays the oldest (a full refresh's listing, all through its inspects), there is nothing new to
    // forget: skipping keeps a refresh of many containers linear.
    if (this.#readAt.size === 0 || oldest === this.#prunedBelow) return;
    this.#prunedBelow = oldest;
    for (const [id, at] of this.#readAt) if (at < oldest) this.#readAt.delete(id);
  }

  /**
   * Puts what read `ticket` found (`undefined`: no such container) in the cache, unless a later read answered.
   * Returns whether the cache changed.
   */
  record(id: string, ticket: number, details: ContainerDetails | undefined): boolean {
    if (ticket < (this.#readAt.get(id) ?? 0)) return false;
    // Only an older read still in flight could land after this one and need refusing.
    if (this.#oldest() < ticket) this.#readAt.set(id, ticket);
    if (details) this.#containers.set(id, details);
    else if (!this.#containers.delete(id)) return false;
    return true;
  }

  #oldest(): number {
    // Tickets go into the set in increasing order, and a Set iterates in insertion order: the first is the oldest.
    return this.#readsInFlight.values().next().value ?? Infinity;
  }
}
