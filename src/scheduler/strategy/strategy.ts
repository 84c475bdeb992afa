// Owns the strategy names a manager can be configured with (`--strategy`) and the shape of a strategy: it turns
// the nodes that passed the filters into a ranking, best first.

import { badParameter } from '../../errors.js';
import type { Rejection } from '../explanation.js';
import type { NodeView, PlacementRequest } from '../types.js';
import type { Ranking } from './ranking.js';

export const STRATEGY_NAMES = ['spread', 'binpack', 'random'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export const DEFAULT_STRATEGY: StrategyName = 'spread';

export interface RankContext {
  /** Uniform in [0, 1); only `random` draws from it. */
  readonly random: () => number;
  /** When explaining: where to record the nodes the resource check turns away. */
  readonly rejections: Rejection[] | undefined;
}

export interface Strategy {
  readonly name: StrategyName;
  /** The candidates in order of preference, or undefined when none has room ("no resources available…"). */
  rank(request: PlacementRequest, nodes: readonly NodeView[], context: RankContext): Ranking | undefined;
}

/** Validates `--strategy`. Undefined means spread; `binpacking` is classic Swarm's alias of binpack. Throws a 400. */
export function parseStrategy(name?: string): StrategyName {
  if (name === undefined) return DEFAULT_STRATEGY;
  const canonical = name === 'binpacking' ? 'binpack' : name;
  if (!(STRATEGY_NAMES as readonly string[]).includes(canonical)) {
    throw badParameter(`strategy not supported: "${name}" (supported strategies: ${STRATEGY_NAMES.join(', ')})`);
  }
  return canonical as StrategyName;
}
