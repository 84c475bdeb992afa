// The scheduler's public surface: what the cluster drivers and the CLI import. See README.md for the pipeline.

export type { ContainerOnNode, ImageOnNode, NodeView, PlacementRequest, PortBinding, PortMap } from './types.js';
export { Scheduler, type Placement, type SchedulerOptions, type SelectOptions } from './scheduler.js';
export { parseStrategy, STRATEGY_NAMES, DEFAULT_STRATEGY, type StrategyName } from './strategy/strategy.js';
export { parseFilters, DEFAULT_FILTERS } from './filter/registry.js';
export { FILTER_NAMES, type FilterName } from './filter/filter.js';
export {
  explanationOf,
  type Explanation,
  type PlacementFailure,
  type Rejection,
  type RejectionStage,
} from './explanation.js';
export { withPending, pendingContainer } from './pending.js';
export { SWARM_ID_LABEL } from './containers.js';
export {
  extractSchedulingExpressions,
  readSchedulingExpressions,
  validateSchedulingLabels,
  validateReschedulePolicies,
  hasReschedulePolicy,
  hasHardNodeConstraint,
  CONSTRAINTS_LABEL,
  AFFINITIES_LABEL,
  WHITELISTS_LABEL,
  RESCHEDULE_POLICIES_LABEL,
  RESCHEDULE_POLICIES,
  type ReschedulePolicy,
  type SchedulingExpressions,
  type EnvAndLabels,
} from './scheduling-labels.js';
export { parseExpression, type Expression, type Operator } from './expression.js';
