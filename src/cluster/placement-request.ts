// A Docker create body, read for placement: the resources it asks for (in Swarm's meaning: CpuShares is a number
// of CPUs, fractions allowed; NanoCpus is exact), the ports, links and network it needs, and its labels (where the
// scheduling expressions live once `extractSchedulingExpressions` has run).
import type { PlacementRequest, PortMap } from '../scheduler/types.js';
import type { CreateBody } from './cluster.js';

export function placementRequest(body: CreateBody): PlacementRequest {
  const host = body.HostConfig ?? {};
  return {
    image: String(body.Image ?? ''),
    cpus: requestedCpus(body),
    memory: Number(host.Memory ?? 0) || 0,
    labels: body.Labels ?? {},
    networkMode: String(host.NetworkMode ?? ''),
    portBindings: (host.PortBindings ?? {}) as PortMap,
    exposedPorts: Object.keys((body.ExposedPorts as Record<string, unknown> | undefined) ?? {}),
    links: (host.Links ?? []) as string[],
    volumesFrom: (host.VolumesFrom ?? []) as string[],
  };
}

/** CPUs a create body asks for: `--cpus` (NanoCpus) exactly, else `-c` (CpuShares) as a number of CPUs. */
export function requestedCpus(body: CreateBody): number {
  const host = body.HostConfig ?? {};
  const nano = Number(host.NanoCpus ?? 0);
  if (nano > 0) return nano / 1e9;
  const shares = Number(host.CpuShares ?? body.CpuShares ?? 0);
  return shares > 0 ? shares : 0;
}
