// A Docker create body, read for placement: the resources it asks for (CpuShares in the cluster's meaning, see
// cpu-shares.ts: by default Swarm's, a number of CPUs, fractions allowed; NanoCpus is exact), the ports, links and network it needs, and its labels (where the
// scheduling expressions live once `extractSchedulingExpressions` has run).
import type { NodeView, PlacementRequest, PortMap } from '../scheduler/types.js';
import type { CreateBody } from './cluster.js';
import { badParameter } from '../errors.js';
import { NO_RESOURCES } from '../scheduler/strategy/weigh.js';
import { sharesAsCpus, type CpuSharesMeaning } from './cpu-shares.js';

export function placementRequest(body: CreateBody, cpuShares: CpuSharesMeaning = 'cpus'): PlacementRequest {
  const host = body.HostConfig ?? {};
  return {
    image: String(body.Image ?? ''),
    cpus: requestedCpus(body, cpuShares),
    memory: Number(host.Memory ?? 0) || 0,
    labels: body.Labels ?? {},
    networkMode: String(host.NetworkMode ?? ''),
    portBindings: (host.PortBindings ?? {}) as PortMap,
    exposedPorts: Object.keys((body.ExposedPorts as Record<string, unknown> | undefined) ?? {}),
    links: (host.Links ?? []) as string[],
    volumesFrom: (host.VolumesFrom ?? []) as string[],
  };
}

/** CPUs a create body asks for: `--cpus` (NanoCpus) exactly, else `-c` (CpuShares) in the cluster's meaning. */
function requestedCpus(body: CreateBody, cpuShares: CpuSharesMeaning = 'cpus'): number {
  const host = body.HostConfig ?? {};
  const nano = Number(host.NanoCpus ?? 0);
  if (nano > 0) return nano / 1e9;
  const shares = Number(host.CpuShares ?? 0);
  return sharesAsCpus(shares, cpuShares);
}

/**
 * A 400 for a container no node could take even if it were empty (`-m 1p`, `-c 512` read as 512 CPUs): the request
 * is what is wrong, not the cluster's state. The text stays classic Swarm's, which scripts grep for; its 500 did not
 * tell the client that retrying cannot help. Without a healthy node there is nothing to compare with, and placement
 * answers as it does.
 */
export function checkFitsSomeNode(request: PlacementRequest, nodes: readonly NodeView[]): void {
  const healthy = nodes.filter((n) => n.healthIndicator > 0);
  if (!healthy.length) return;
  if (healthy.some((n) => request.cpus <= n.totalCpus && request.memory <= n.totalMemory)) return;
  throw badParameter(NO_RESOURCES);
}
