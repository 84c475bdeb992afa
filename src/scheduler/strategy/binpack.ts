// Owns the binpack strategy: the most loaded node that still has room first, so whole nodes stay free for large
// containers.

import type { Strategy } from './strategy.js';
import { WeightedRanking } from './ranking.js';
import { weighNodes } from './weigh.js';

// Health adds to the weight so that it outweighs cpu + memory (each 0..100): a healthy node wins.
const HEALTH_FACTOR = 10;

export const binpackStrategy: Strategy = {
  name: 'binpack',
  rank(request, nodes, { rejections }) {
    const weighed = weighNodes(request, nodes, HEALTH_FACTOR, rejections);
    return weighed.nodes.length === 0 ? undefined : new WeightedRanking(weighed.nodes, weighed.weights, -1);
  },
};
