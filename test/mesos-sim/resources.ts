// Resource arithmetic as the master does it: scalars in fixed point with three decimals (llround(value * 1000)), so
// 0.1 + 0.2 == 0.3; port ranges as sorted, coalesced inclusive intervals; sets of strings. Also the conversions the
// simulator needs: TaskInfo resources → checked items (validation texts of Resources::validate), items → the text
// the master prints in "Total resources … is more than available …", a bag → offer resources (proto shape) and → the
// flat `/state` shape.
import type { ResourceMsg } from './messages.js';
import { dbl, type Double } from './wire-json.js';

export type Range = [begin: number, end: number];

/** llround(value * 1000): round half away from zero. */
export const toMilli = (v: number): number => Math.sign(v) * Math.round(Math.abs(v) * 1000);
export const fromMilli = (m: number): number => m / 1000;

/** operator<<(Value::Scalar): the fixed-point value with up to 15 significant digits, no trailing zeros. */
export const formatScalar = (milli: number): string => String(Number(fromMilli(milli).toPrecision(15)));
export const formatRanges = (ranges: readonly Range[]): string => `[${ranges.map(([b, e]) => `${b}-${e}`).join(', ')}]`;

export function coalesce(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [b, e] of sorted) {
    const last = out[out.length - 1];
    if (last && b <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([b, e]);
  }
  return out;
}

export function subtractRanges(from: readonly Range[], minus: readonly Range[]): Range[] {
  let out: Range[] = from.map(([b, e]) => [b, e]);
  for (const [mb, me] of minus) {
    const next: Range[] = [];
    for (const [b, e] of out) {
      if (me < b || mb > e) {
        next.push([b, e]);
        continue;
      }
      if (b < mb) next.push([b, mb - 1]);
      if (e > me) next.push([me + 1, e]);
    }
    out = next;
  }
  return out;
}

/** Whether every value of `inner` lies in `outer` (both coalesced). */
export function rangesContain(outer: readonly Range[], inner: readonly Range[]): boolean {
  return inner.every(([b, e]) => outer.some(([ob, oe]) => ob <= b && e <= oe));
}

const EMPTY_RANGES: ReadonlyMap<string, Range[]> = new Map();
const EMPTY_SETS: ReadonlyMap<string, string[]> = new Map();

/**
 * A set of unreserved resources of one agent, keyed by name and type. `order` keeps the names in first-seen order so
 * offers list them the way the agent declared them.
 */
export class ResourceBag {
  readonly scalars = new Map<string, number>();
  // Ranges and sets are rare outside agent totals and offers: their maps exist only once something is put in them.
  private rangeMap?: Map<string, Range[]>;
  private setMap?: Map<string, string[]>;
  readonly order: string[] = [];

  get ranges(): ReadonlyMap<string, Range[]> {
    return this.rangeMap ?? EMPTY_RANGES;
  }

  get sets(): ReadonlyMap<string, string[]> {
    return this.setMap ?? EMPTY_SETS;
  }

  private note(name: string): void {
    if (!this.order.includes(name)) this.order.push(name);
  }

  addScalar(name: string, milli: number): this {
    this.note(name);
    this.scalars.set(name, (this.scalars.get(name) ?? 0) + milli);
    return this;
  }
  addRanges(name: string, ranges: readonly Range[]): this {
    this.note(name);
    (this.rangeMap ??= new Map()).set(name, coalesce([...(this.ranges.get(name) ?? []), ...ranges]));
    return this;
  }
  addSet(name: string, items: readonly string[]): this {
    this.note(name);
    const cur = [...(this.sets.get(name) ?? [])];
    for (const i of items) if (!cur.includes(i)) cur.push(i);
    (this.setMap ??= new Map()).set(name, cur);
    return this;
  }

  clone(): ResourceBag {
    return new ResourceBag().add(this);
  }

  add(other: ResourceBag): this {
    for (const name of other.order) {
      const s = other.scalars.get(name);
      if (s !== undefined) this.addScalar(name, s);
      const r = other.ranges.get(name);
      if (r !== undefined) this.addRanges(name, r);
      const t = other.sets.get(name);
      if (t !== undefined) this.addSet(name, t);
    }
    return this;
  }

  /** Subtracts what is there; callers check containment first when it matters. */
  subtract(other: ResourceBag): this {
    for (const [k, v] of other.scalars) if (this.scalars.has(k)) this.scalars.set(k, this.scalars.get(k)! - v);
    for (const [k, v] of other.ranges) {
      const mine = this.rangeMap?.get(k);
      if (mine) this.rangeMap!.set(k, subtractRanges(mine, v));
    }
    for (const [k, v] of other.sets) {
      const mine = this.setMap?.get(k);
      if (mine)
        this.setMap!.set(
          k,
          mine.filter((i) => !v.includes(i)),
        );
    }
    return this;
  }

