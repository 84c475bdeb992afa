// Arithmetic on Mesos resource values, done the way the master does it: scalars in fixed point with three decimals
// (the master llrounds value×1000, so 0.1 + 0.2 is exactly 0.3 and a task asking for what was offered always fits),
// ranges as sorted, merged, inclusive intervals. Port assignment follows Marathon: exact host ports where asked,
// otherwise the lowest free ones, and the caller gets back both the ranges consumed (to put in TaskInfo) and what is
// left (to match the next task against the same offer).

import type { Attribute, Range, Resource } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixed-point scalars

/** Scalar units per 1.0: Mesos keeps three decimal places. */
export const SCALAR_SCALE = 1000;

/** A scalar as an integer count of thousandths, rounded half away from zero like C's llround. */
export function toFixed(value: number): number {
  const scaled = value * SCALAR_SCALE;
  return scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
}

export function fromFixed(units: number): number {
  return units / SCALAR_SCALE;
}

/** Rounds a scalar to the three decimals Mesos keeps. */
export function roundScalar(value: number): number {
  return fromFixed(toFixed(value));
}

export function addScalars(...values: number[]): number {
  let units = 0;
  for (const value of values) units += toFixed(value);
  return fromFixed(units);
}

export function subtractScalar(from: number, amount: number): number {
  return fromFixed(toFixed(from) - toFixed(amount));
}

