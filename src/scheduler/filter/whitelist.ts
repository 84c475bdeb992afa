// Owns the whitelist filter: the node's name must be one of the `|`-separated names of the value. The key and
// the operator are ignored (classic Swarm's behaviour): `whitelist:node!=a|b` still means "only a or b".

import type { FilterFactory } from './filter.js';
import { expressionStep } from './expression-step.js';

export const whitelistFilter: FilterFactory = (request, enforceSoft) =>
  expressionStep({
    name: 'whitelist',
    expressions: request.whitelists,
    enforceSoft,
    listWithSoft: true,
    predicateFor: (expression) => {
      const names = new Set(expression.value.split('|'));
      return (node) => names.has(node.name);
    },
  });
