// Engine → the scheduler's NodeView: its labels, health, capacity with overcommit, and every container with the
// resources it reserves. Views are rebuilt only when the engine's cache revision moves, so placing a container
// does not re-derive thousands of unchanged nodes.
import type { Engine, ContainerDetails } from '../engine/engine.js';
import type { ContainerOnNode, NodeView, PortMap } from '../scheduler/types.js';
import { engineSharesAsCpus, type CpuSharesMeaning } from './cpu-shares.js';

const cache = new WeakMap<Engine, { revision: number; overcommit: number; view: NodeView }>();

/** `cpuShares` is fixed for a cluster's life (a cluster option), so it is not part of the cache key. */
export function engineNodeView(engine: Engine, overcommit: number, cpuShares: CpuSharesMeaning = 'cpus'): NodeView {
  const hit = cache.get(engine);
  if (hit && hit.revision === engine.revision && hit.overcommit === overcommit) return hit.view;
  const containers: ContainerOnNode[] = [];
  let usedCpus = 0;
  let usedMemory = 0;
  for (const details of engine.containers.values()) {
    const container = containerOnNode(details, engine.cpus, cpuShares);
    containers.push(container);
    usedCpus += container.cpus;
    usedMemory += container.memory;
  }
  const view: NodeView = Object.freeze({
    id: engine.id,
    name: engine.name,
    addr: engine.addr,
    labels: Object.freeze(engine.labels),
    healthIndicator: engine.healthIndicator,
    totalCpus: withOvercommit(engine.cpus, overcommit),
    totalMemory: withOvercommit(engine.memory, overcommit),
    usedCpus,
    usedMemory,
    containers: Object.freeze(containers),
    images: Object.freeze(engine.images.map((image) => ({ id: image.Id, repoTags: image.RepoTags ?? [] }))),
  });
  cache.set(engine, { revision: engine.revision, overcommit, view });
  return view;
}

/** Classic Swarm's integer arithmetic: `x + x*overcommit`, so 2 CPUs with 5 % stay 2. */
function withOvercommit(total: number, overcommit: number): number {
  return total + Math.trunc(total * overcommit);
}

function containerOnNode(
  details: ContainerDetails,
  engineCpus: number,
  cpuShares: CpuSharesMeaning = 'cpus',
): ContainerOnNode {
  const host = details.HostConfig ?? {};
  const nano = Number((host as { NanoCpus?: number }).NanoCpus ?? 0);
  const shares = Number(host.CpuShares ?? 0);
  return {
    id: details.Id,
    names: [details.Name],
    image: details.Config?.Image ?? '',
    labels: details.Config?.Labels ?? {},
    state: details.State?.Status ?? 'created',
    cpus: nano > 0 ? nano / 1e9 : engineSharesAsCpus(shares, engineCpus, cpuShares),
    memory: Number(host.Memory ?? 0),
    networkMode: host.NetworkMode ?? '',
    portBindings: (host.PortBindings ?? {}) as PortMap,
    publishedPorts: (details.NetworkSettings?.Ports ?? {}) as PortMap,
    exposedPorts: Object.keys(details.Config?.ExposedPorts ?? {}),
  };
}

/** Classic Swarm stores CPUs as real shares on the engine: ceil(cpus × 1024 / engine CPUs). */
export function cpusToShares(cpus: number, engineCpus: number): number {
  return Math.ceil((cpus * 1024) / Math.max(engineCpus, 1));
}
