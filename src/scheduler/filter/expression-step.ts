// Owns what the three expression filters (affinity, constraint, whitelist) share: AND over the expressions in
// force, soft ones only in the first pass, and classic Swarm's texts for listing and failing.

import { formatExpression, type Expression } from '../expression.js';
import type { NodeView } from '../types.js';
import type { FilterName, FilterStep } from './filter.js';

export interface ExpressionStepOptions {
  readonly name: FilterName;
  readonly expressions: readonly Expression[];
  readonly enforceSoft: boolean;
  /** Classic Swarm lists affinities and whitelists with ` (soft=…)`, constraints without. */
  readonly listWithSoft: boolean;
  /** Builds the node test for one expression, once per request. */
  readonly predicateFor: (expression: Expression) => (node: NodeView) => boolean;
}

export function expressionStep(options: ExpressionStepOptions): FilterStep {
  const { name, expressions, enforceSoft, listWithSoft } = options;
  const inForce = expressions.filter((e) => enforceSoft || !e.soft);
  const tests = inForce.map((expression) => ({ expression, test: options.predicateFor(expression) }));
  const firstUnmet = (node: NodeView) => tests.find(({ test }) => !test(node))?.expression;
  return {
    name,
    noop: tests.length === 0,
    failsOnNoNodes: tests.length > 0,
    accepts: (node) => {
      for (const { test } of tests) if (!test(node)) return false;
      return true;
    },
    reason: (node) => {
      const unmet = firstUnmet(node);
      if (!unmet) return `${name} not satisfied`;
      return `${name} ${formatExpression(unmet, false)}${unmet.soft ? ' (soft)' : ''} is not satisfied`;
    },
    conditions: () => expressions.map((e) => formatExpression(e, listWithSoft)),
    failure: (nodes) => {
      // Classic Swarm narrows expression by expression and names the one that left no node.
      let remaining = nodes;
      for (const { expression, test } of tests) {
        remaining = remaining.filter(test);
        if (remaining.length === 0) {
          return `unable to find a node that satisfies the ${name} ${formatExpression(expression, false)}`;
        }
      }
      return `unable to find a node that satisfies the ${name}`;
    },
  };
}
