// Go-style durations (`1m30s`, `500ms`, `10m`, `1h`), the format classic Swarm's flags and cluster options use.
// A bare number is refused: Go refuses it too, and "30" meaning seconds or milliseconds is a guess we won't make.

const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration into milliseconds; throws a message naming the bad text. */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (input === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  let sign = 1;
  if (input.startsWith('-') || input.startsWith('+')) {
    sign = input.startsWith('-') ? -1 : 1;
    index = 1;
  }
  if (index >= input.length) throw new Error(`invalid duration "${text}"`);
  while (index < input.length) {
    part.lastIndex = index;
    const match = part.exec(input);
    if (!match) throw new Error(`invalid duration "${text}"`);
    total += Number(match[1]) * UNITS[match[2]!]!;
    index = part.lastIndex;
  }
  return sign * total;
}

/** Formats milliseconds the way Go prints a time.Duration (`5s`, `1m0s`, `1h2m3s`, `500ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${trim(ms)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  let out = '';
  if (hours) out += `${hours}h`;
  if (hours || minutes) out += `${minutes}m`;
  return `${out}${trim(seconds)}s`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(9)));
}
