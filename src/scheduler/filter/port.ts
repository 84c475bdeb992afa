// Owns the port filter: a container publishing a fixed host port goes only to a node where that port is free.
// Bridge mode compares host bindings (port and IP); host mode compares the exposed ports of host-network containers.

import { containerLabel } from '../containers.js';
import { bindsAllInterfaces } from '../host-ip.js';
import { hostPortTaken, portIndexOf, wantedPort, type WantedPort } from '../port-index.js';
import type { ContainerOnNode, NodeView, PortMap } from '../types.js';
import type { FilterFactory, FilterStep } from './filter.js';

export const portFilter: FilterFactory = ({ request }) =>
  request.networkMode === 'host' ? hostModeStep(request.exposedPorts) : bridgeModeStep(request.portBindings);

function bridgeModeStep(portBindings: PortMap): FilterStep {
  const requested: WantedPort[] = [];
  for (const key in portBindings) {
    for (const binding of portBindings[key] ?? [])
      requested.push(wantedPort(binding.HostPort ?? '', binding.HostIp ?? ''));
  }
  // A binding without a host port gets a dynamic one from the engine: it cannot conflict.
  const fixed = requested.filter((b) => b.hostPort !== '');
  const free = (node: NodeView, wanted: WantedPort) => !hostPortTaken(portIndexOf(node.containers), wanted);
  return {
    name: 'port',
    noop: fixed.length === 0,
    failsOnNoNodes: requested.length > 0,
    accepts: (node) => {
      for (const wanted of fixed) if (!free(node, wanted)) return false;
      return true;
    },
    reason: (node) => {
      const wanted = fixed.find((b) => !free(node, b));
      const holder = wanted && node.containers.find((c) => binds(c, wanted));
      const where = wanted && (wanted.hostIp === '' ? wanted.hostPort : `${wanted.hostIp}:${wanted.hostPort}`);
      return holder ? `port ${where} is already bound by container ${containerLabel(holder)}` : 'port conflict';
    },
    conditions: () => requested.map((b) => `port ${b.hostPort} (Bridge mode)`),
    failure: (nodes) => {
      // Classic Swarm narrows binding by binding and names the binding that left no node.
      let remaining = nodes;
      for (const wanted of fixed) {
        remaining = remaining.filter((node) => free(node, wanted));
        if (remaining.length === 0) return `unable to find a node with port ${wanted.hostPort} available`;
      }
      return `unable to find a node with port ${fixed[0]?.hostPort ?? ''} available`;
    },
  };
}

function hostModeStep(exposedPorts: readonly string[]): FilterStep {
  const free = (node: NodeView, port: string) => !portIndexOf(node.containers).hostNetworkPorts.includes(port);
  return {
    name: 'port',
    noop: exposedPorts.length === 0,
    failsOnNoNodes: exposedPorts.length > 0,
    accepts: (node) => exposedPorts.every((port) => free(node, port)),
    reason: (node) => {
      const port = exposedPorts.find((p) => !free(node, p));
      const holder =
        port === undefined
          ? undefined
          : node.containers.find((c) => c.networkMode === 'host' && c.exposedPorts.includes(port));
      return holder
        ? `port ${port} is already exposed by host-network container ${containerLabel(holder)}`
        : 'port conflict';
    },
    conditions: () => exposedPorts.map((port) => `port ${port} (Host mode)`),
    failure: (nodes) => {
      let remaining = nodes;
      for (const port of exposedPorts) {
        remaining = remaining.filter((node) => free(node, port));
        if (remaining.length === 0) return `unable to find a node with port ${port} available in the Host mode`;
      }
      return `unable to find a node with port ${exposedPorts[0] ?? ''} available in the Host mode`;
    },
  };
}

// For explanations only: which container holds the binding (the index knows that it is held, not by whom).
function binds(container: ContainerOnNode, wanted: WantedPort): boolean {
  const maps = [container.portBindings, container.publishedPorts];
  return maps.some((map) =>
    Object.values(map).some((bindings) =>
      (bindings ?? []).some(
        (bound) =>
          bound.HostPort === wanted.hostPort &&
          (wanted.hostIp === (bound.HostIp ?? '') ||
            bindsAllInterfaces(wanted.hostIp) ||
            bindsAllInterfaces(bound.HostIp)),
      ),
    ),
  );
}
