// pino's JSON lines as one readable line each, for a terminal: time, level, message, then the fields as key=value
// (logfmt quoting), the level coloured when the output is a terminal. Classic Swarm's logrus wrote the same shape.
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '36', 40: '33', 50: '31', 60: '35;1' };
/** pino's bookkeeping, not the event's fields. */
const SKIP = new Set(['level', 'time', 'msg']);

export function formatLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = Number(entry.level);
  const label = (LEVELS[level] ?? String(entry.level)).padEnd(5);
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : String(entry.time ?? '');
  let line = `${colour ? `\x1b[2m${time}\x1b[0m` : time} ${colour ? `\x1b[${COLOURS[level] ?? '0'}m${label}\x1b[0m` : label} ${String(entry.msg ?? '')}`;
  for (const [key, value] of Object.entries(entry)) {
    if (SKIP.has(key) || value === undefined) continue;
    line += ` ${colour ? `\x1b[2m${key}=\x1b[0m` : `${key}=`}${logfmtValue(value)}`;
  }
  return `${line}\n`;
}

/** Spaces, quotes, `=`, backslashes and control characters would make a key=value line ambiguous. */
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\s"=\\\x00-\x1f\x7f]/;

/** Strings bare when they can be, else quoted; numbers, booleans, lists and objects as JSON. */
function logfmtValue(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  return value === '' || NEEDS_QUOTES.test(value) ? JSON.stringify(value) : value;
}