  contains(other: ResourceBag): boolean {
    for (const [k, v] of other.scalars) if (v > 0 && (this.scalars.get(k) ?? 0) < v) return false;
    for (const [k, v] of other.ranges) if (!rangesContain(this.ranges.get(k) ?? [], v)) return false;
    for (const [k, v] of other.sets) {
      const mine = this.sets.get(k) ?? [];
      if (!v.every((i) => mine.includes(i))) return false;
    }
    return true;
  }

  scalar(name: string): number {
    return this.scalars.get(name) ?? 0;
  }

  isEmpty(): boolean {
    for (const v of this.scalars.values()) if (v > 0) return false;
    for (const v of this.ranges.values()) if (v.length > 0) return false;
    for (const v of this.sets.values()) if (v.length > 0) return false;
    return true;
  }

  /** The allocator's default --min_allocatable_resources, "cpus:0.01|mem:32". */
  allocatable(): boolean {
    return this.scalar('cpus') >= 10 || this.scalar('mem') >= 32_000;
  }

  /** Non-empty entries in declared order, for offers and texts. */
  entries(): Array<
    | { name: string; type: 'SCALAR'; milli: number }
    | { name: string; type: 'RANGES'; ranges: Range[] }
    | { name: string; type: 'SET'; items: string[] }
  > {
    const out: ReturnType<ResourceBag['entries']> = [];
    for (const name of this.order) {
      const s = this.scalars.get(name);
      if (s !== undefined && s > 0) out.push({ name, type: 'SCALAR', milli: s });
      const r = this.ranges.get(name);
      if (r !== undefined && r.length > 0) out.push({ name, type: 'RANGES', ranges: r });
      const t = this.sets.get(name);
      if (t !== undefined && t.length > 0) out.push({ name, type: 'SET', items: t });
    }
    return out;
  }

  /** "cpus(allocated: r):2; mem(allocated: r):1024; ports(allocated: r):[31000-32000]" (Resources' operator<<). */
  describe(allocationRole?: string): string {
    const alloc = allocationRole === undefined ? '' : `(allocated: ${allocationRole})`;
    const parts = this.entries().map((e) => {
      const v =
        e.type === 'SCALAR'
          ? formatScalar(e.milli)
          : e.type === 'RANGES'
            ? formatRanges(e.ranges)
            : `{${e.items.join(', ')}}`;
      return `${e.name}${alloc}:${v}`;
    });
    return parts.length === 0 ? '{}' : parts.join('; ');
  }

  /** Offer resources in v1 JSON shape, in declared order. */
  toProto(opts: { role: string; withRole: boolean; withAllocationInfo: boolean }): Record<string, unknown>[] {
    return this.entries().map((e) => {
      const r: Record<string, unknown> = { name: e.name, type: e.type };
      if (e.type === 'SCALAR') r.scalar = { value: dbl(fromMilli(e.milli)) };
      else if (e.type === 'RANGES') r.ranges = { range: e.ranges.map(([b, en]) => ({ begin: b, end: en })) };
      else r.set = { item: e.items };
      if (opts.withRole) r.role = '*';
      if (opts.withAllocationInfo) r.allocation_info = { role: opts.role };
      return r;
    });
  }

  /** The flat shape of the operator endpoints: {"cpus":0.5,"disk":0.0,"gpus":0.0,"mem":256.0,"ports":"[31005-31005]"}. */
  toFlat(): Record<string, Double | string> {
    const out: Record<string, Double | string> = {};
    const names = new Set(['cpus', 'disk', 'gpus', 'mem', ...this.order]);
    for (const name of [...names].sort()) {
      const r = this.ranges.get(name);
      if (r !== undefined) {
        if (r.length > 0) out[name] = formatRanges(r);
        continue;
      }
      const t = this.sets.get(name);
      if (t !== undefined) {
        if (t.length > 0) out[name] = `{${t.join(', ')}}`;
        continue;
      }
      out[name] = dbl(fromMilli(this.scalar(name)));
    }
    return out;
  }
}

/** One resource of a TaskInfo after the master's validation and allocation-info injection. */
export interface ResourceItem {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET';
  milli: number;
  ranges: Range[];
  items: string[];
  allocationRole: string;
  /** Set for statically or dynamically reserved resources, which the simulated agents never have. */
  reservation?: string;
  /** Disk info, revocable, shared or provider resources: never on a simulated agent. */
  exotic: boolean;
}

