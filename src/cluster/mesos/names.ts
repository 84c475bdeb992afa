// Names for containers created without one, in Docker's `adjective_noun` style, so `<node>/<name>` reads well.
// Our own short word lists; uniqueness is checked by the caller's `taken`, and a clash gets a numeric suffix.
import { randomInt } from '../../util/random.js';

const ADJECTIVES = [
  'agile',
  'bold',
  'brave',
  'bright',
  'calm',
  'clever',
  'cosmic',
  'crisp',
  'eager',
  'fair',
  'gentle',
  'happy',
  'keen',
  'kind',
  'lively',
  'lucid',
  'merry',
  'nimble',
  'noble',
  'proud',
  'quiet',
  'rapid',
  'serene',
  'sharp',
  'steady',
  'swift',
  'tidy',
  'vivid',
  'warm',
  'witty',
  'zealous',
  'zen',
];
const NOUNS = [
  'acorn',
  'badger',
  'beacon',
  'breeze',
  'canyon',
  'comet',
  'delta',
  'ember',
  'falcon',
  'fjord',
  'glacier',
  'harbor',
  'heron',
  'island',
  'lagoon',
  'lantern',
  'meadow',
  'mesa',
  'nebula',
  'orchid',
  'otter',
  'pebble',
  'quartz',
  'raven',
  'reef',
  'river',
  'summit',
  'thicket',
  'tundra',
  'valley',
  'willow',
  'zephyr',
];

/**
 * A free `adjective_noun` name; when it is taken, the same with a random number from 2–9, then 10–99, 100–999 … (a
 * few tries in each range). Counting up from 2 to the first free number made every create probe all the earlier
 * ones: with 100,000 containers on these 1,024 bases, about a hundred probes per create, quadratic over a fill.
 */
export function generatedName(taken: (name: string) => boolean): string {
  const base = `${ADJECTIVES[randomInt(0, ADJECTIVES.length)]}_${NOUNS[randomInt(0, NOUNS.length)]}`;
  if (!taken(base)) return base;
  for (let low = 2, high = 10; ; low = high, high *= 10) {
    for (let attempt = 0; attempt < 4; attempt++) {
      const name = `${base}${randomInt(low, high)}`;
      if (!taken(name)) return name;
    }
  }
}
