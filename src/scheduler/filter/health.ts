// Owns the health filter: only nodes whose engine is reachable and not failing (health indicator above 0) can take
// a container.

import type { FilterFactory } from './filter.js';

export const NO_HEALTHY_NODE = 'No healthy node available in the cluster';

export const healthFilter: FilterFactory = () => ({
  name: 'health',
  noop: false,
  failsOnNoNodes: true,
  accepts: (node) => node.healthIndicator > 0,
  reason: (node) => `node is unhealthy (health indicator ${node.healthIndicator})`,
  conditions: () => [],
  failure: () => NO_HEALTHY_NODE,
});
