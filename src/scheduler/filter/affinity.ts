// Owns the affinity filter: place next to (`==`) or away from (`!=`) containers or images already on a node.
// `container` matches each container's full ID and first name; `image` matches each image's ID, tags and
// repositories; any other key matches that label on each container of the node.

import { holds, type Expression } from '../expression.js';
import { repositoryOf } from '../image-reference.js';
import { labelValue } from '../label-value.js';
import type { NodeView } from '../types.js';
import type { FilterFactory } from './filter.js';
import { ExpressionStep } from './expression-step.js';

export const affinityFilter: FilterFactory = (compiled, enforceSoft) =>
  new ExpressionStep('affinity', compiled.affinities, enforceSoft, true, affinityPredicate);

function affinityPredicate(expression: Expression): (node: NodeView) => boolean {
  const anyMatch =
    expression.key === 'container'
      ? anyContainerMatches
      : expression.key === 'image'
        ? anyImageMatches
        : anyLabelMatches;
  return (node) => holds(expression, anyMatch(expression, node));
}

// These loop instead of building candidate lists: no allocation per container.

function anyContainerMatches(expression: Expression, node: NodeView): boolean {
  for (const container of node.containers) {
    const firstName = container.names[0];
    // Classic Swarm skips unnamed containers entirely, their ID included.
    if (firstName === undefined) continue;
    if (expression.matches(container.id)) return true;
    if (expression.matches(firstName.startsWith('/') ? firstName.slice(1) : firstName)) return true;
  }
  return false;
}

function anyImageMatches(expression: Expression, node: NodeView): boolean {
  for (const image of node.images) {
    if (expression.matches(image.id)) return true;
    for (const tag of image.repoTags) if (expression.matches(tag)) return true;
    for (const tag of image.repoTags) if (expression.matches(repositoryOf(tag))) return true;
  }
  return false;
}

function anyLabelMatches(expression: Expression, node: NodeView): boolean {
  const key = expression.key;
  for (const container of node.containers) {
    // A container without the label offers "" (a Go map lookup), so `key==*` matches any container.
    if (expression.matches(labelValue(container.labels, key) ?? '')) return true;
  }
  return false;
}
