// Owns a placement decision end to end: filters, then strategy, in two passes (soft expressions enforced, then
// dropped), returning the ranked candidates or the error classic Swarm would give. Pure: same nodes, same request,
// same answer (up to the random strategy's draws); nothing is written but a memo of data derived from the
// immutable views (port-index.ts).

import { compileRequest, type CompiledRequest } from './compiled-request.js';
import { placementFailure, type Explanation, type Rejection } from './explanation.js';
import type { FilterName } from './filter/filter.js';
import { runFilters } from './filter/pipeline.js';
import { FILTER_FACTORIES, parseFilters } from './filter/registry.js';
import type { Ranking } from './strategy/ranking.js';
import { STRATEGIES } from './strategy/registry.js';
import { parseStrategy, type StrategyName } from './strategy/strategy.js';
import { NO_RESOURCES } from './strategy/weigh.js';
import type { NodeView, PlacementRequest } from './types.js';
import type { PlacementKind } from '../errors.js';

export interface SchedulerOptions {
  /** `--strategy`: spread (default), binpack (alias binpacking) or random. */
  readonly strategy?: string;
  /** `--filter`: replaces the default list (health, port, containerslots, dependency, affinity, constraint,
   * whitelist) when given. */
  readonly filters?: readonly string[];
  /** Uniform in [0, 1) for the random strategy; Math.random unless a test wants it seeded. */
  readonly random?: () => number;
}

export interface SelectOptions {
  /** Also report why each rejected node was rejected (costs a little more; for logs, `docker info`, dashboard). */
  readonly explain?: boolean;
}

/** The outcome of a successful decision: the candidates, best first. */
export interface Placement extends Ranking {
  /** Soft expressions were dropped to find a node. */
  readonly softDropped: boolean;
  /** Only with `{explain: true}`. */
  readonly explanation: Explanation | undefined;
}

type Attempt =
  | { readonly ok: true; readonly ranking: Ranking; readonly rejections: Rejection[] | undefined }
  | {
      readonly ok: false;
      readonly message: string;
      /** The filter that left no node; undefined when the strategy found no room, or there were no nodes. */
      readonly filter: FilterName | undefined;
      readonly failure: string | undefined;
      readonly rejections: Rejection[] | undefined;
      readonly noNodes: boolean;
    };

function kindOf(attempt: Extract<Attempt, { ok: false }>): PlacementKind {
  if (attempt.filter) return 'filter';
  return attempt.noNodes ? 'no-nodes' : 'resources';
}

export class Scheduler {
  readonly strategy: StrategyName;
  readonly filters: readonly FilterName[];
  readonly #random: () => number;

  /** Throws a 400 on an unknown strategy or filter name (start-up refuses to run with it). */
  constructor(options: SchedulerOptions = {}) {
    this.strategy = parseStrategy(options.strategy);
    this.filters = Object.freeze(parseFilters(options.filters));
    this.#random = options.random ?? Math.random;
  }

  /**
   * Ranks the nodes that can take the container. `nodes` are immutable snapshots, reservations included (see
   * `withPending`). Throws a 400 when an expression in the request is malformed, and a 500 (classic Swarm's text)
   * when no node fits; with `{explain: true}` that error carries an explanation (`explanationOf`).
   */
  select(nodes: readonly NodeView[], request: PlacementRequest, options: SelectOptions = {}): Placement {
    const compiled = compileRequest(request);
    const explain = options.explain === true;
    const first = this.#attempt(compiled, nodes, true, explain);
    if (first.ok) return this.#placement(nodes, first, false, undefined, explain);
    // Without soft expressions a second pass would repeat the first one exactly.
    if (!compiled.hasSoftExpressions)
      throw placementFailure(
        first.message,
        kindOf(first),
        first.filter,
        this.#failed(nodes, first, undefined, explain),
      );
    const second = this.#attempt(compiled, nodes, false, explain);
    if (second.ok) return this.#placement(nodes, second, true, first.message, explain);
    throw placementFailure(
      second.message,
      kindOf(second),
      second.filter,
      this.#failed(nodes, second, first.message, explain),
    );
  }

  #attempt(compiled: CompiledRequest, nodes: readonly NodeView[], enforceSoft: boolean, explain: boolean): Attempt {
    const rejections: Rejection[] | undefined = explain ? [] : undefined;
    const steps = this.filters.map((name) => FILTER_FACTORIES[name](compiled, enforceSoft));
    const filtered = runFilters(steps, nodes, rejections);
    if (!filtered.ok) {
      const { message, failedFilter: filter, filterFailure: failure } = filtered;
      return { ok: false, message, filter, failure, rejections, noNodes: nodes.length === 0 && !filter };
    }
    const ranking = STRATEGIES[this.strategy].rank(compiled.request, filtered.candidates, {
      random: this.#random,
      rejections,
    });
    if (!ranking) {
      return { ok: false, message: NO_RESOURCES, filter: undefined, failure: NO_RESOURCES, rejections, noNodes: false };
    }
    return { ok: true, ranking, rejections };
  }

  #placement(
    nodes: readonly NodeView[],
    attempt: Extract<Attempt, { ok: true }>,
    softDropped: boolean,
    softFailure: string | undefined,
    explain: boolean,
  ): Placement {
    const { ranking } = attempt;
    const explanation: Explanation | undefined = explain
      ? {
          ...this.#explanationBase(nodes, attempt.rejections),
          candidates: ranking.size,
          softDropped,
          ...(softFailure === undefined ? {} : { softFailure }),
        }
      : undefined;
    return new RankedPlacement(ranking, softDropped, explanation);
  }

  #failed(
    nodes: readonly NodeView[],
    attempt: Extract<Attempt, { ok: false }>,
    softFailure: string | undefined,
    explain: boolean,
  ): Explanation | undefined {
    if (!explain) return undefined;
    return {
      ...this.#explanationBase(nodes, attempt.rejections),
      candidates: 0,
      softDropped: softFailure !== undefined,
      ...(softFailure === undefined ? {} : { softFailure }),
      ...(attempt.failure === undefined ? {} : { failure: attempt.failure }),
    };
  }

  #explanationBase(nodes: readonly NodeView[], rejections: Rejection[] | undefined) {
    return { strategy: this.strategy, filters: this.filters, nodes: nodes.length, rejections: rejections ?? [] };
  }
}

// What `select` hands back: the strategy's ranking, and how it was reached.
class RankedPlacement implements Placement {
  readonly size: number;
  readonly best: NodeView;
  readonly #ranking: Ranking;

  constructor(
    ranking: Ranking,
    readonly softDropped: boolean,
    readonly explanation: Explanation | undefined,
  ) {
    this.#ranking = ranking;
    this.size = ranking.size;
    this.best = ranking.best;
  }

  top(count: number): readonly NodeView[] {
    return this.#ranking.top(count);
  }

  ordered(): readonly NodeView[] {
    return this.#ranking.ordered();
  }
}
