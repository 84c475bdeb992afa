// The resources an agent's held offers add up to, and carving a container's share out of them: CPUs and memory
// in Mesos' fixed-point arithmetic, host ports from the offered ranges (the ones a client named, or the first free
// ones), each resource keeping the role it was offered under. Records which offers were drawn on, so a launch
// accepts only the offers it needs and the rest stay held (classic Swarm handed over all of them).
import {
  consumePorts,
  rangesContain,
  rangesResource,
  scalarResource,
  subtractRanges,
  toFixed,
  fromFixed,
  valuesToRanges,
  type Offer,
  type Range,
  type Resource,
} from '../../mesos/index.js';
import type { CreateBody } from '../cluster.js';
import { badParameter } from '../../errors.js';
import { sharesAsCpus, type CpuSharesMeaning } from '../cpu-shares.js';

const MiB = 1024 * 1024;

/** What a container needs from an agent. */
export interface ResourceNeed {
  readonly cpus: number;
  /** Megabytes, as Mesos counts memory. */
  readonly memMb: number;
  /** `80/tcp` → the host port asked for, or undefined for "any free port". */
  readonly ports: readonly (readonly [string, number | undefined])[];
}

interface ScalarEntry {
  readonly offerId: string;
  readonly role: string | undefined;
  /** Fixed-point units left. */
  units: number;
}
interface RangesEntry {
  readonly offerId: string;
  readonly role: string | undefined;
  ranges: Range[];
}

export interface Allocation {
  readonly resources: Resource[];
  readonly hostPorts: Map<string, number>;
  readonly offerIds: Set<string>;
}

/** The unreserved resources of one agent's held offers, consumed as containers are placed in a pass. */
export class OfferPool {
  readonly agentId: string;
  readonly #scalars = new Map<string, ScalarEntry[]>();
  readonly #ports: RangesEntry[] = [];

  constructor(agentId: string, offers: readonly Offer[]) {
    this.agentId = agentId;
    for (const offer of offers) {
      for (const resource of offer.resources ?? []) {
        const role = resource.role && resource.role !== '*' ? resource.role : undefined;
        if (resource.type === 'SCALAR' && resource.scalar && !resource.disk?.persistence && !resource.revocable) {
          const list = this.#scalars.get(resource.name) ?? [];
          // Reserved resources first: they are ours to use and would otherwise sit idle.
          const entry = { offerId: offer.id.value, role, units: toFixed(resource.scalar.value) };
          if (role) list.unshift(entry);
          else list.push(entry);
          this.#scalars.set(resource.name, list);
        } else if (resource.type === 'RANGES' && resource.name === 'ports') {
          this.#ports.push({ offerId: offer.id.value, role, ranges: [...(resource.ranges?.range ?? [])] });
        }
      }
    }
  }

  /** Unused CPUs (as a number). */
  get cpus(): number {
    return this.#total('cpus');
  }
  /** Unused memory in bytes. */
  get memoryBytes(): number {
    return this.#total('mem') * MiB;
  }
  get portRanges(): Range[] {
    return this.#ports.flatMap((e) => e.ranges);
  }

