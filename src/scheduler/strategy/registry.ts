// Owns the mapping from a strategy name to its implementation.

import { binpackStrategy } from './binpack.js';
import { randomStrategy } from './random.js';
import { spreadStrategy } from './spread.js';
import type { Strategy, StrategyName } from './strategy.js';

export const STRATEGIES: Readonly<Record<StrategyName, Strategy>> = {
  spread: spreadStrategy,
  binpack: binpackStrategy,
  random: randomStrategy,
};
