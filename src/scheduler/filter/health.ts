// Owns the health filter: only nodes whose engine is reachable and not failing (health indicator above 0) can take
// a container.

import type { NodeView } from '../types.js';
import type { FilterFactory, FilterStep } from './filter.js';

export const NO_HEALTHY_NODE = 'No healthy node available in the cluster';

class HealthStep implements FilterStep {
  readonly name = 'health';
  readonly noop = false;
  readonly failsOnNoNodes = true;

  accepts(node: NodeView): boolean {
    return node.healthIndicator > 0;
  }

  reason(node: NodeView): string {
    return `node is unhealthy (health indicator ${node.healthIndicator})`;
  }

  conditions(): readonly string[] {
    return [];
  }

  failure(): string {
    return NO_HEALTHY_NODE;
  }
}

// The step does not depend on the request: one instance serves every decision.
const HEALTH_STEP = new HealthStep();
export const healthFilter: FilterFactory = () => HEALTH_STEP;
