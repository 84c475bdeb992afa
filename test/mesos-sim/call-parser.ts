// Turns a request body into a scheduler Call the way the master does (stout's JSON::parse, then protobuf::parse<Call>
// over the schema in proto-schema.ts): snake_case names, unknown keys ignored, null = unset, an unknown value of an
// optional enum dropped (so `{"type":"FOO"}` later fails with "Expecting 'type' to be present"), numbers and booleans
// also accepted as strings, bytes as stout base64, a scalar accepted where a repeated field is expected, and missing
// required fields listed in protobuf's order. The error texts are the master's, to the word where it matters.
import { isValidUuidBytes, stoutBase64Decode } from './ids.js';
import type { CallMsg } from './messages.js';
import { Call, type FieldDesc, type MessageDesc } from './proto-schema.js';

export type ParseOutcome = { ok: true; call: CallMsg } | { ok: false; error: string };

class ParseError extends Error {}

export function parseCallJson(body: string): ParseOutcome {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return { ok: false, error: `Failed to parse body into JSON: ${picojsonStyleError(body, e)}` };
  }
  const prefix = 'Failed to convert JSON into Call protobuf: ';
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, error: `${prefix}Expecting a JSON object` };
  }
  let call: Record<string, unknown>;
  try {
    call = parseMessage(Call, json as Record<string, unknown>);
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: prefix + e.message };
    throw e;
  }
  const missing: string[] = [];
  findInitializationErrors(Call, call, '', missing);
  if (missing.length > 0) return { ok: false, error: `${prefix}Missing required fields: ${missing.join(', ')}` };
  return { ok: true, call: call as CallMsg };
}

/** picojson reports "syntax error at line N near: <rest of the input>"; JSON.parse gives an offset we can map. */
function picojsonStyleError(body: string, e: unknown): string {
  const m = /position (\d+)/.exec(String((e as Error).message));
  const pos = m ? Number(m[1]) : body.length;
  const line = body.slice(0, pos).split('\n').length;
  return `syntax error at line ${line} near: ${body.slice(pos, pos + 64)}`;
}

function parseMessage(desc: MessageDesc, json: Record<string, unknown>): Record<string, unknown> {
  if (desc.opaque) return json;
  const out: Record<string, unknown> = {};
  // stout walks a std::map, so the first error reported is that of the alphabetically first key.
  for (const key of Object.keys(json).sort()) {
    const field = desc.fields.find((f) => f.name === key);
    if (field) apply(out, field, json[key]);
  }
  return out;
}

function set(out: Record<string, unknown>, field: FieldDesc, value: unknown): void {
  if (field.label === 'repeated') {
    const list = (out[field.name] as unknown[] | undefined) ?? [];
    list.push(value);
    out[field.name] = list;
  } else {
    out[field.name] = value;
  }
}

const jsonKind = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v;

function apply(out: Record<string, unknown>, field: FieldDesc, value: unknown): void {
  if (value === null || value === undefined) return;
  const t = field.type;
  if (Array.isArray(value)) {
    if (field.label !== 'repeated') throw new ParseError(`Not expecting a JSON array for field '${field.name}'`);
    for (const item of value) apply(out, field, item);
    return;
  }
  switch (jsonKind(value)) {
    case 'object': {
      if (typeof t === 'object' && 'map' in t) {
        const entries = (out[field.name] as Record<string, unknown> | undefined) ?? {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const holder: Record<string, unknown> = {};
          apply(holder, { ...t.map, label: 'optional' }, v);
          entries[k] = holder[t.map.name];
        }
        out[field.name] = entries;
        return;
      }
      if (typeof t === 'object' && 'message' in t) {
        set(out, field, parseMessage(t.message(), value as Record<string, unknown>));
        return;
      }
      throw new ParseError(`Not expecting a JSON object for field '${field.name}'`);
    }
    case 'string':
      return applyString(out, field, value as string);
    case 'number':
      return applyNumber(out, field, value as number);
    case 'boolean':
      if (t === 'bool') return set(out, field, value);
      throw new ParseError(`Not expecting a JSON boolean for field '${field.name}'`);
  }
}

