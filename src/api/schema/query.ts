// Query parameters, declared per route like a body schema: each parameter the route (or the engine it proxies to)
// reads, with the grammar dockerd 20.10 parses it with. A value dockerd would choke on (`strconv.Atoi` on
// `limit=abc`, which 20.10 answers with a 500) is a 400 naming the parameter here, and only declared parameters
// travel on to an engine: what reaches dockerd is what was checked.
import { badParameter } from '../../errors.js';
import { checkDepth, MAX_JSON_DEPTH } from './body.js';

export type QueryParam =
  | { readonly kind: 'bool' | 'string' | 'filters' | 'signal' }
  | { readonly kind: 'time'; readonly dates: boolean }
  | { readonly kind: 'strictBool' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly required: boolean }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: RegExp; readonly expected: string };

export type QuerySpec = Readonly<Record<string, QueryParam>>;

/** The constructors routes declare their parameters with. */
export const q = {
  /** httputils.BoolValue: anything goes ("", 0, no, false, none are false). */
  bool: (): QueryParam => ({ kind: 'bool' }),
  /** strconv.ParseBool. */
  strictBool: (): QueryParam => ({ kind: 'strictBool' }),
  string: (): QueryParam => ({ kind: 'string' }),
  /** strconv.Atoi, within a range. */
  int: (range: { min?: number; max?: number; required?: boolean } = {}): QueryParam => ({
    kind: 'int',
    min: range.min ?? -Number.MAX_SAFE_INTEGER,
    max: range.max ?? Number.MAX_SAFE_INTEGER,
    required: range.required ?? false,
  }),
  oneOf: (...values: string[]): QueryParam => ({ kind: 'oneOf', values }),
  pattern: (pattern: RegExp, expected: string): QueryParam => ({ kind: 'pattern', pattern, expected }),
  /** filters.FromJSON: `{"key": ["value", …]}`, or the old `{"key": {"value": true}}`. */
  filters: (): QueryParam => ({ kind: 'filters' }),
  /**
   * Unix seconds with an optional fraction, as timetypes.ParseTimestamps reads them (the docker CLI turns `10m` and
   * dates into that before sending; dockerd's logs answer anything else with a 500). `dates`: RFC 3339 dates too, for
   * the routes the manager answers itself (events).
   */
  time: (options: { dates?: boolean } = {}): QueryParam => ({ kind: 'time', dates: options.dates ?? false }),
  /** A signal name (`KILL`, `SIGHUP`, `RTMIN+3`) or a number Linux has (1 to 64). */
  signal: (): QueryParam => ({ kind: 'signal' }),
} as const;

const TRUE_OR_FALSE = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];
const UNIX_SECONDS = /^-?\d+(\.\d+)?$/;
const SIGNAL = /^((SIG)?[A-Z][A-Z0-9]*([+-]\d+)?|\d+)$/i;

/**
 * Checks every declared parameter; returns the declared ones only (all their values), in the client's order. A
 * route that declares nothing (`undefined`, not `{}`) keeps its query unchecked; test/unit/routes.test.ts makes
 * sure no route of ours is one.
 */
export function checkQuery(spec: QuerySpec | undefined, query: URLSearchParams): URLSearchParams {
  if (!spec) return query;
  const out = new URLSearchParams();
  for (const [name, param] of Object.entries(spec)) {
    const values = query.getAll(name);
    if (values.length === 0 && param.kind === 'int' && param.required) {
      throw badParameter(`invalid value for ${name}: an integer is required`);
    }
    for (const value of values) checkValue(name, param, value);
  }
  for (const [name, value] of query) if (Object.hasOwn(spec, name)) out.append(name, value);
  return out;
}

function checkValue(name: string, param: QueryParam, value: string): void {
  const fail = (expected: string) =>
    badParameter(`invalid value for ${name}: ${JSON.stringify(value.slice(0, 80))}: expected ${expected}`);
  switch (param.kind) {
    case 'bool':
    case 'string':
      return;
    case 'strictBool':
      if (!TRUE_OR_FALSE.includes(value)) throw fail('true or false');
      return;
    case 'int': {
      if (value === '' && !param.required) return;
      const n = Number(value);
      if (!/^[-+]?\d+$/.test(value) || n < param.min || n > param.max) {
        throw fail(`an integer from ${param.min} to ${param.max}`);
      }
      return;
    }
    case 'oneOf':
      if (value !== '' && !param.values.includes(value)) {
        throw badParameter(
          `invalid ${name}: ${JSON.stringify(value.slice(0, 80))} (expected one of ${param.values.join(', ')})`,
        );
      }
      return;
    case 'pattern':
      if (value !== '' && !param.pattern.test(value)) throw fail(param.expected);
      return;
    case 'signal':
      if (
        value !== '' &&
        (!SIGNAL.test(value) || (/^\d+$/.test(value) && !(Number(value) >= 1 && Number(value) <= 64)))
      ) {
        throw badParameter(`Invalid signal: ${value.slice(0, 80)}`);
      }
      return;
    case 'time':
      if (value === '' || UNIX_SECONDS.test(value) || (param.dates && !Number.isNaN(Date.parse(value)))) return;
      throw fail(param.dates ? 'Unix seconds or an RFC 3339 date' : 'Unix seconds');
    case 'filters':
      if (value !== '') checkFilters(name, value);
      return;
  }
}

function checkFilters(name: string, value: string): void {
  const fail = () =>
    badParameter(`invalid filter: ${name} must be a JSON object of string lists, such as {"label":["a=b"]}`);
  checkDepth(Buffer.from(value, 'utf8'), MAX_JSON_DEPTH);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw fail();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail();
  for (const entry of Object.values(parsed)) {
    const ok = Array.isArray(entry)
      ? entry.every((v) => typeof v === 'string')
      : typeof entry === 'object' && entry !== null && Object.values(entry).every((v) => typeof v === 'boolean');
    if (!ok) throw fail();
  }
}
