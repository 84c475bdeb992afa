// The agents as placement sees them: each agent's list of our live containers (for the port, affinity,
// dependency and slots filters), kept up to date from the store's changes, and each agent's snapshot (name,
// labels, images, containers), rebuilt only when its engine, attributes or containers changed. Rebuilding 5,000
// snapshots per pass, or scanning every container per agent, was the cost of placement at scale.
import type { ContainerOnNode } from '../../scheduler/index.js';
import type { AgentRegistry } from './agents.js';
import type { AgentSnapshot } from './board.js';
import type { MesosContainer } from './container.js';
import type { ContainerStore } from './store.js';

interface CachedSnapshot {
  readonly engineRevision: number;
  readonly engineState: string;
  readonly version: number;
  readonly active: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly snapshot: AgentSnapshot;
}

export class AgentViews {
  readonly #agents: AgentRegistry;
  readonly #onAgent = new Map<string, Map<string, ContainerOnNode>>();
  /** Which agent each tracked container is listed under, so a change touches one list, not every agent's. */
  readonly #placedOn = new Map<string, string>();
  readonly #version = new Map<string, number>();
  readonly #snapshots = new Map<string, CachedSnapshot>();
  readonly #containers: (id: string) => MesosContainer | undefined;

  constructor(agents: AgentRegistry, store: ContainerStore) {
    this.#agents = agents;
    this.#containers = (id) => store.index.get(id);
    store.on('changed', (c) => this.#track(c, true));
    store.on('removed', (c) => this.#track(c, false));
  }

  /** Lists containers the store holds without having announced them (rebuilt from its journal on open). */
  track(containers: Iterable<MesosContainer>): void {
    for (const c of containers) this.#track(c, true);
  }

  /** Whether any of our containers that has not ended is on the agent. */
  carriesOurs(agentId: string): boolean {
    return this.#onAgent.has(agentId);
  }

  /** Our containers on one agent (or every agent) whose task is believed unreachable. */
  unreachableOn(agentId?: string): MesosContainer[] {
    const out: MesosContainer[] = [];
    for (const map of agentId === undefined ? this.#onAgent.values() : [this.#onAgent.get(agentId)]) {
      for (const id of map?.keys() ?? []) {
        const c = this.#containers(id);
        if (c?.task?.phase === 'unreachable') out.push(c);
      }
    }
    return out;
  }

  /** An agent as placement sees it; undefined for an agent the registry does not know. */
  snapshot(agentId: string): AgentSnapshot | undefined {
    const agent = this.#agents.get(agentId);
    if (!agent) return undefined;
    const engine = agent.engine;
    const version = this.#version.get(agentId) ?? 0;
    const cached = this.#snapshots.get(agentId);
    if (
      cached &&
      cached.engineRevision === engine.revision &&
      cached.engineState === engine.state &&
      cached.version === version &&
      cached.active === agent.active &&
      cached.attributes === agent.attributeLabels
    ) {
      return cached.snapshot;
    }
    const snapshot: AgentSnapshot = {
      id: agent.id,
      name: engine.name || agent.hostname,
      addr: engine.addr,
      labels: engine.isHealthy ? { ...engine.labels, ...agent.attributeLabels } : agent.attributeLabels,
      active: agent.active,
      containers: [...(this.#onAgent.get(agentId)?.values() ?? [])],
      images: engine.images.map((i) => ({ id: i.Id, repoTags: i.RepoTags ?? [] })),
    };
    this.#snapshots.set(agentId, {
      engineRevision: engine.revision,
      engineState: engine.state,
      version,
      active: agent.active,
      attributes: agent.attributeLabels,
      snapshot,
    });
    return snapshot;
  }

  #track(c: MesosContainer, present: boolean): void {
    const placedOn = this.#placedOn.get(c.id);
    const agentId = c.agentId;
    const here = present && agentId !== undefined && !c.hasExited && this.#containers(c.id) !== undefined;
    if (placedOn !== undefined && (!here || placedOn !== agentId)) {
      const map = this.#onAgent.get(placedOn);
      map?.delete(c.id);
      if (map && !map.size) this.#onAgent.delete(placedOn);
      this.#placedOn.delete(c.id);
      this.#bump(placedOn);
    }
    if (!here) return;
    this.#bump(agentId);
    const map = this.#onAgent.get(agentId) ?? new Map<string, ContainerOnNode>();
    const request = c.request;
    const ports = c.task?.ports ?? {};
    map.set(c.id, {
      id: c.id,
      names: [`/${c.name}`],
      image: request.image,
      labels: c.labels,
      state: c.dockerStatus,
      cpus: 0,
      memory: 0,
      networkMode: request.networkMode,
      portBindings: request.portBindings,
      publishedPorts: Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, [{ HostPort: String(p) }]])),
      exposedPorts: request.exposedPorts,
    });
    this.#onAgent.set(agentId, map);
    this.#placedOn.set(c.id, agentId);
  }

  #bump(agentId: string): void {
    this.#version.set(agentId, (this.#version.get(agentId) ?? 0) + 1);
  }
}
