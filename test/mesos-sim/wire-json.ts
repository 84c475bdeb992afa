// The master's JSON writer (stout's jsonify over rapidjson): proto `double` fields keep a fractional part (`15.0`,
// `2.0`), int64 fields are bare integers that may exceed 2^53 (written from bigint), unset fields are left out, and
// key order is whatever order the caller built the object in (the simulator builds them in proto declaration order,
// as the master does). Also the event timestamp clock, which must only go forward.

/** Marks a number as a proto `double`, so integers are written with `.0` like the real master does. */
export class Double {
  constructor(readonly value: number) {}
}
export const dbl = (value: number): Double => new Double(value);

/**
 * A value computed each time it is written, never kept. Sim-mode TASK_RUNNING carries a few KB of `docker inspect`;
 * with 100,000 tasks waiting for their acknowledgements, holding it costs hundreds of MB. The maker must return
 * the same value every time (a retried update is the same update).
 */
export class Deferred {
  readonly make: () => unknown;
  constructor(make: () => unknown) {
    this.make = make;
  }
}

function writeDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return `${v}.0`;
  return String(v);
}

/** JSON text of `value`; `undefined` members are omitted, `Double` and `bigint` are written as described above. */
export function toWireJson(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    out.push(Number.isFinite(value) ? String(value) : 'null');
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (value instanceof Double) {
    out.push(writeDouble(value.value));
  } else if (value instanceof Deferred) {
    write(value.make(), out);
  } else if (Array.isArray(value)) {
    out.push('[');
    let first = true;
    for (const item of value) {
      if (item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      write(item, out);
    }
    out.push(']');
  } else if (Buffer.isBuffer(value)) {
    out.push('"', value.toString('base64'), '"');
  } else if (typeof value === 'object') {
    out.push('{');
    let first = true;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(k), ':');
      write(v, out);
    }
    out.push('}');
  } else {
    out.push('null');
  }
}

let lastTimestamp = 0;

/**
 * Seconds since the epoch with microseconds, like `Clock::now().secs()`, and strictly increasing across the whole
 * process so that "newer update" comparisons in frameworks behave.
 */
export function timestampSeconds(): number {
  let t = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6;
  if (t <= lastTimestamp) t = Math.round((lastTimestamp + 0.000001) * 1e6) / 1e6;
  if (t <= lastTimestamp) t = lastTimestamp + 0.000001;
  lastTimestamp = t;
  return t;
}

/** Nanoseconds since the epoch as a bigint (TimeInfo), which does not fit a JS number exactly. */
export function nowNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
