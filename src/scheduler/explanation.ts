// Owns the explanation of a placement decision (asked for with `{explain: true}`): which nodes were turned away,
// at which stage and why, for logs, `docker info` and the dashboard. A failed placement carries it on its error.

import { placementFailed, type PlacementError, type PlacementKind } from '../errors.js';
import type { FilterName } from './filter/filter.js';
import type { StrategyName } from './strategy/strategy.js';

/** The stage that turned a node away: a filter, or the strategy's resource check. */
export type RejectionStage = FilterName | 'resources';

export interface Rejection {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly stage: RejectionStage;
  readonly reason: string;
}

export interface Explanation {
  readonly strategy: StrategyName;
  readonly filters: readonly FilterName[];
  /** How many nodes the decision looked at. */
  readonly nodes: number;
  /** How many could take the container (0 for a failed placement). */
  readonly candidates: number;
  /** Soft expressions were dropped: the first pass, which enforced them, found no node. */
  readonly softDropped: boolean;
  /** Why that first pass failed, when soft expressions were dropped or the placement failed in both passes. */
  readonly softFailure?: string;
  /** For a failed placement, the failing stage's own message (e.g. "unable to find a node that satisfies the
   * constraint region==eu"), more precise than the error's. */
  readonly failure?: string;
  /** The nodes turned away by the pass that decided, in input order, each at the first stage that refused it. */
  readonly rejections: readonly Rejection[];
}

export type PlacementFailure = PlacementError & { readonly explanation?: Explanation };

/** A 500 placement failure; with an explanation when one was asked for. */
export function placementFailure(
  message: string,
  kind: PlacementKind,
  filter: FilterName | undefined,
  explanation: Explanation | undefined,
): PlacementFailure {
  const error = placementFailed(message, kind, filter);
  return explanation === undefined ? error : Object.assign(error, { explanation });
}

/** The explanation a failed `select(…, {explain: true})` attached to its error, if any. */
export function explanationOf(error: unknown): Explanation | undefined {
  if (typeof error !== 'object' || error === null || !('explanation' in error)) return undefined;
  return (error as PlacementFailure).explanation;
}
