// Owns the per-node index of host ports in use, derived from a node's containers and memoized on the identity of
// its (immutable) containers array. Without it, a request binding a host port reads every binding of every
// container on every node at each decision (300,000 containers at 10,000 nodes); with it, a node that has not
// changed since the previous decision costs one Map lookup. A view made by `withPending` has a new containers
// array, so its index is rebuilt, for that node only.

import { bindsAllInterfaces } from './host-ip.js';
import type { ContainerOnNode, PortMap } from './types.js';

export interface PortIndex {
  /**
   * Every host port bound, over HostConfig.PortBindings and NetworkSettings.Ports of every container. Ports
   * written canonically in decimal ("8080") are kept as numbers in one typed array, which a lookup scans without
   * touching a string; any other spelling ("08080", a range) is kept as text and compared as text, since Docker
   * (and classic Swarm) compare host ports as strings.
   */
  readonly numericPorts: Int32Array;
  /** numericIps[i] is the IP numericPorts[i] is bound on; undefined when it listens on every interface. */
  readonly numericIps: readonly (string | undefined)[];
  readonly textPorts: readonly string[];
  readonly textIps: readonly (string | undefined)[];
  /** Ports exposed by host-network containers. */
  readonly hostNetworkPorts: readonly string[];
}

// Measured at 10,000 nodes: a Map per node, or an array of port strings, costs a cache miss per entry; one small
// typed array per node costs about one.
const indexes = new WeakMap<readonly ContainerOnNode[], PortIndex>();

export function portIndexOf(containers: readonly ContainerOnNode[]): PortIndex {
  let index = indexes.get(containers);
  if (!index) {
    index = buildIndex(containers);
    indexes.set(containers, index);
  }
  return index;
}

/** A host binding a request wants, prepared once per decision for `hostPortTaken`. */
export interface WantedPort {
  readonly hostPort: string;
  readonly hostIp: string;
  readonly number: number | undefined;
  readonly allInterfaces: boolean;
}

export function wantedPort(hostPort: string, hostIp: string): WantedPort {
  return { hostPort, hostIp, number: canonicalPortNumber(hostPort), allInterfaces: bindsAllInterfaces(hostIp) };
}

/**
 * Whether the wanted binding would clash: its port is bound on the same IP, or either side listens on every
 * interface (classic Swarm's PortFilter.compare).
 */
export function hostPortTaken(index: PortIndex, wanted: WantedPort): boolean {
  if (wanted.number === undefined) {
    const ports = index.textPorts;
    for (let i = 0; i < ports.length; i++) {
      if (ports[i] === wanted.hostPort && clashes(index.textIps[i], wanted)) return true;
    }
    return false;
  }
  const ports = index.numericPorts;
  for (let i = 0; i < ports.length; i++) {
    if (ports[i] === wanted.number && clashes(index.numericIps[i], wanted)) return true;
  }
  return false;
}

function clashes(boundIp: string | undefined, wanted: WantedPort): boolean {
  return boundIp === undefined || wanted.allInterfaces || boundIp === wanted.hostIp;
}

// "8080" → 8080; "08080", "+80", "8000-8010" → undefined (kept as text).
function canonicalPortNumber(port: string): number | undefined {
  return /^(0|[1-9][0-9]{0,8})$/.test(port) ? Number(port) : undefined;
}

function buildIndex(containers: readonly ContainerOnNode[]): PortIndex {
  const numericPorts: number[] = [];
  const numericIps: (string | undefined)[] = [];
  const textPorts: string[] = [];
  const textIps: (string | undefined)[] = [];
  const hostNetworkPorts: string[] = [];
  const add = (map: PortMap) => {
    for (const key in map) {
      for (const bound of map[key] ?? []) {
        // A binding without a host port is one the engine has not assigned yet: NetworkSettings.Ports has it.
        if (!bound.HostPort) continue;
        const ip = bindsAllInterfaces(bound.HostIp) ? undefined : bound.HostIp;
        const number = canonicalPortNumber(bound.HostPort);
        if (number === undefined) {
          textPorts.push(bound.HostPort);
          textIps.push(ip);
        } else {
          numericPorts.push(number);
          numericIps.push(ip);
        }
      }
    }
  };
  for (const container of containers) {
    // Requested bindings (also what a pending container carries) and the engine's actual ones both count, for
    // running and stopped containers alike: a stopped container gets its ports back when restarted.
    add(container.portBindings);
    add(container.publishedPorts);
    // Pending host-network containers count too: classic Swarm missed them (its pending containers had no
    // inspected HostConfig), which let two `--net=host` containers on the same port land on one node.
    if (container.networkMode === 'host') hostNetworkPorts.push(...container.exposedPorts);
  }
  return { numericPorts: Int32Array.from(numericPorts), numericIps, textPorts, textIps, hostNetworkPorts };
}
