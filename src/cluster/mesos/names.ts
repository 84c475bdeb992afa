// Names for containers created without one, in Docker's `adjective_noun` style, so `<node>/<name>` reads well.
// Our own short word lists; uniqueness is checked by the caller, which retries with a numeric suffix.
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'agile', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'eager', 'fair', 'gentle', 'happy',
  'keen', 'kind', 'lively', 'lucid', 'merry', 'nimble', 'noble', 'proud', 'quiet', 'rapid', 'serene', 'sharp',
  'steady', 'swift', 'tidy', 'vivid', 'warm', 'witty', 'zealous', 'zen',
];
const NOUNS = [
  'acorn', 'badger', 'beacon', 'breeze', 'canyon', 'comet', 'delta', 'ember', 'falcon', 'fjord', 'glacier',
  'harbor', 'heron', 'island', 'lagoon', 'lantern', 'meadow', 'mesa', 'nebula', 'orchid', 'otter', 'pebble',
  'quartz', 'raven', 'reef', 'river', 'summit', 'thicket', 'tundra', 'valley', 'willow', 'zephyr',
];

export function generatedName(taken: (name: string) => boolean): string {
  const base = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NOUNS[randomInt(NOUNS.length)]}`;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}
