// Owns the filter names a manager can be configured with, their default order, and the validation of a
// configured list (start-up refuses an unknown name).

import { badParameter } from '../../errors.js';
import { affinityFilter } from './affinity.js';
import { constraintFilter } from './constraint.js';
import { containerSlotsFilter } from './containerslots.js';
import { dependencyFilter } from './dependency.js';
import { FILTER_NAMES, type FilterFactory, type FilterName } from './filter.js';
import { healthFilter } from './health.js';
import { portFilter } from './port.js';
import { whitelistFilter } from './whitelist.js';

/** Every filter, in classic Swarm's default order. */
export const DEFAULT_FILTERS: readonly FilterName[] = FILTER_NAMES;

export const FILTER_FACTORIES: Readonly<Record<FilterName, FilterFactory>> = {
  health: healthFilter,
  port: portFilter,
  containerslots: containerSlotsFilter,
  dependency: dependencyFilter,
  affinity: affinityFilter,
  constraint: constraintFilter,
  whitelist: whitelistFilter,
};

/**
 * Validates a configured filter list (`--filter`, repeatable). Undefined means the default list; a given list
 * replaces it entirely, in the given order. Throws a 400 naming the first unknown filter.
 */
export function parseFilters(names?: readonly string[]): FilterName[] {
  if (names === undefined) return [...DEFAULT_FILTERS];
  return names.map((name) => {
    if (!(FILTER_NAMES as readonly string[]).includes(name)) {
      throw badParameter(`filter not supported: "${name}" (supported filters: ${FILTER_NAMES.join(', ')})`);
    }
    return name as FilterName;
  });
}