/** Resources::validate(Resource), message texts included; undefined when valid. */
export function validateResource(r: ResourceMsg): string | undefined {
  if (r.name === '') return 'Empty resource name';
  if (r.type === 'SCALAR') {
    if (!r.scalar || r.ranges || r.set) return 'Invalid scalar resource';
    if (r.scalar.value !== 0 && toMilli(r.scalar.value) <= 0) return 'Invalid scalar resource: value <= 0';
  } else if (r.type === 'RANGES') {
    if (r.scalar || !r.ranges || r.set) return 'Invalid ranges resource';
    const list = r.ranges.range ?? [];
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      if (a.begin > a.end) return 'Invalid ranges resource: begin > end';
      for (let j = i + 1; j < list.length; j++) {
        const b = list[j]!;
        if (a.begin <= b.begin && b.begin <= a.end) return 'Invalid ranges resource: overlapping ranges';
      }
    }
  } else if (r.type === 'SET') {
    if (r.scalar || r.ranges || !r.set) return 'Invalid set resource';
    const items = r.set.item ?? [];
    if (new Set(items).size !== items.length) return 'Invalid set resource: duplicated elements';
  } else {
    return 'Unsupported resource type';
  }
  if (r.disk && r.name !== 'disk') return `DiskInfo should not be set for ${r.name} resource`;
  return undefined;
}

/** operator<<(Resource) for a resource as the scheduler sent it (used in validation errors). */
export function describeResourceMsg(r: ResourceMsg): string {
  let s = r.name;
  if (r.allocation_info) s += `(allocated: ${r.allocation_info.role ?? ''})`;
  s += ':';
  if (r.type === 'SCALAR') s += formatScalar(toMilli(r.scalar?.value ?? 0));
  else if (r.type === 'RANGES') s += formatRanges((r.ranges?.range ?? []).map((x) => [x.begin, x.end] as Range));
  else if (r.type === 'SET') s += `{${(r.set?.item ?? []).join(', ')}}`;
  return s;
}

/** Converts a validated TaskInfo resource, inserting the offer's role where allocation_info is missing. */
export function toItem(r: ResourceMsg, offerRole: string): ResourceItem {
  let reservation: string | undefined;
  if (r.reservations && r.reservations.length > 0) {
    reservation = r.reservations.map((x) => `(${x.type ?? 'UNKNOWN'},${x.role ?? ''})`).join(',');
  } else if (r.role !== undefined && r.role !== '*') {
    reservation = `(${r.reservation ? 'DYNAMIC' : 'STATIC'},${r.role})`;
  }
  return {
    name: r.name,
    type: r.type === 'TEXT' ? 'SCALAR' : r.type,
    milli: r.type === 'SCALAR' ? toMilli(r.scalar?.value ?? 0) : 0,
    ranges: r.type === 'RANGES' ? coalesce((r.ranges?.range ?? []).map((x) => [x.begin, x.end] as Range)) : [],
    items: r.type === 'SET' ? [...(r.set?.item ?? [])] : [],
    allocationRole: r.allocation_info?.role ?? offerRole,
    reservation,
    exotic: Boolean(r.disk || r.revocable || r.shared || r.provider_id),
  };
}

/** The unreserved part of the items as a bag (what containment is checked on). */
export function itemsToBag(items: readonly ResourceItem[]): ResourceBag {
  const bag = new ResourceBag();
  for (const i of items) {
    if (i.type === 'SCALAR') bag.addScalar(i.name, i.milli);
    else if (i.type === 'RANGES') bag.addRanges(i.name, i.ranges);
    else bag.addSet(i.name, i.items);
  }
  return bag;
}

/** Items merged the way `Resources +=` merges them, printed like the master's validation message. */
export function describeItems(items: readonly ResourceItem[]): string {
  const merged = new Map<string, ResourceItem>();
  for (const i of items) {
    const key = `${i.name}\0${i.type}\0${i.allocationRole}\0${i.reservation ?? ''}\0${i.exotic}`;
    const cur = merged.get(key);
    if (!cur) merged.set(key, { ...i, ranges: [...i.ranges], items: [...i.items] });
    else if (i.type === 'SCALAR') cur.milli += i.milli;
    else if (i.type === 'RANGES') cur.ranges = coalesce([...cur.ranges, ...i.ranges]);
    else for (const x of i.items) if (!cur.items.includes(x)) cur.items.push(x);
  }
  if (merged.size === 0) return '{}';
  return [...merged.values()]
    .map((i) => {
      const res = i.reservation ? `(reservations: [${i.reservation}])` : '';
      const v =
        i.type === 'SCALAR'
          ? formatScalar(i.milli)
          : i.type === 'RANGES'
            ? formatRanges(i.ranges)
            : `{${i.items.join(', ')}}`;
      return `${i.name}(allocated: ${i.allocationRole})${res}:${v}`;
    })
    .join('; ');
}
