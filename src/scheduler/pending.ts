// Owns reservations: a container being placed but not yet running is added to its node's view, with its CPUs and
// memory counted as used, so the next decision sees the slot, the ports and the resources as taken. The caller
// (the cluster) keeps these views until the container shows up on its engine or its placement is abandoned.

import type { ContainerOnNode, NodeView, PlacementRequest } from './types.js';

/** A new view of `node` with `pending` on it and its resources reserved. `node` itself is left as it was. */
export function withPending(node: NodeView, pending: ContainerOnNode): NodeView {
  return {
    ...node,
    containers: [...node.containers, pending],
    usedCpus: node.usedCpus + pending.cpus,
    usedMemory: node.usedMemory + pending.memory,
  };
}

/**
 * The container a request will become, as a reservation: what the filters need to see (its name for
 * dependencies and affinities, its labels, its host ports, its network mode) and what it reserves.
 */
export function pendingContainer(request: PlacementRequest, identity: { id: string; name?: string }): ContainerOnNode {
  return {
    id: identity.id,
    names: identity.name ? [`/${identity.name}`] : [],
    image: request.image,
    labels: request.labels,
    state: 'pending',
    cpus: request.cpus,
    memory: request.memory,
    networkMode: request.networkMode,
    portBindings: request.portBindings,
    publishedPorts: {},
    exposedPorts: request.exposedPorts,
  };
}
