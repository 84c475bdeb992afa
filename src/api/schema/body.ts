// A JSON request body, from bytes to a typed value, refused with a 400 naming the field at the first thing wrong:
// 1. depth: nesting is counted on the raw bytes, before JSON.parse, so a body of 10,000 nested arrays never reaches
//    the parser's recursion or ours;
// 2. parse: JSON.parse, and the top level must be an object;
// 3. normalize: keys are matched to the Go struct's fields the way encoding/json matches them (case-insensitively,
//    with its Unicode folds), so `hostconfig` cannot carry past us what `HostConfig` may not; a field named twice
//    that way is refused (dockerd would merge both); unknown fields are dropped (dockerd ignores them) and null
//    fields too (Go's zero value): what reaches a driver or an engine is exactly what was checked;
// 4. schema: the declarative schema of the request type (./container.ts, ./other-bodies.ts);
// 5. rules: what a schema cannot say (bind grammar, port specs, restart policies, …; ./rules.ts).
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { badParameter } from '../../errors.js';
import { EXPECTED } from './go-types.js';

/** No Docker request body nests deeper than 6; 32 leaves room and keeps every walk over a body shallow. */
export const MAX_JSON_DEPTH = 32;

export interface BodySpec<T> {
  readonly schema: TSchema;
  readonly check: TypeCheck<TSchema>;
  /** Our own checks over the schema-valid body; throw a 400 (badParameter) naming the field. */
  readonly rules: ((body: T) => void) | undefined;
}

export function bodySpec<S extends TSchema>(schema: S, rules?: (body: Static<S>) => void): BodySpec<Static<S>> {
  return { schema, check: TypeCompiler.Compile(schema), rules };
}

/** Bytes → a checked body (an empty body reads as `{}`, as dockerd decodes it). */
export function parseBody<T>(spec: BodySpec<T>, raw: Buffer): T {
  const value = normalize(spec.schema, parseJsonObject(raw), '');
  const error = spec.check.Errors(value).First();
  if (error)
    throw badParameter(
      `invalid ${fieldName(error.path)}: ${describeExpected(error.schema, error.message)}, got ${preview(error.value)}`,
    );
  spec.rules?.(value as T);
  return value as T;
}

/** JSON bytes → an object, refusing too deep a nesting before parsing. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  checkDepth(raw, MAX_JSON_DEPTH);
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badParameter(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw badParameter('invalid JSON: expected an object');
  return parsed;
}

/** Throws a 400 when arrays and objects nest deeper than `max`, counted outside strings, in one pass. */
export function checkDepth(raw: Uint8Array, max: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (inString) {
      if (byte === 0x5c)
        i++; // the escaped byte cannot end the string
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) throw badParameter(`invalid JSON: nested deeper than ${max} levels`);
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * encoding/json's key match: ASCII case-insensitive, plus the two non-ASCII letters that fold to ASCII ones
 * (ſ → s, the Kelvin sign → k), which Go's EqualFold honours. No other letter folds to an ASCII field name.
 */
export function goFold(key: string): string {
  return key.replace(/[\u017f\u212a]/g, (c) => (c === '\u017f' ? 's' : 'k')).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const foldedFields = new WeakMap<TSchema, Map<string, string>>();

function fieldsOf(schema: TSchema): Map<string, string> {
  let map = foldedFields.get(schema);
  if (!map) {
    map = new Map(Object.keys(schema.properties as object).map((name) => [goFold(name), name]));
    foldedFields.set(schema, map);
  }
  return map;
}

/** The value rebuilt along the schema (step 3 above). Values of the wrong kind are left for the schema to refuse. */
function normalize(schema: TSchema, value: unknown, path: string): unknown {
  if (schema.anyOf) {
    const kind = Array.isArray(value) ? 'array' : isPlainObject(value) ? 'object' : undefined;
    const member = (schema.anyOf as TSchema[]).find((m) => m.type === kind);
    return member ? normalize(member, value, path) : value;
  }
  if (schema.type === 'array' && Array.isArray(value)) {
    return value.map((item, i) => normalize(schema.items as TSchema, item, `${path}/${i}`));
  }
  if (schema.type !== 'object' || !isPlainObject(value)) return value;
  if (schema.patternProperties) {
    const item = Object.values(schema.patternProperties as Record<string, TSchema>)[0]!;
    // Object.fromEntries defines each key: a key named `__proto__` stays data and never becomes a prototype.
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, normalize(item, v, `${path}/${escapePointer(key)}`)]),
    );
  }
  const fields = fieldsOf(schema);
  const out: [string, unknown][] = [];
  const seen = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const field = fields.get(goFold(key));
    if (field === undefined || v === null) continue;
    const twin = seen.get(field);
    if (twin !== undefined) {
      throw badParameter(`invalid ${fieldName(`${path}/${field}`)}: given twice (as "${twin}" and "${key}")`);
    }
    seen.set(field, key);
    out.push([field, normalize((schema.properties as Record<string, TSchema>)[field]!, v, `${path}/${field}`)]);
  }
  return Object.fromEntries(out);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/HostConfig/Ulimits/0` → `HostConfig.Ulimits[0]`; `/Labels/a b` → `Labels["a b"]`. */
export function fieldName(pointer: string): string {
  if (pointer === '') return 'body';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function describeExpected(schema: TSchema, fallback: string): string {
  const expected = (schema as Record<string, unknown>)[EXPECTED];
  return typeof expected === 'string' ? `expected ${expected}` : fallback.replace(/^Expected/, 'expected');
}

/** A short rendering of what the client sent, for the message. */
export function preview(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
