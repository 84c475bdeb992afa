// Owns the shape every filter has: a per-request step that accepts or rejects one node at a time, plus the texts
// classic Swarm shows when a filter leaves no node. Filters are pure; a step is built once per pass of a decision.

import type { CompiledRequest } from '../compiled-request.js';
import type { NodeView } from '../types.js';

export const FILTER_NAMES = [
  'health',
  'port',
  'containerslots',
  'dependency',
  'affinity',
  'constraint',
  'whitelist',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export interface FilterStep {
  readonly name: FilterName;
  /**
   * Nothing to check for this request (no ports, no dependencies, no expressions in force): the pipeline skips
   * the step, so it costs nothing per node.
   */
  readonly noop: boolean;
  /** Classic Swarm's filter fails when handed no nodes at all and it has something to check; see pipeline.ts. */
  readonly failsOnNoNodes: boolean;
  accepts(node: NodeView): boolean;
  /** Why `node` was rejected, for explanations. Only called on nodes `accepts` refused. */
  reason(node: NodeView): string;
  /** The conditions this filter imposes, as classic Swarm's GetFilters lists them in placement errors. */
  conditions(): readonly string[];
  /**
   * The filter's own failure message (classic Swarm's inner error, e.g. "unable to find a node that satisfies the
   * constraint region==eu"), shown in explanations. `nodes` is what the filter was given.
   */
  failure(nodes: readonly NodeView[]): string;
}

/**
 * Builds a filter's step for one request. Steps are class instances (or shared constants) rather than object
 * literals of arrow functions: a decision then creates no closures per filter, which is most of its fixed cost. `enforceSoft` is true in the first pass (soft expressions count) and
 * false in the second (they are skipped; hard ones still apply).
 */
export type FilterFactory = (request: CompiledRequest, enforceSoft: boolean) => FilterStep;
