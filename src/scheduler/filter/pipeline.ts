// Owns running the configured filters over the nodes, in order, each one narrowing what the previous one kept,
// and the error classic Swarm reports when a filter leaves nothing.

import type { Rejection } from '../explanation.js';
import type { NodeView } from '../types.js';
import type { FilterName, FilterStep } from './filter.js';

export const NO_NODES = 'No nodes available in the cluster';
const UNSATISFIED = 'Unable to find a node that satisfies the following conditions ';

export type FilterOutcome =
  | { readonly ok: true; readonly candidates: readonly NodeView[] }
  | {
      readonly ok: false;
      readonly message: string;
      readonly failedFilter: FilterName | undefined;
      /** The failing filter's own message (only computed when explaining). */
      readonly filterFailure: string | undefined;
    };

/**
 * Applies `steps` to `nodes`, with classic Swarm's result: each filter narrows what the previous ones kept, and
 * the first filter that leaves nothing fails the placement. With `rejections`, records why each turned-away node
 * was refused, at the first filter that refused it. No-op steps cost nothing.
 */
export function runFilters(
  steps: readonly FilterStep[],
  nodes: readonly NodeView[],
  rejections?: Rejection[],
): FilterOutcome {
  if (nodes.length === 0) {
    // Classic Swarm's filters see the empty list one after the other; the first with something to check fails.
    const failing = steps.find((step) => step.failsOnNoNodes);
    return failing ? failure(steps, failing, nodes, rejections !== undefined) : noNodes();
  }
  const active = steps.filter((step) => !step.noop);
  if (active.length === 0) return { ok: true, candidates: nodes };

  // One pass over the nodes, each tried against the filters in order until one refuses it: every node is read
  // once, and only one array is built. Filter by filter (classic Swarm's way) gives the same survivors, and the
  // filter that left nothing is the first one no node got past.
  const firstRefusal = new Int32Array(active.length + 1);
  // Built only once a node is refused; preallocated and trimmed, since growing by push copies it several times.
  let kept: NodeView[] | undefined;
  let keptCount = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as NodeView;
    let depth = 0;
    while (depth < active.length && (active[depth] as FilterStep).accepts(node)) depth++;
    firstRefusal[depth] = (firstRefusal[depth] as number) + 1;
    if (depth === active.length) {
      if (kept) kept[keptCount++] = node;
      continue;
    }
    if (!kept) {
      kept = new Array<NodeView>(nodes.length);
      for (keptCount = 0; keptCount < i; keptCount++) kept[keptCount] = nodes[keptCount] as NodeView;
    }
    const step = active[depth] as FilterStep;
    rejections?.push({ nodeId: node.id, nodeName: node.name, stage: step.name, reason: step.reason(node) });
  }
  if (kept) kept.length = keptCount;
  let gotPast = nodes.length;
  for (let depth = 0; depth < active.length; depth++) {
    gotPast -= firstRefusal[depth] as number;
    if (gotPast === 0) {
      const step = active[depth] as FilterStep;
      const explain = rejections !== undefined;
      return failure(steps, step, explain ? survivorsBefore(active, depth, nodes) : [], explain);
    }
  }
  return { ok: true, candidates: kept ?? nodes };
}

function noNodes(): FilterOutcome {
  return { ok: false, message: NO_NODES, failedFilter: undefined, filterFailure: undefined };
}

// The nodes the failing filter was handed (for its own failure message, which names what it narrowed on).
function survivorsBefore(active: readonly FilterStep[], depth: number, nodes: readonly NodeView[]): NodeView[] {
  return nodes.filter((node) => active.slice(0, depth).every((step) => step.accepts(node)));
}

function failure(
  steps: readonly FilterStep[],
  failed: FilterStep,
  input: readonly NodeView[],
  explain: boolean,
): FilterOutcome {
  const filterFailure = explain ? failed.failure(input) : undefined;
  // The health filter's message stands alone; any other lists the conditions of every filter up to the failing
  // one, one `[…]` line per filter that has any.
  if (failed.name === 'health') {
    return { ok: false, message: failed.failure(input), failedFilter: failed.name, filterFailure };
  }
  let listing = '';
  for (const step of steps) {
    const conditions = step.conditions();
    if (conditions.length > 0) listing += `\n[${conditions.join(' ')}]`;
    if (step.name === failed.name) break;
  }
  return { ok: false, message: UNSATISFIED + listing, failedFilter: failed.name, filterFailure };
}
