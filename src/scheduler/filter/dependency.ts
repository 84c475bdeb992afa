// Owns the dependency filter: a container that shares volumes with (`--volumes-from`), links to (`--link`) or
// joins the network of (`--net container:x`) other containers must go where all of them already are.

import { lookupContainer } from '../containers.js';
import type { FilterFactory } from './filter.js';
import type { NodeView } from '../types.js';

export const dependencyFilter: FilterFactory = ({ request, dependencies }) => {
  const wanted = [
    ...dependencies.volumesFrom.map((ref) => ({ ref, flag: '--volumes-from' })),
    ...dependencies.links.map((ref) => ({ ref, flag: '--link' })),
    ...dependencies.network.map((ref) => ({ ref, flag: '--net' })),
  ];
  const missingOn = (node: NodeView) => wanted.find(({ ref }) => lookupContainer(node, ref) === undefined);
  // The flags as the user wrote them, mode and alias included.
  const conditions = () => [
    ...request.volumesFrom.map((v) => `--volumes-from=${v}`),
    ...request.links.map((l) => `--link=${l}`),
    ...(dependencies.network.length > 0 ? [`--net=${request.networkMode}`] : []),
  ];
  return {
    name: 'dependency',
    noop: wanted.length === 0,
    // Classic Swarm returns an empty node list from this filter without complaint.
    failsOnNoNodes: false,
    accepts: (node) => missingOn(node) === undefined,
    reason: (node) => {
      const missing = missingOn(node);
      return missing ? `container ${missing.ref} (${missing.flag}) is not on this node` : 'missing dependency';
    },
    conditions,
    failure: () => `Unable to find a node fulfilling all dependencies: ${conditions().join(' ')}`,
  };
};
