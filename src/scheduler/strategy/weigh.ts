// Owns the resource check and weight that spread and binpack share (classic Swarm's weighted_node.go): CPU and
// memory as integer percentages of the node's total after placing the container, plus a health term.

import type { Rejection } from '../explanation.js';
import type { NodeView, PlacementRequest } from '../types.js';

export const NO_RESOURCES = 'no resources available to schedule container';

export interface WeighedNodes {
  /** The nodes with room, in input order. */
  readonly nodes: readonly NodeView[];
  /** weights[i] belongs to nodes[i]. */
  readonly weights: readonly number[];
}

/**
 * Keeps the nodes with room for the request and weighs them: cpuScore + memoryScore + healthFactor × health.
 * A score is 100 when nothing of that resource is requested. A node is skipped when its total is below the
 * request, and dropped when either score exceeds 100.
 */
export function weighNodes(
  request: PlacementRequest,
  nodes: readonly NodeView[],
  healthFactor: number,
  rejections: Rejection[] | undefined,
): WeighedNodes {
  // Preallocated plain arrays, trimmed at the end: growing by push copies them several times over, and a
  // Float64Array this size would live outside the JS heap, where allocating one per decision drives full garbage
  // collections of the (large) heap that holds the node views.
  const kept = new Array<NodeView>(nodes.length);
  const weights = new Array<number>(nodes.length);
  let count = 0;
  for (const node of nodes) {
    if (node.totalMemory < request.memory || node.totalCpus < request.cpus) {
      rejections?.push(reject(node, tooSmall(node, request)));
      continue;
    }
    const cpuScore = request.cpus > 0 ? percentUsed(node.usedCpus, request.cpus, node.totalCpus) : 100;
    const memoryScore = request.memory > 0 ? percentUsed(node.usedMemory, request.memory, node.totalMemory) : 100;
    if (cpuScore > 100 || memoryScore > 100) {
      rejections?.push(reject(node, overcommitted(node, request, cpuScore, memoryScore)));
      continue;
    }
    weights[count] = cpuScore + memoryScore + healthFactor * node.healthIndicator;
    kept[count] = node;
    count++;
  }
  kept.length = count;
  weights.length = count;
  return { nodes: kept, weights };
}

/**
 * ⌊(used + requested) × 100 / total⌋, Go's int64 arithmetic. With integer inputs the float quotient is corrected
 * to the exact integer one; fractional CPUs (pending reservations of 0.5 CPU) are first rounded to a millionth so
 * that 0.29 × 100 counts as 29, not 28.999….
 */
export function percentUsed(used: number, requested: number, total: number): number {
  let numerator = (used + requested) * 100;
  if (!Number.isInteger(numerator)) numerator = Math.round(numerator * 1e6) / 1e6;
  let quotient = Math.floor(numerator / total);
  if (Number.isInteger(numerator) && Number.isInteger(total)) {
    if (quotient * total > numerator) quotient -= 1;
    else if ((quotient + 1) * total <= numerator) quotient += 1;
  }
  return quotient;
}

function reject(node: NodeView, reason: string): Rejection {
  return { nodeId: node.id, nodeName: node.name, stage: 'resources', reason };
}

function tooSmall(node: NodeView, request: PlacementRequest): string {
  return node.totalMemory < request.memory
    ? `requests ${request.memory} bytes of memory, the node has ${node.totalMemory} in total`
    : `requests ${request.cpus} CPUs, the node has ${node.totalCpus} in total`;
}

function overcommitted(node: NodeView, request: PlacementRequest, cpuScore: number, memoryScore: number): string {
  return cpuScore > 100
    ? `requests ${request.cpus} CPUs, ${node.usedCpus} of ${node.totalCpus} are reserved (would be ${cpuScore}%)`
    : `requests ${request.memory} bytes of memory, ${node.usedMemory} of ${node.totalMemory} are reserved (would be ${memoryScore}%)`;
}
