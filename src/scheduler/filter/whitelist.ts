// Owns the whitelist filter: the node's name must be one of the `|`-separated names of the value. The key and
// the operator are ignored (classic Swarm's behaviour): `whitelist:node!=a|b` still means "only a or b".

import type { Expression } from '../expression.js';
import type { NodeView } from '../types.js';
import { ExpressionStep } from './expression-step.js';
import type { FilterFactory } from './filter.js';

export const whitelistFilter: FilterFactory = (compiled, enforceSoft) =>
  new ExpressionStep('whitelist', compiled.whitelists, enforceSoft, true, whitelistPredicate);

function whitelistPredicate(expression: Expression): (node: NodeView) => boolean {
  const names = new Set(expression.value.split('|'));
  return (node) => names.has(node.name);
}
