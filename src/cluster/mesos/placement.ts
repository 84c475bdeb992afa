// One placement pass: held offers → node views → the scheduler → resources carved from the chosen agent's offers.
// Many containers are placed per pass, several per agent, each seeing the ones placed before it. Containers that
// ask nothing of placement but resources (no expressions, ports or dependencies) are placed as a group from one
// ranking — the top candidates in order, one container each for spread, filled in turn for binpack — so a queue
// of thousands costs a few scheduler runs, not thousands.
import type { Scheduler, NodeView, PlacementRequest, ContainerOnNode } from '../../scheduler/index.js';
import { withPending, pendingContainer, readSchedulingExpressions } from '../../scheduler/index.js';
import type { Offer } from '../../mesos/index.js';
import { OfferPool, type Allocation, type ResourceNeed } from './allocation.js';
import { isManagerError } from '../../errors.js';

export interface PlacementItem {
  readonly key: string;
  readonly request: PlacementRequest;
  readonly need: ResourceNeed;
  readonly name: string;
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
  /** Items left queued, with the scheduler's reason. */
  readonly unplaced: Map<PlacementItem, string>;
}

export function placementPass(
  scheduler: Scheduler,
  items: readonly PlacementItem[],
  agents: readonly AgentSnapshot[],
  offersOf: (agentId: string) => readonly Offer[],
): PassResult {
  const assignments: Assignment[] = [];
  const unplaced = new Map<PlacementItem, string>();
  const pools = new Map<string, OfferPool>();
  const snapshots = new Map<string, AgentSnapshot>();
  const pending = new Map<string, ContainerOnNode[]>();
  const index = new Map<string, number>();
  const views: NodeView[] = [];
  for (const agent of agents) {
    const offers = offersOf(agent.id);
    if (!offers.length) continue;
    pools.set(agent.id, new OfferPool(agent.id, offers));
    snapshots.set(agent.id, agent);
    index.set(agent.id, views.length);
    views.push(view(agent, pools.get(agent.id)!, []));
  }
  if (!views.length) {
    for (const item of items) unplaced.set(item, 'no offers held: waiting for Mesos to offer resources');
    return { assignments, unplaced };
  }
  const refresh = (agentId: string) => {
    views[index.get(agentId)!] = view(snapshots.get(agentId)!, pools.get(agentId)!, pending.get(agentId) ?? []);
  };
  const place = (item: PlacementItem, agentId: string, allocation: Allocation) => {
    assignments.push({ item, agentId, allocation });
    const list = pending.get(agentId) ?? [];
    list.push(pendingContainer(item.request, { id: item.key, name: item.name }));
    pending.set(agentId, list);
  };

  const slotsLimited = views.some((v) => 'containerslots' in v.labels);
  const groups = new Map<string, PlacementItem[]>();
  const singles: PlacementItem[] = [];
  for (const item of items) {
    const signature = slotsLimited ? undefined : groupSignature(item);
    if (signature === undefined) singles.push(item);
    else groups.set(signature, [...(groups.get(signature) ?? []), item]);
  }

  for (const group of groups.values()) {
    let ranking;
    try {
      ranking = scheduler.select(views, group[0]!.request);
    } catch (err) {
      for (const item of group) unplaced.set(item, reason(err));
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
        const allocation = pools.get(node.id)!.allocate(item.need);
        if (!allocation) continue;
        place(item, node.id, allocation);
        touched.add(node.id);
        placed = true;
        cursor = fill ? (cursor + tried) % candidates.length : (cursor + tried + 1) % candidates.length;
      }
      if (!placed) unplaced.set(item, 'no resources available to schedule container');
    }
    for (const agentId of touched) refresh(agentId);
  }

  for (const item of singles) {
    let ranking;
    try {
      ranking = scheduler.select(views, item.request);
    } catch (err) {
      unplaced.set(item, reason(err));
      continue;
    }
    let placed = false;
    for (const node of ranking.top(8)) {
      const allocation = pools.get(node.id)!.allocate(item.need);
      if (!allocation) continue;
      place(item, node.id, allocation);
      refresh(node.id);
      placed = true;
      break;
    }
    if (!placed) unplaced.set(item, 'no resources available to schedule container');
  }
  return { assignments, unplaced };
}

/** Items that ask nothing but resources can share one ranking. */
function groupSignature(item: PlacementItem): string | undefined {
  const r = item.request;
  const expressions = readSchedulingExpressions(r.labels);
  if (expressions.constraints.length || expressions.affinities.length || expressions.whitelists.length)
    return undefined;
  if (item.need.ports.length || r.links.length || r.volumesFrom.length) return undefined;
  if (r.networkMode.startsWith('container:') || Object.keys(r.portBindings).length) return undefined;
  return `${item.need.cpus}|${item.need.memMb}|${r.networkMode}`;
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

function reason(err: unknown): string {
  return isManagerError(err) || err instanceof Error ? err.message : String(err);
}
