// How a container is shown to clients: the `docker ps` summary built from the engine's inspect data (names as
// `/<node>/<name>`, a status recomputed at answer time, wildcard port IPs replaced by the node's address), and the
// inspect body with classic Swarm's `Node` object. One place, so both drivers show containers the same way.
import { isIPv4, isIPv6 } from 'node:net';
import type { ContainerDetails } from '../engine/engine.js';
import type { NodeSummary } from './cluster.js';
import { humanDuration } from '../util/time.js';

export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** A state's start and finish, parsed (ms since the epoch; NaN when absent, negative for Docker's zero time). */
export interface StateTimes {
  readonly started: number;
  readonly finished: number;
}

export function stateTimes(state: ContainerDetails['State'] | undefined): StateTimes {
  return { started: Date.parse(state?.StartedAt ?? ''), finished: Date.parse(state?.FinishedAt ?? '') };
}

/**
 * Docker's Status column: "Up 5 seconds (healthy)", "Exited (3) 2 minutes ago", "Created", … `times` may be passed
 * parsed once (a `docker ps` of 30,000 containers otherwise parsed 60,000 timestamps per call).
 */
export function statusText(
  state: ContainerDetails['State'] | undefined,
  now = Date.now(),
  nodeDown = false,
  times: StateTimes = stateTimes(state),
): string {
  if (nodeDown) return 'Host Down';
  if (!state) return 'Created';
  const { started, finished } = times;
  const health = (state as { Health?: { Status?: string } }).Health?.Status;
  if (state.Restarting) return `Restarting (${state.ExitCode}) ${humanDuration(now - finished)} ago`;
  if (state.Running) {
    let text = `Up ${humanDuration(now - started)}`;
    if (state.Paused) text += ' (Paused)';
    else if (health === 'starting') text += ' (health: starting)';
    else if (health && health !== 'none') text += ` (${health})`;
    return text;
  }
  if (state.Status === 'removing') return 'Removal In Progress';
  if (state.Dead || state.Status === 'dead') return 'Dead';
  // Before 1970-01-01T00:00:01 is Docker's zero time ("0001-01-01T00:00:00Z"): never started, never finished.
  if (state.Status === 'created' || !(started >= 1000)) return 'Created';
  if (!(finished >= 1000)) return `Exited (${state.ExitCode})`;
  return `Exited (${state.ExitCode}) ${humanDuration(now - finished)} ago`;
}

/** `NetworkSettings.Ports` as the list endpoint shows them; unspecified host IPs become the node's IP. */
export function portSummaries(details: ContainerDetails, nodeIp: string): PortSummary[] {
  const out: PortSummary[] = [];
  const ports = (details.NetworkSettings?.Ports ?? {}) as Record<string, HostBinding[] | null>;
  const exposed = Object.keys((details.Config?.ExposedPorts as Record<string, unknown> | undefined) ?? {});
  for (const key of new Set([...Object.keys(ports), ...exposed])) {
    const [port, type = 'tcp'] = key.split('/');
    const bindings = publicBindings(ports[key], nodeIp);
    if (!bindings?.length) {
      out.push({ PrivatePort: Number(port), Type: type });
      continue;
    }
    for (const binding of bindings) {
      out.push({ IP: binding.HostIp, PrivatePort: Number(port), PublicPort: Number(binding.HostPort), Type: type });
    }
  }
  return out;
}

interface HostBinding {
  HostIp: string;
  HostPort: string;
}

/** Wildcard host IPs and the address family each listens on ('' is a binding asked for without an address). */
const WILDCARD_FAMILY: Readonly<Record<string, 4 | 6>> = { '': 4, '0.0.0.0': 4, '::': 6 };

/**
 * The address a client reaches a binding at. A wildcard of the node address's family becomes the node's address, as
 * classic Swarm did for 0.0.0.0; a node known by hostname answers on both families. A wildcard of the other family
 * stays as dockerd reported it: an IPv6 binding can have a host port of its own (`-p 80` publishes 0.0.0.0:32769 and
 * [::]:32768), so writing the node's IPv4 address on it would send clients to whatever holds 32768 on IPv4.
 */
export function publicIp(hostIp: string | undefined, nodeIp: string): string {
  if (!hostIp) return nodeIp;
  const family = WILDCARD_FAMILY[hostIp];
  if (family === undefined) return hostIp;
  const nodeFamily = isIPv4(nodeIp) ? 4 : isIPv6(nodeIp) ? 6 : undefined;
  return nodeFamily === undefined || nodeFamily === family ? nodeIp : hostIp;
}

/**
 * One port's bindings as clients can use them (see publicIp). dockerd publishes `-p 8080:80` on both families; once
 * one of them shows as the node's address, the other family's wildcard on the same host port adds nothing and is
 * dropped, so `docker port` and `docker ps` show each way in once.
 */
export function publicBindings<B extends HostBinding>(
  bindings: readonly B[] | null | undefined,
  nodeIp: string,
): B[] | null {
  if (!bindings) return null;
  const shown = bindings.map((binding) => ({ ...binding, HostIp: publicIp(binding.HostIp, nodeIp) }));
  const onNode = new Set(shown.filter((b) => b.HostIp === nodeIp).map((b) => b.HostPort));
  const seen = new Set<string>();
  return shown.filter((binding) => {
    if (binding.HostIp in WILDCARD_FAMILY && onNode.has(binding.HostPort)) return false;
    const key = `${binding.HostIp} ${binding.HostPort}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The `GET /containers/json` entry for one container. */
export function containerSummary(
  details: ContainerDetails,
  display: { id: string; names: string[]; nodeIp: string; nodeDown: boolean; labels?: Record<string, string> },
): Record<string, unknown> {
  return {
    Id: display.id,
    Names: display.names,
    Image: details.Config?.Image ?? '',
    ImageID: details.Image,
    Command: [details.Path, ...(details.Args ?? [])].filter((part) => part !== undefined && part !== '').join(' '),
    Created: Math.floor(Date.parse(details.Created) / 1000),
    Ports: portSummaries(details, display.nodeIp),
    Labels: display.labels ?? details.Config?.Labels ?? {},
    State: display.nodeDown ? 'unknown' : details.State?.Status,
    Status: statusText(details.State, Date.now(), display.nodeDown),
    HostConfig: { NetworkMode: details.HostConfig?.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: details.NetworkSettings?.Networks ?? {} },
    Mounts: details.Mounts ?? [],
  };
}

/** Inspect output with the `Node` object inserted and unspecified binding IPs made concrete, as classic Swarm did. */
export function inspectWithNode(details: Record<string, unknown>, node: NodeSummary): Record<string, unknown> {
  const out: Record<string, unknown> = { ...details, Node: node };
  const settings = details.NetworkSettings as { Ports?: Record<string, HostBinding[] | null> } | undefined;
  if (settings?.Ports) {
    const ports: Record<string, HostBinding[] | null> = {};
    for (const [key, bindings] of Object.entries(settings.Ports)) ports[key] = publicBindings(bindings, node.IP);
    out.NetworkSettings = { ...settings, Ports: ports };
  }
  return out;
}
