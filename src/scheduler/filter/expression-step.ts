// Owns what the three expression filters (affinity, constraint, whitelist) share: AND over the expressions in
// force, soft ones only in the first pass, and classic Swarm's texts for listing and failing.

import { formatExpression, type Expression } from '../expression.js';
import type { NodeView } from '../types.js';
import type { FilterName, FilterStep } from './filter.js';

/** Builds the node test for one expression, once per request. */
export type PredicateBuilder = (expression: Expression) => (node: NodeView) => boolean;

interface ExpressionTest {
  readonly expression: Expression;
  readonly test: (node: NodeView) => boolean;
}

export class ExpressionStep implements FilterStep {
  readonly noop: boolean;
  readonly failsOnNoNodes: boolean;
  readonly #expressions: readonly Expression[];
  readonly #listWithSoft: boolean;
  readonly #tests: readonly ExpressionTest[];
  // The same tests as a bare array of functions: the per-node loop is the hot path of a constrained decision.
  readonly #predicates: readonly ((node: NodeView) => boolean)[];

  /** `listWithSoft`: classic Swarm lists affinities and whitelists with ` (soft=…)`, constraints without. */
  constructor(
    readonly name: FilterName,
    expressions: readonly Expression[],
    enforceSoft: boolean,
    listWithSoft: boolean,
    predicateFor: PredicateBuilder,
  ) {
    this.#expressions = expressions;
    this.#listWithSoft = listWithSoft;
    this.#tests = expressions
      .filter((e) => enforceSoft || !e.soft)
      .map((expression) => ({ expression, test: predicateFor(expression) }));
    this.#predicates = this.#tests.map(({ test }) => test);
    this.noop = this.#tests.length === 0;
    this.failsOnNoNodes = this.#tests.length > 0;
  }

  accepts(node: NodeView): boolean {
    const predicates = this.#predicates;
    for (let i = 0; i < predicates.length; i++) if (!(predicates[i] as (node: NodeView) => boolean)(node)) return false;
    return true;
  }

  reason(node: NodeView): string {
    const unmet = this.#tests.find(({ test }) => !test(node))?.expression;
    if (!unmet) return `${this.name} not satisfied`;
    return `${this.name} ${formatExpression(unmet, false)}${unmet.soft ? ' (soft)' : ''} is not satisfied`;
  }

  conditions(): readonly string[] {
    return this.#expressions.map((e) => formatExpression(e, this.#listWithSoft));
  }

  failure(nodes: readonly NodeView[]): string {
    // Classic Swarm narrows expression by expression and names the one that left no node.
    let remaining = nodes;
    for (const { expression, test } of this.#tests) {
      remaining = remaining.filter(test);
      if (remaining.length === 0) {
        return `unable to find a node that satisfies the ${this.name} ${formatExpression(expression, false)}`;
      }
    }
    return `unable to find a node that satisfies the ${this.name}`;
  }
}
