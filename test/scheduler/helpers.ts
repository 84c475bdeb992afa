// Builders for scheduler tests: node views, containers and placement requests with classic Swarm's test
// defaults, plus a way to run one filter on its own (as classic Swarm's filter tests do).

import { compileRequest } from '../../src/scheduler/compiled-request.js';
import type { FilterName } from '../../src/scheduler/filter/filter.js';
import { runFilters } from '../../src/scheduler/filter/pipeline.js';
import { FILTER_FACTORIES } from '../../src/scheduler/filter/registry.js';
import { pendingContainer, withPending } from '../../src/scheduler/pending.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { extractSchedulingExpressions } from '../../src/scheduler/scheduling-labels.js';
import type { ContainerOnNode, ImageOnNode, NodeView, PlacementRequest, PortMap } from '../../src/scheduler/types.js';

export const GiB = 1024 * 1024 * 1024;

export function makeContainer(fields: Partial<ContainerOnNode> & { id: string }): ContainerOnNode {
  return {
    names: [],
    image: 'busybox',
    labels: {},
    state: 'running',
    cpus: 0,
    memory: 0,
    networkMode: 'bridge',
    portBindings: {},
    publishedPorts: {},
    exposedPorts: [],
    ...fields,
  };
}

export function makeNode(
  fields: Partial<Omit<NodeView, 'containers' | 'images'>> & {
    id: string;
    containers?: readonly ContainerOnNode[];
    images?: readonly ImageOnNode[];
  },
): NodeView {
  return {
    name: `${fields.id}-name`,
    addr: `${fields.id}:2375`,
    labels: {},
    healthIndicator: 100,
    totalCpus: 0,
    totalMemory: 0,
    usedCpus: 0,
    usedMemory: 0,
    containers: [],
    images: [],
    ...fields,
  };
}

export interface RequestFields extends Partial<Omit<PlacementRequest, 'labels'>> {
  /** Env entries, `constraint:…` and friends are moved into the labels as the cluster does. */
  env?: string[];
  labels?: Record<string, string>;
}

export function makeRequest(fields: RequestFields = {}): PlacementRequest {
  const { env, labels, ...rest } = fields;
  const extracted = extractSchedulingExpressions({ Env: env ?? [], Labels: labels ?? {} });
  return {
    image: 'busybox',
    cpus: 0,
    memory: 0,
    networkMode: 'bridge',
    portBindings: {},
    exposedPorts: [],
    links: [],
    volumesFrom: [],
    ...rest,
    labels: extracted.Labels,
  };
}

/** `{ "<port>/tcp": [{HostIp, HostPort}] }`, classic Swarm's makeBinding. */
export function binding(hostIp: string, hostPort: string): PortMap {
  return { [`${hostPort}/tcp`]: [{ HostIp: hostIp, HostPort: hostPort }] };
}

export type FilterResult = { nodes: readonly NodeView[]; error?: undefined } | { nodes?: undefined; error: string };

/** Runs one filter alone, like classic Swarm's `f.Filter(config, nodes, soft)`. */
export function applyFilter(
  name: FilterName,
  nodes: readonly NodeView[],
  request: PlacementRequest,
  enforceSoft = true,
): FilterResult {
  const step = FILTER_FACTORIES[name](compileRequest(request), enforceSoft);
  const outcome = runFilters([step], nodes);
  return outcome.ok ? { nodes: outcome.candidates } : { error: outcome.message };
}

export const ids = (nodes: readonly NodeView[] | undefined) => (nodes ?? []).map((n) => n.id);

/** Classic Swarm's strategy-test node: memory in GiB with the default 5% overcommit (integer GiB), healthy. */
export function strategyNode(id: string, memoryGiB: number, cpus: number): NodeView {
  return makeNode({ id, totalMemory: Math.trunc(memoryGiB + memoryGiB * 0.05) * GiB, totalCpus: cpus });
}

/** Records `container` on the node with `id`, as the cluster does with a reservation. */
export function placeOn(nodes: readonly NodeView[], id: string, container: ContainerOnNode): NodeView[] {
  return nodes.map((node) => (node.id === id ? withPending(node, container) : node));
}

/**
 * A cluster that records each placement as the cluster driver does (a reservation on the chosen node), like
 * classic Swarm's strategy tests calling AddContainer on the selected node.
 */
export class Placements {
  #serial = 0;
  constructor(
    private readonly scheduler: Scheduler,
    public nodes: NodeView[],
  ) {}

  /** Places a container asking for `memoryGiB` and `cpus`; returns the chosen node's ID. */
  place(memoryGiB: number, cpus: number): string {
    const request = makeRequest({ memory: memoryGiB * GiB, cpus });
    const chosen = this.scheduler.select(this.nodes, request).best.id;
    this.nodes = placeOn(this.nodes, chosen, pendingContainer(request, { id: `c${this.#serial++}` }));
    return chosen;
  }

  count(id: string): number | undefined {
    return this.nodes.find((n) => n.id === id)?.containers.length;
  }
}
