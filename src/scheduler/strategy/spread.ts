// Owns the spread strategy: the least loaded node first, so containers spread evenly.

import type { Strategy } from './strategy.js';
import { WeightedRanking } from './ranking.js';
import { weighNodes } from './weigh.js';

// Health counts against the weight so that it outweighs cpu + memory (each 0..100): a healthy node wins.
const HEALTH_FACTOR = -10;

export const spreadStrategy: Strategy = {
  name: 'spread',
  rank(request, nodes, { rejections }) {
    const weighed = weighNodes(request, nodes, HEALTH_FACTOR, rejections);
    return weighed.nodes.length === 0 ? undefined : new WeightedRanking(weighed.nodes, weighed.weights, 1);
  },
};
