// Owns the random strategy: any node that passed the filters, uniformly, without looking at resources (classic
// Swarm's behaviour: the filters are the only guard).

import type { Strategy } from './strategy.js';
import { ShuffledRanking } from './ranking.js';

export const randomStrategy: Strategy = {
  name: 'random',
  rank(_request, nodes, { random }) {
    return nodes.length === 0 ? undefined : new ShuffledRanking(nodes, random);
  },
};
