// One placement pass, pure: held offers → node views → the scheduler → resources carved from the chosen agent's
// offers. Many containers are placed per pass, several per agent, each seeing the ones placed before it. Containers
// that ask nothing of placement but resources (no expressions, ports or dependencies) are placed as a group from one
// ranking — the top candidates in order, one container each for spread, filled in turn for binpack — so a queue of
// thousands costs a few scheduler runs, not thousands.
import type { Scheduler, NodeView, ContainerOnNode } from '../../scheduler/index.js';
import { withPending, pendingContainer } from '../../scheduler/index.js';
import type { Offer } from '../../mesos/index.js';
import { OfferPool, type Allocation } from './allocation.js';
import { PlacementError, placementFailed } from '../../errors.js';
import type { ContainerSpec } from './spec.js';

export interface PlacementItem {
  readonly key: string;
  readonly spec: ContainerSpec;
  readonly name: string;
  /** An agent tried first when the scheduler allows it (a restart's last agent). */
  readonly prefer?: string;
}

export interface AgentSnapshot {
  readonly id: string;
  readonly name: string;
  readonly addr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly active: boolean;
  readonly containers: readonly ContainerOnNode[];
  readonly images: NodeView['images'];
}

export interface Assignment {
  readonly item: PlacementItem;
  readonly agentId: string;
  readonly allocation: Allocation;
}

export interface PassResult {
  readonly assignments: Assignment[];
  /** Items left queued, with why (the scheduler's error, or why no offer held fits). */
  readonly unplaced: Map<PlacementItem, PlacementError>;
}

interface BoardEntry {
  offersVersion: number;
  snapshot: AgentSnapshot;
  pool: OfferPool;
  view: NodeView;
}

/**
 * The agents holding offers, as placement sees them, kept from pass to pass: an agent's resource pool and node view
 * are rebuilt only when its offers or its snapshot changed, so a pass over 5,000 agents costs a look-up per agent,
 * not a rebuild (and the scheduler's per-view caches survive between passes).
 */
export class PlacementBoard {
  readonly #entries = new Map<string, BoardEntry>();
  #views: NodeView[] = [];
  #index = new Map<string, number>();

  /** The node views of the last sync (with the pass's reservations once a pass drew on them). */
  get views(): readonly NodeView[] {
    return this.#views;
  }