/** -1, 0 or 1, comparing at Mesos precision (so 0.30000000000000004 equals 0.3). */
export function compareScalars(a: number, b: number): -1 | 0 | 1 {
  const d = toFixed(a) - toFixed(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

export function scalarsEqual(a: number, b: number): boolean {
  return toFixed(a) === toFixed(b);
}

/** True when `need` fits into `have` at Mesos precision. */
export function scalarFits(need: number, have: number): boolean {
  return toFixed(need) <= toFixed(have);
}

/** Formats a scalar without float noise: 2 → "2", 0.1+0.2 → "0.3". */
export function formatScalar(value: number): string {
  return String(roundScalar(value));
}

/**
 * Sum of the SCALAR resources called `name` (all roles, unless `include` narrows them: an offer can hold both
 * unreserved and reserved pieces of `cpus`).
 */
export function sumScalar(
  resources: readonly Resource[] | undefined,
  name: string,
  include?: (r: Resource) => boolean,
): number {
  let units = 0;
  for (const r of resources ?? []) {
    if (r.name === name && r.type === 'SCALAR' && r.scalar && (!include || include(r)))
      units += toFixed(r.scalar.value);
  }
  return fromFixed(units);
}

/** Every scalar resource summed by name: `{cpus: 2, mem: 4096, disk: …}`. */
export function scalarTotals(resources: readonly Resource[] | undefined): Record<string, number> {
  const units = new Map<string, number>();
  for (const r of resources ?? []) {
    if (r.type === 'SCALAR' && r.scalar) units.set(r.name, (units.get(r.name) ?? 0) + toFixed(r.scalar.value));
  }
  const out: Record<string, number> = {};
  for (const [name, total] of units) out[name] = fromFixed(total);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges

/** Sorted, with overlapping and adjacent ranges merged; empty or inverted ranges dropped. */
export function normalizeRanges(ranges: readonly Range[] | undefined): Range[] {
  const sorted = (ranges ?? []).filter((r) => r.begin <= r.end).map((r) => ({ begin: r.begin, end: r.end }));
  sorted.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

/** How many values the ranges hold (inclusive ends). */
export function rangesSize(ranges: readonly Range[] | undefined): number {
  let total = 0;
  for (const r of normalizeRanges(ranges)) total += r.end - r.begin + 1;
  return total;
}

export function rangesContain(ranges: readonly Range[] | undefined, value: number): boolean {
  for (const r of ranges ?? []) if (value >= r.begin && value <= r.end) return true;
  return false;
}

/** `a` minus `b`. */
export function subtractRanges(a: readonly Range[] | undefined, b: readonly Range[] | undefined): Range[] {
  const remove = normalizeRanges(b);
  const out: Range[] = [];
  for (const r of normalizeRanges(a)) {
    let begin = r.begin;
    for (const x of remove) {
      if (x.end < begin || x.begin > r.end) continue;
      if (x.begin > begin) out.push({ begin, end: x.begin - 1 });
      begin = Math.max(begin, x.end + 1);
      if (begin > r.end) break;
    }
    if (begin <= r.end) out.push({ begin, end: r.end });
  }
  return out;
}

/** Single values (for example assigned ports) as merged ranges. */
export function valuesToRanges(values: readonly number[]): Range[] {
  return normalizeRanges(values.map((v) => ({ begin: v, end: v })));
}

/** The RANGES resources called `name` (default `ports`), merged. */
export function rangesOf(
  resources: readonly Resource[] | undefined,
  name = 'ports',
  include?: (r: Resource) => boolean,
): Range[] {
  const all: Range[] = [];
  for (const r of resources ?? []) {
    if (r.name === name && r.type === 'RANGES' && (!include || include(r))) all.push(...(r.ranges?.range ?? []));
  }
  return normalizeRanges(all);
}

/** Mesos's text form: `[31000-31004, 31006-32000]`. */
export function formatRanges(ranges: readonly Range[] | undefined): string {
  return `[${normalizeRanges(ranges)
    .map((r) => `${r.begin}-${r.end}`)
    .join(', ')}]`;
}

export interface PortAllocation {
  /** One host port per requested entry, in request order. */
  ports: number[];
  /** The assigned ports as ranges: put these in the task's `ports` resource. */
  consumed: Range[];
  /** What is left of the offered ranges for the next task. */
  remaining: Range[];
}

/**
 * Takes host ports out of `available`. Each entry of `requested` is either an exact port or 0 for "any": exact ports
 * must be offered (and asked for only once); "any" ports are the lowest offered ports not otherwise taken. Returns
 * undefined when the request cannot be met, leaving the caller's ranges untouched.
 */
export function consumePorts(
  available: readonly Range[] | undefined,
  requested: readonly number[],
): PortAllocation | undefined {
  const free = normalizeRanges(available);
  const exact = new Set<number>();
  let anyCount = 0;
  for (const port of requested) {
    if (port === 0) {
      anyCount++;
      continue;
    }
    if (!Number.isInteger(port) || port < 0 || exact.has(port) || !rangesContain(free, port)) return undefined;
    exact.add(port);
  }
  const picked: number[] = [];
  for (const r of free) {
    for (let p = r.begin; p <= r.end && picked.length < anyCount; p++) {
      if (!exact.has(p)) picked.push(p);
    }
    if (picked.length === anyCount) break;
  }
  if (picked.length < anyCount) return undefined;
  let next = 0;
  const ports = requested.map((port) => (port === 0 ? picked[next++]! : port));
  const consumed = valuesToRanges(ports);
  return { ports, consumed, remaining: subtractRanges(free, consumed) };
}

// ---------------------------------------------------------------------------------------------------------------
// Building resources for TaskInfo

/** The role-carrying fields of an offered resource, so a task's resource is "contained" in the offer. */
function roleFields(template: Resource | undefined): Partial<Resource> {
  if (!template) return {};
  const out: Partial<Resource> = {};
  if (template.role !== undefined) out.role = template.role;
  if (template.allocation_info !== undefined) out.allocation_info = template.allocation_info;
  if (template.reservation !== undefined) out.reservation = template.reservation;
  if (template.reservations !== undefined) out.reservations = template.reservations;
  return out;
}

export function scalarResource(name: string, value: number, template?: Resource): Resource {
  return { name, type: 'SCALAR', scalar: { value: roundScalar(value) }, ...roleFields(template) };
}

export function rangesResource(name: string, ranges: readonly Range[], template?: Resource): Resource {
  return { name, type: 'RANGES', ranges: { range: normalizeRanges(ranges) }, ...roleFields(template) };
}

// ---------------------------------------------------------------------------------------------------------------
// Attributes as label values

/**
 * An agent attribute as a string, for node labels and constraints: TEXT as is, SCALAR without float noise ("2",
 * "2.5"), RANGES and SET in Mesos's own text form ("[31000-32000]", "{a, b}").
 */
export function attributeValue(attribute: Attribute): string {
  switch (attribute.type) {
    case 'TEXT':
      return attribute.text?.value ?? '';
    case 'SCALAR':
      return attribute.scalar ? formatScalar(attribute.scalar.value) : '';
    case 'RANGES':
      return formatRanges(attribute.ranges?.range);
    case 'SET':
      return `{${(attribute.set?.item ?? []).join(', ')}}`;
    default:
      return '';
  }
}

/** All attributes as `name → value`; a repeated name keeps its first value, as Mesos's own lookups do. */
export function attributeLabels(attributes: readonly Attribute[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of attributes ?? []) if (!Object.hasOwn(out, a.name)) out[a.name] = attributeValue(a);
  return out;
}