  #total(name: string): number {
    return fromFixed((this.#scalars.get(name) ?? []).reduce((sum, e) => sum + e.units, 0));
  }

  /** Takes `need` out of the pool, or returns undefined (pool unchanged) when it does not fit. */
  allocate(need: ResourceNeed): Allocation | undefined {
    if (toFixed(need.cpus) > toFixed(this.cpus) || toFixed(need.memMb) > toFixed(this.#total('mem'))) return undefined;
    const ports = need.ports.length
      ? consumePorts(
          this.portRanges,
          need.ports.map(([, p]) => p ?? 0),
        )
      : undefined;
    if (need.ports.length && !ports) return undefined;

    const offerIds = new Set<string>();
    const resources: Resource[] = [];
    for (const [name, amount] of [
      ['cpus', need.cpus],
      ['mem', need.memMb],
    ] as const) {
      let left = toFixed(amount);
      const byRole = new Map<string | undefined, number>();
      for (const entry of this.#scalars.get(name) ?? []) {
        if (left <= 0) break;
        const take = Math.min(entry.units, left);
        if (take <= 0) continue;
        entry.units -= take;
        left -= take;
        offerIds.add(entry.offerId);
        byRole.set(entry.role, (byRole.get(entry.role) ?? 0) + take);
      }
      for (const [role, units] of byRole) resources.push(withRole(scalarResource(name, fromFixed(units)), role));
    }

    const hostPorts = new Map<string, number>();
    const portsByRole = new Map<string | undefined, number[]>();
    need.ports.forEach(([key], i) => {
      const port = ports!.ports[i]!;
      hostPorts.set(key, port);
      const entry = this.#ports.find((e) => rangesContain(e.ranges, port))!;
      entry.ranges = subtractRanges(entry.ranges, [{ begin: port, end: port }]);
      offerIds.add(entry.offerId);
      portsByRole.set(entry.role, [...(portsByRole.get(entry.role) ?? []), port]);
    });
    for (const [role, taken] of portsByRole)
      resources.push(withRole(rangesResource('ports', valuesToRanges(taken)), role));
    return { resources, hostPorts, offerIds };
  }
}

function withRole(resource: Resource, role: string | undefined): Resource {
  return role ? { ...resource, role } : resource;
}

export interface NeedDefaults {
  readonly defaultCpus: number | undefined;
  readonly defaultMemMb: number | undefined;
  /** What CpuShares means (`mesos.cpushares`); Swarm's number of CPUs when unset. */
  readonly cpuShares?: CpuSharesMeaning;
}

/**
 * What a create body asks of Mesos. Classic Swarm's rule stands: without `-c`, `--cpus` or `-m` (and without
 * `mesos.defaultcpus`/`mesos.defaultmem`), the container is refused.
 */
export function resourceNeed(config: CreateBody, defaults: NeedDefaults): ResourceNeed {
  const host = config.HostConfig ?? {};
  const nano = Number(host.NanoCpus ?? 0);
  const shares = Number(host.CpuShares ?? 0);
  let cpus = nano > 0 ? nano / 1e9 : sharesAsCpus(shares, defaults.cpuShares ?? 'cpus');
  const memory = Number(host.Memory ?? 0);
  let memMb = memory > 0 ? Math.ceil((memory / MiB) * 1000) / 1000 : 0;
  if (cpus === 0 && memMb === 0 && defaults.defaultCpus === undefined && defaults.defaultMemMb === undefined) {
    throw badParameter('resources constraints (-c and/or -m) are required by mesos');
  }
  if (cpus === 0 && defaults.defaultCpus !== undefined) cpus = defaults.defaultCpus;
  if (memMb === 0 && defaults.defaultMemMb !== undefined) memMb = defaults.defaultMemMb;
  return { cpus, memMb, ports: portNeeds(config) };
}

/** Host ports a container wants: explicit ones, dynamic ones (`-p 80`), and every exposed port with `-P`. */
export function portNeeds(config: CreateBody): [string, number | undefined][] {
  const out: [string, number | undefined][] = [];
  const bindings = config.HostConfig?.PortBindings ?? {};
  for (const [key, list] of Object.entries(bindings)) {
    const normalized = key.includes('/') ? key : `${key}/tcp`;
    for (const binding of list ?? [{}]) {
      const hostPort = binding.HostPort ?? '';
      if (hostPort === '') out.push([normalized, undefined]);
      else if (/^\d+$/.test(hostPort)) out.push([normalized, Number(hostPort)]);
      else throw badParameter(`host port ${hostPort} for ${key}: port ranges are not supported by the mesos driver`);
    }
  }
  if ((config.HostConfig as { PublishAllPorts?: boolean } | undefined)?.PublishAllPorts) {
    for (const key of Object.keys((config.ExposedPorts as Record<string, unknown> | undefined) ?? {})) {
      const normalized = key.includes('/') ? key : `${key}/tcp`;
      if (!out.some(([k]) => k === normalized)) out.push([normalized, undefined]);
    }
  }
  // One mapping per container port and host port: IPv4 and IPv6 bindings of one port are one Mesos mapping.
  const seen = new Set<string>();
  return out.filter(([k, p]) => {
    const id = `${k}:${p ?? '*'}`;
    if (p !== undefined && seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