  /** Brings the board in line with the agents that hold offers now. */
  sync(
    agentIds: Iterable<string>,
    offersVersion: (agentId: string) => number,
    offersOf: (agentId: string) => readonly Offer[],
    snapshotOf: (agentId: string) => AgentSnapshot | undefined,
  ): void {
    const seen = new Set<string>();
    const views: NodeView[] = [];
    const index = new Map<string, number>();
    for (const id of agentIds) {
      const snapshot = snapshotOf(id);
      if (!snapshot) continue;
      seen.add(id);
      const version = offersVersion(id);
      let entry = this.#entries.get(id);
      if (!entry || entry.offersVersion !== version) {
        const pool = new OfferPool(id, offersOf(id));
        entry = { offersVersion: version, snapshot, pool, view: view(snapshot, pool, []) };
        this.#entries.set(id, entry);
      } else if (entry.snapshot !== snapshot) {
        entry.snapshot = snapshot;
        entry.view = view(snapshot, entry.pool, []);
      }
      index.set(id, views.length);
      views.push(entry.view);
    }
    for (const id of this.#entries.keys()) if (!seen.has(id)) this.#entries.delete(id);
    this.#views = views;
    this.#index = index;
  }

  /**
   * Places what it can of `items` on the synced agents. Entries it draws on are left stale: their offers are
   * about to be accepted, and the next sync rebuilds them from what the offer book holds then.
   */
  pass(scheduler: Scheduler, items: readonly PlacementItem[]): PassResult {
    const assignments: Assignment[] = [];
    const unplaced = new Map<PlacementItem, PlacementError>();
    const views = this.#views;
    if (!views.length) {
      for (const item of items) unplaced.set(item, NO_OFFERS);
      return { assignments, unplaced };
    }
    const pending = new Map<string, ContainerOnNode[]>();
    const entry = (agentId: string) => this.#entries.get(agentId)!;
    const refresh = (agentId: string) => {
      const e = entry(agentId);
      e.view = view(e.snapshot, e.pool, pending.get(agentId) ?? []);
      e.offersVersion = -1;
      views[this.#index.get(agentId)!] = e.view;
    };
    const place = (item: PlacementItem, agentId: string, allocation: Allocation) => {
      assignments.push({ item, agentId, allocation });
      const list = pending.get(agentId) ?? [];
      list.push(pendingContainer(item.spec.request, { id: item.key, name: item.name }));
      pending.set(agentId, list);
    };

    const slotsLimited = views.some((v) => 'containerslots' in v.labels);
    const groups = new Map<string, PlacementItem[]>();
    const singles: PlacementItem[] = [];
    for (const item of items) {
      const signature = slotsLimited || item.prefer ? undefined : item.spec.placementGroup;
      if (signature === undefined) singles.push(item);
      else {
        const group = groups.get(signature);
        if (group) group.push(item);
        else groups.set(signature, [item]);
      }
    }

    for (const group of groups.values()) {
      let ranking;
      try {
        ranking = scheduler.select(views, group[0]!.spec.request);
      } catch (err) {
        for (const item of group) unplaced.set(item, rejection(err));
        continue;
      }
      const candidates = ranking.top(Math.max(group.length, 1));
      const fill = scheduler.strategy === 'binpack';
      const touched = new Set<string>();
      let cursor = 0;
      for (const item of group) {
        let placed = false;
        for (let tried = 0; tried < candidates.length && !placed; tried++) {
          const node = candidates[(cursor + tried) % candidates.length]!;
          const allocation = entry(node.id).pool.allocate(item.spec.need);
          if (!allocation) continue;
          place(item, node.id, allocation);
          touched.add(node.id);
          placed = true;
          cursor = fill ? (cursor + tried) % candidates.length : (cursor + tried + 1) % candidates.length;
        }
        if (!placed) unplaced.set(item, NO_ROOM);
      }
      for (const agentId of touched) refresh(agentId);
    }

    for (const item of singles) {
      let ranking;
      try {
        ranking = scheduler.select(views, item.spec.request);
      } catch (err) {
        unplaced.set(item, rejection(err));
        continue;
      }
      let placed = false;
      const top = ranking.top(8);
      const preferred = item.prefer ? ranking.top(views.length).find((n) => n.id === item.prefer) : undefined;
      for (const node of preferred ? [preferred, ...top.filter((n) => n !== preferred)] : top) {
        const allocation = entry(node.id).pool.allocate(item.spec.need);
        if (!allocation) continue;
        place(item, node.id, allocation);
        refresh(node.id);
        placed = true;
        break;
      }
      if (!placed) unplaced.set(item, NO_ROOM);
    }
    return { assignments, unplaced };
  }
}

/** An agent as the scheduler sees it in mesos mode: capacity is what its held offers leave. */
function view(agent: AgentSnapshot, pool: OfferPool, pending: readonly ContainerOnNode[]): NodeView {
  let node: NodeView = {
    id: agent.id,
    name: agent.name,
    addr: agent.addr,
    labels: agent.labels,
    healthIndicator: agent.active ? 100 : 0,
    totalCpus: pool.cpus,
    totalMemory: pool.memoryBytes,
    usedCpus: 0,
    usedMemory: 0,
    containers: agent.containers,
    images: agent.images,
  };
  // Pending containers are already subtracted from the pool; add them for the filters only.
  for (const container of pending) node = withPending(node, { ...container, cpus: 0, memory: 0 });
  return node;
}

const NO_OFFERS = placementFailed('no offers held: waiting for Mesos to offer resources', 'no-offers');
/** The scheduler ranked an agent, but its offers did not have the room (ports, or resources another took). */
const NO_ROOM = placementFailed('no resources available to schedule container', 'resources');

function rejection(err: unknown): PlacementError {
  if (err instanceof PlacementError) return err;
  // A malformed expression of a container created before it was checked: it cannot be placed anywhere.
  return placementFailed(err instanceof Error ? err.message : String(err), 'filter');
}
