// Owns the containerslots filter: an engine labelled `containerslots=N` takes at most N containers, counting every
// container on it whatever its state, pending reservations included.

import { labelValue } from '../label-value.js';
import type { NodeView } from '../types.js';
import type { FilterFactory, FilterStep } from './filter.js';

export const SLOTS_LABEL = 'containerslots';
export const NO_FREE_SLOTS = 'No node with enough open slots available in the cluster';

/** The node's slot limit, or undefined when it has none (no label, or a value Go's strconv.Atoi refuses). */
export function slotLimit(node: NodeView): number | undefined {
  const text = labelValue(node.labels, SLOTS_LABEL);
  return text === undefined ? undefined : parseGoInt(text);
}

class ContainerSlotsStep implements FilterStep {
  readonly name = 'containerslots';
  readonly noop = false;
  readonly failsOnNoNodes = true;

  accepts(node: NodeView): boolean {
    const limit = slotLimit(node);
    return limit === undefined || node.containers.length < limit;
  }

  reason(node: NodeView): string {
    return `all ${slotLimit(node) ?? 0} container slots are taken (${node.containers.length} containers)`;
  }

  conditions(): readonly string[] {
    return ['available container slots'];
  }

  failure(): string {
    return NO_FREE_SLOTS;
  }
}

// The step does not depend on the request: one instance serves every decision.
const CONTAINER_SLOTS_STEP = new ContainerSlotsStep();
export const containerSlotsFilter: FilterFactory = () => CONTAINER_SLOTS_STEP;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// strconv.Atoi: optional sign, decimal digits only, within int64; anything else is an error (meaning "no limit").
function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  if (text.length <= 15) return Number(text);
  const big = BigInt(text);
  return big < INT64_MIN || big > INT64_MAX ? undefined : Number(big);
}