function applyString(out: Record<string, unknown>, field: FieldDesc, s: string): void {
  const t = field.type;
  if (t === 'string') return set(out, field, s);
  if (t === 'bytes') {
    const decoded = stoutBase64Decode(s);
    if ('error' in decoded)
      throw new ParseError(`Failed to base64 decode bytes field '${field.name}': ${decoded.error}`);
    return set(out, field, decoded.bytes);
  }
  if (typeof t === 'object' && 'enum' in t) {
    if (t.enum.includes(s)) return set(out, field, s);
    if (field.label === 'required') throw new ParseError(`Failed to find enum for '${s}'`);
    return; // proto2: an unknown value of an optional enum is dropped, leaving the field unset.
  }
  if (t === 'double' || t === 'float') {
    if (s === 'Infinity') return set(out, field, Infinity);
    if (s === '-Infinity') return set(out, field, -Infinity);
  }
  if (t === 'double' || t === 'float' || t === 'int32' || t === 'uint32' || t === 'int64' || t === 'uint64') {
    const n = s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(n)) {
      throw new ParseError(
        `Failed to parse '${s}' as a JSON number for field '${field.name}': syntax error at line 1 near: ${s}`,
      );
    }
    return applyNumber(out, field, n);
  }
  if (t === 'bool') {
    if (s === 'true' || s === 'false') return set(out, field, s === 'true');
    throw new ParseError(
      `Failed to parse '${s}' as a JSON boolean for field '${field.name}': syntax error at line 1 near: ${s}`,
    );
  }
  throw new ParseError(`Not expecting a JSON string for field '${field.name}'`);
}

function applyNumber(out: Record<string, unknown>, field: FieldDesc, n: number): void {
  switch (field.type) {
    case 'double':
    case 'float':
      return set(out, field, n);
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64':
      return set(out, field, Math.trunc(n));
    default:
      throw new ParseError(`Not expecting a JSON number for field '${field.name}'`);
  }
}

/**
 * protobuf's FindInitializationErrors: this message's missing required fields in declaration order, then the set
 * sub-messages in field-number order, repeated ones as `name[i].`.
 */
function findInitializationErrors(desc: MessageDesc, m: Record<string, unknown>, prefix: string, out: string[]): void {
  if (desc.opaque) return;
  for (const f of desc.fields) {
    if (f.label === 'required' && m[f.name] === undefined) out.push(prefix + f.name);
  }
  const present = desc.fields.filter((f) => m[f.name] !== undefined).sort((a, b) => a.number - b.number);
  for (const f of present) {
    const t = f.type;
    if (typeof t !== 'object' || !('message' in t)) continue;
    const sub = t.message();
    if (f.label === 'repeated') {
      (m[f.name] as Record<string, unknown>[]).forEach((item, i) =>
        findInitializationErrors(sub, item, `${prefix}${f.name}[${i}].`, out),
      );
    } else {
      findInitializationErrors(sub, m[f.name] as Record<string, unknown>, `${prefix}${f.name}.`, out);
    }
  }
}

/**
 * validation::scheduler::call::validate — the "Failed to validate scheduler::Call: <reason>" checks, in order.
 * `principal` is the authenticated principal when HTTP framework authentication is on.
 */
export function validateCall(call: CallMsg, principal?: string): string | undefined {
  if (call.type === undefined) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (!call.subscribe) return "Expecting 'subscribe' to be present";
    const info = call.subscribe.framework_info;
    if ((info.id?.value ?? '') !== (call.framework_id?.value ?? '')) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    if (principal !== undefined && info.principal !== undefined && principal !== info.principal) {
      return `Authenticated principal '${principal}' does not match principal '${info.principal}' set in \`FrameworkInfo\``;
    }
    return undefined;
  }
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  const needs: Record<string, keyof CallMsg | undefined> = {
    ACCEPT: 'accept',
    DECLINE: 'decline',
    ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
    DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
    KILL: 'kill',
    SHUTDOWN: 'shutdown',
    ACKNOWLEDGE: 'acknowledge',
    ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
    RECONCILE: 'reconcile',
    RECONCILE_OPERATIONS: 'reconcile_operations',
    MESSAGE: 'message',
    REQUEST: 'request',
    UPDATE_FRAMEWORK: 'update_framework',
  };
  const field = needs[call.type];
  if (field !== undefined && call[field] === undefined) return `Expecting '${field}' to be present`;
  if (call.type === 'ACKNOWLEDGE' && !isValidUuidBytes(call.acknowledge!.uuid)) return 'Not a valid UUID';
  if (call.type === 'ACKNOWLEDGE_OPERATION_STATUS') {
    if (!isValidUuidBytes(call.acknowledge_operation_status!.uuid)) return 'Not a valid UUID';
    if (!call.acknowledge_operation_status!.agent_id) return "Expecting 'agent_id' to be present";
  }
  if (call.type === 'UPDATE_FRAMEWORK' && call.update_framework!.framework_info.id?.value !== call.framework_id.value) {
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}
