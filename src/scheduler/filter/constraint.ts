// Owns the constraint filter: `node==x` matches the node's ID or name; any other key matches the node label of
// that name (engine labels, the engine built-ins such as `ostype`, and in mesos mode the agent's attributes).

import { holds } from '../expression.js';
import { labelValue } from '../label-value.js';
import type { FilterFactory } from './filter.js';
import { expressionStep } from './expression-step.js';

export const constraintFilter: FilterFactory = (request, enforceSoft) =>
  expressionStep({
    name: 'constraint',
    expressions: request.constraints,
    enforceSoft,
    listWithSoft: false,
    predicateFor: (expression) => {
      if (expression.key === 'node') {
        return (node) => holds(expression, expression.matches(node.id) || expression.matches(node.name));
      }
      const key = expression.key;
      // A missing label reads as "", as a Go map lookup does: `key!=x` holds on nodes without the label.
      return (node) => holds(expression, expression.matches(labelValue(node.labels, key) ?? ''));
    },
  });
