// The native driver's overview for the dashboard: every engine as a node (capacity from its /info with
// overcommit, reservations from its containers' resource settings) and every container in the index. Nothing
// queues in this driver: placement happens inside the create call.
import type { Engine } from '../../engine/engine.js';
import type { NodeView } from '../../scheduler/index.js';
import type { Scheduler } from '../../scheduler/index.js';
import { statusText } from '../container-format.js';
import type { ClusterOverview, ContainerOverview, NodeOverview, OverviewOptions } from '../overview.js';
import { newest } from '../overview.js';
import type { Filterable } from '../container-filters.js';

export interface SwarmOverviewSource {
  readonly engines: readonly Engine[];
  readonly containers: Iterable<Filterable & { readonly name: string }>;
  readonly containerCount: number;
  readonly view: (engine: Engine) => NodeView;
  readonly scheduler: Scheduler;
}

export function swarmOverview(source: SwarmOverviewSource, options: OverviewOptions): ClusterOverview {
  const perNode = new Map<string, number>();
  for (const c of source.containers) perNode.set(c.nodeId, (perNode.get(c.nodeId) ?? 0) + 1);
  const nodes = source.engines.map((engine): NodeOverview => {
    const view = source.view(engine);
    const total = { cpus: view.totalCpus, memory: view.totalMemory };
    const reserved = { cpus: view.usedCpus, memory: view.usedMemory };
    return {
      id: engine.id || engine.address,
      name: engine.name || engine.addr,
      addr: engine.addr,
      host: engine.ip,
      status: engine.state,
      engine: { state: engine.state, error: engine.lastError, version: engine.serverVersion },
      labels: engine.isHealthy ? engine.labels : {},
      attributes: {},
      containers: perNode.get(engine.id) ?? 0,
      resources: {
        total,
        reserved,
        free: {
          cpus: Math.max(0, total.cpus - reserved.cpus),
          memory: Math.max(0, total.memory - reserved.memory),
        },
      },
    };
  });
  const now = Date.now();
  const containers = newest(source.containers, (c) => c.details.Created ?? '', options.containerLimit).map(
    (c): ContainerOverview => ({
      id: c.id,
      name: c.name,
      image: c.details.Config?.Image ?? '',
      state: c.details.State?.Status ?? 'created',
      status: statusText(c.details.State, now),
      node: c.nodeName,
      created: c.details.Created ?? '',
      labels: c.labels,
    }),
  );
  return {
    driver: 'swarm',
    scheduler: { strategy: source.scheduler.strategy, filters: source.scheduler.filters },
    nodes,
    queue: [],
    containers,
    containersTotal: source.containerCount,
  };
}
