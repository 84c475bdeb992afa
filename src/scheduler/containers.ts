// Owns how a container on a node is found by reference (ID, short ID, Swarm ID, name) and how it is named in
// explanations. The lookup is classic Swarm's Containers.Get, which the dependency filter relies on.

import type { ContainerOnNode, NodeView } from './types.js';
import { labelValue } from './label-value.js';

export const SWARM_ID_LABEL = 'com.docker.swarm.id';

/**
 * The container `ref` designates on `node`, or undefined. In order: the full or 12-character ID; the full or
 * 12-character Swarm ID; a name (`web`, `/web`, `<node id>/web`, `<node name>/web`) if exactly one container has
 * it; an ID or Swarm ID prefix if exactly one container has it.
 */
export function lookupContainer(node: NodeView, ref: string): ContainerOnNode | undefined {
  if (ref === '') return undefined;
  const containers = node.containers;
  const byId = containers.find((c) => c.id === ref || truncateId(c.id) === ref);
  if (byId) return byId;
  const bySwarmId = containers.find((c) => {
    const swarmId = swarmIdOf(c);
    return swarmId !== '' && (swarmId === ref || truncateId(swarmId) === ref);
  });
  if (bySwarmId) return bySwarmId;

  const byName = containers.filter((c) =>
    c.names.some((name) => name === ref || name === `/${ref}` || node.id + name === ref || node.name + name === ref),
  );
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) return undefined;

  // Classic Swarm counted a container twice when both its IDs matched the prefix, and so could not find it.
  const byPrefix = containers.filter(
    (c) => c.id.startsWith(ref) || (swarmIdOf(c) !== '' && swarmIdOf(c).startsWith(ref)),
  );
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

/** The name an explanation shows: the first name without `/`, else the short ID; pending ones say so. */
export function containerLabel(container: ContainerOnNode): string {
  const name = container.names[0]?.replace(/^\//, '');
  const who = name ?? truncateId(container.id);
  return container.state === 'pending' ? `${who} (pending)` : who;
}

function swarmIdOf(container: ContainerOnNode): string {
  return labelValue(container.labels, SWARM_ID_LABEL) ?? '';
}

// Docker's stringid.TruncateID: drop an algorithm prefix (`sha256:`), keep 12 characters.
function truncateId(id: string): string {
  const colon = id.indexOf(':');
  return (colon >= 0 ? id.slice(colon + 1) : id).slice(0, 12);
}
