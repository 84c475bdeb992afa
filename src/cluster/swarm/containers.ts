// The native driver's containers as clients see them, built from the engines' caches: one record per container,
// indexed for lookups. Owns one rule of its own, for the copies of a rescheduleable container: moved off a lost
// engine (rescheduler.ts) it exists twice, the new copy and the stale one on the lost engine, until that engine comes
// back and the stale one is removed. Of the copies sharing a Swarm ID, the newest on a healthy engine is the
// container (else the newest of all); the others are kept aside, out of listings and lookups, so `docker ps -a` shows
// one container and `docker inspect <name>` finds the live copy. The rule is read from the engines alone, so a
// restarted manager draws the same line.
import type { Engine, ContainerDetails } from '../../engine/engine.js';
import { ContainerIndex, type Findable } from '../lookup.js';
import type { Filterable } from '../container-filters.js';
import { SWARM_ID_LABEL, hasReschedulePolicy } from '../../scheduler/index.js';

export interface SwarmContainer extends Findable, Filterable {
  readonly engine: Engine;
}

/** Labels a Mesos framework puts on the containers Mesos runs: Mesos keeps those, this driver leaves them alone. */
const MESOS_LABEL_PREFIX = 'com.docker.swarm.mesos.';

/**
 * Whether this driver keeps the container up itself (reschedules it, restarts it when unhealthy): it was made through
 * a Swarm manager (it carries `com.docker.swarm.id`) and not launched by Mesos, which keeps its own tasks.
 */
export function keptByManager(labels: Readonly<Record<string, string>>): boolean {
  if (!labels[SWARM_ID_LABEL]) return false;
  return !Object.keys(labels).some((key) => key.startsWith(MESOS_LABEL_PREFIX));
}

/** A container asking to be moved off a failed node (`reschedule:on-node-failure`) that this driver may move. */
export function isRescheduleable(labels: Readonly<Record<string, string>>): boolean {
  return keptByManager(labels) && hasReschedulePolicy(labels, 'on-node-failure');
}

export class SwarmContainers {
  readonly index = new ContainerIndex<SwarmContainer>();
  /** Swarm ID → container ID → copy, for rescheduleable containers only (the shown copy is in the index too). */
  readonly #copies = new Map<string, Map<string, SwarmContainer>>();

  /** The copies of one rescheduleable container, shown or not. */
  copiesOf(swarmId: string): SwarmContainer[] {
    return [...(this.#copies.get(swarmId)?.values() ?? [])];
  }

  /** The shown copy of a Swarm ID (the one the index holds), if any. */
  shownCopy(swarmId: string): SwarmContainer | undefined {
    return this.copiesOf(swarmId).find((copy) => this.index.get(copy.id) === copy);
  }

  /** Re-reads one container (`id`) or all of an engine's (`undefined`) from its cache. */
  reindex(engine: Engine, id: string | undefined): void {
    const visible = engine.id !== '' && !engine.duplicateOf && engine.state !== 'disconnected';
    if (id !== undefined) {
      const details = visible ? engine.containers.get(id) : undefined;
      if (details) this.#put(record(engine, details));
      else this.#drop(engine, id);
      return;
    }
    const gone = (c: SwarmContainer) => c.engine === engine && (!visible || !engine.containers.has(c.id));
    for (const c of [...this.index.values()]) if (gone(c)) this.#drop(engine, c.id);
    for (const copies of [...this.#copies.values()]) {
      for (const c of [...copies.values()]) if (gone(c)) this.#drop(engine, c.id);
    }
    if (visible) for (const details of engine.containers.values()) this.#put(record(engine, details));
  }

  #put(c: SwarmContainer): void {
    if (!c.swarmId || !isRescheduleable(c.labels)) {
      this.index.set(c);
      return;
    }
    let copies = this.#copies.get(c.swarmId);
    if (!copies) this.#copies.set(c.swarmId, (copies = new Map()));
    copies.set(c.id, c);
    this.#elect(c.swarmId);
  }

  #drop(engine: Engine, id: string): void {
    const shown = this.index.get(id);
    if (shown?.engine === engine) this.index.delete(id);
    const swarmId = shown?.swarmId ?? this.#hiddenSwarmId(engine, id);
    const copies = swarmId ? this.#copies.get(swarmId) : undefined;
    if (!swarmId || !copies || copies.get(id)?.engine !== engine) return;
    copies.delete(id);
    if (copies.size === 0) this.#copies.delete(swarmId);
    else this.#elect(swarmId);
  }

  #hiddenSwarmId(engine: Engine, id: string): string | undefined {
    const label = engine.containers.get(id)?.Config?.Labels?.[SWARM_ID_LABEL];
    if (label) return label;
    for (const [swarmId, copies] of this.#copies) if (copies.get(id)?.engine === engine) return swarmId;
    return undefined;
  }

  /** Shows the copy that is the container, and only it. */
  #elect(swarmId: string): void {
    const copies = [...(this.#copies.get(swarmId)?.values() ?? [])];
    let best: SwarmContainer | undefined;
    for (const copy of copies) if (!best || preferred(copy, best)) best = copy;
    for (const copy of copies) if (copy !== best && this.index.get(copy.id) === copy) this.index.delete(copy.id);
    if (best) this.index.set(best);
  }
}

/** The newest copy on a healthy engine; among copies on unhealthy engines only, the newest. */
export function preferred(a: SwarmContainer, b: SwarmContainer): boolean {
  if (a.engine.isHealthy !== b.engine.isHealthy) return a.engine.isHealthy;
  return Date.parse(a.details.Created) > Date.parse(b.details.Created);
}

function record(engine: Engine, details: ContainerDetails): SwarmContainer {
  const labels = details.Config?.Labels ?? {};
  const name = details.Name.replace(/^\//, '');
  return {
    id: details.Id,
    swarmId: labels[SWARM_ID_LABEL],
    name,
    nodeName: engine.name,
    nodeId: engine.id,
    names: [`/${engine.name}/${name}`],
    labels,
    details,
    engine,
  };
}
