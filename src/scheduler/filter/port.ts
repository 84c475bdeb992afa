// Owns the port filter: a container publishing a fixed host port goes only to a node where that port is free.
// Bridge mode compares host bindings (port and IP); host mode compares the exposed ports of host-network containers.

import { containerLabel } from '../containers.js';
import { bindsAllInterfaces } from '../host-ip.js';
import { hostPortTaken, portIndexOf, wantedPort, type WantedPort } from '../port-index.js';
import type { ContainerOnNode, NodeView, PortMap } from '../types.js';
import type { FilterFactory, FilterStep } from './filter.js';

export const portFilter: FilterFactory = ({ request }) =>
  request.networkMode === 'host' ? new HostModeStep(request.exposedPorts) : new BridgeModeStep(request.portBindings);

class BridgeModeStep implements FilterStep {
  readonly name = 'port';
  readonly noop: boolean;
  readonly failsOnNoNodes: boolean;
  readonly #requested: readonly WantedPort[];
  readonly #fixed: readonly WantedPort[];

  constructor(portBindings: PortMap) {
    const requested: WantedPort[] = [];
    for (const key in portBindings) {
      for (const binding of portBindings[key] ?? []) {
        requested.push(wantedPort(binding.HostPort ?? '', binding.HostIp ?? ''));
      }
    }
    this.#requested = requested;
    // A binding without a host port gets a dynamic one from the engine: it cannot conflict.
    this.#fixed = requested.filter((b) => b.hostPort !== '');
    this.noop = this.#fixed.length === 0;
    this.failsOnNoNodes = requested.length > 0;
  }

  accepts(node: NodeView): boolean {
    for (const wanted of this.#fixed) if (!isFree(node, wanted)) return false;
    return true;
  }

  reason(node: NodeView): string {
    const wanted = this.#fixed.find((b) => !isFree(node, b));
    const holder = wanted && node.containers.find((c) => holdsBinding(c, wanted));
    if (!wanted || !holder) return 'port conflict';
    const where = wanted.hostIp === '' ? wanted.hostPort : `${wanted.hostIp}:${wanted.hostPort}`;
    return `port ${where} is already bound by container ${containerLabel(holder)}`;
  }

  conditions(): readonly string[] {
    return this.#requested.map((b) => `port ${b.hostPort} (Bridge mode)`);
  }

  failure(nodes: readonly NodeView[]): string {
    // Classic Swarm narrows binding by binding and names the binding that left no node.
    let remaining = nodes;
    for (const wanted of this.#fixed) {
      remaining = remaining.filter((node) => isFree(node, wanted));
      if (remaining.length === 0) return `unable to find a node with port ${wanted.hostPort} available`;
    }
    return `unable to find a node with port ${this.#fixed[0]?.hostPort ?? ''} available`;
  }
}

class HostModeStep implements FilterStep {
  readonly name = 'port';
  readonly noop: boolean;
  readonly failsOnNoNodes: boolean;
  readonly #exposedPorts: readonly string[];

  constructor(exposedPorts: readonly string[]) {
    this.#exposedPorts = exposedPorts;
    this.noop = exposedPorts.length === 0;
    this.failsOnNoNodes = exposedPorts.length > 0;
  }

  accepts(node: NodeView): boolean {
    const taken = portIndexOf(node.containers).hostNetworkPorts;
    for (const port of this.#exposedPorts) if (taken.includes(port)) return false;
    return true;
  }

  reason(node: NodeView): string {
    const taken = portIndexOf(node.containers).hostNetworkPorts;
    const port = this.#exposedPorts.find((p) => taken.includes(p));
    const holder =
      port === undefined
        ? undefined
        : node.containers.find((c) => c.networkMode === 'host' && c.exposedPorts.includes(port));
    return holder
      ? `port ${port} is already exposed by host-network container ${containerLabel(holder)}`
      : 'port conflict';
  }

  conditions(): readonly string[] {
    return this.#exposedPorts.map((port) => `port ${port} (Host mode)`);
  }

  failure(nodes: readonly NodeView[]): string {
    let remaining = nodes;
    for (const port of this.#exposedPorts) {
      remaining = remaining.filter((node) => !portIndexOf(node.containers).hostNetworkPorts.includes(port));
      if (remaining.length === 0) return `unable to find a node with port ${port} available in the Host mode`;
    }
    return `unable to find a node with port ${this.#exposedPorts[0] ?? ''} available in the Host mode`;
  }
}

function isFree(node: NodeView, wanted: WantedPort): boolean {
  return !hostPortTaken(portIndexOf(node.containers), wanted);
}

// For explanations only: which container holds the binding (the index knows that it is held, not by whom).
function holdsBinding(container: ContainerOnNode, wanted: WantedPort): boolean {
  return [container.portBindings, container.publishedPorts].some((map) =>
    Object.values(map).some((bindings) =>
      (bindings ?? []).some(
        (bound) =>
          bound.HostPort === wanted.hostPort &&
          (bound.HostIp === wanted.hostIp || wanted.allInterfaces || bindsAllInterfaces(bound.HostIp)),
      ),
    ),
  );
}
