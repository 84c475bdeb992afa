// Owns the constraint filter: `node==x` matches the node's ID or name; any other key matches the node label of
// that name (engine labels, the engine built-ins such as `ostype`, and in mesos mode the agent's attributes).

import { holds, type Expression } from '../expression.js';
import { labelValue } from '../label-value.js';
import type { NodeView } from '../types.js';
import { ExpressionStep } from './expression-step.js';
import type { FilterFactory } from './filter.js';

export const constraintFilter: FilterFactory = (compiled, enforceSoft) =>
  new ExpressionStep('constraint', compiled.constraints, enforceSoft, false, constraintPredicate);

function constraintPredicate(expression: Expression): (node: NodeView) => boolean {
  const { matches } = expression;
  if (expression.key === 'node') {
    return (node) => holds(expression, matches(node.id) || matches(node.name));
  }
  const key = expression.key;
  // `==` holds when the label matches, `!=` when it does not.
  const wanted = holds(expression, true);
  // A missing label reads as "", as a Go map lookup does: `key!=x` holds on nodes without the label.
  return (node) => matches(labelValue(node.labels, key) ?? '') === wanted;
}
