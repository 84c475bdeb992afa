// The node a mesos-mode container is shown on: its agent as `docker inspect`'s Node and as a Docker event's node.
// Its agent's engine gives the address and resources, Mesos' attributes the labels; a container whose agent the
// registry no longer knows keeps the node name its task recorded.
import type { NodeSummary } from '../cluster.js';
import type { EventNode } from '../events.js';
import type { AgentRegistry } from './agents.js';
import type { MesosContainer } from './container.js';

export function nodeSummary(agents: AgentRegistry, c: MesosContainer): NodeSummary | undefined {
  const agent = c.agentId ? agents.get(c.agentId) : undefined;
  if (!agent) return undefined;
  return {
    ID: agent.id,
    IP: agent.hostname,
    Addr: agent.engine.addr,
    Name: c.nodeName || agent.engine.name || agent.hostname,
    Cpus: agent.engine.cpus,
    Memory: agent.engine.memory,
    Labels: { ...(agent.engine.isHealthy ? agent.engine.labels : {}), ...agent.attributeLabels },
  };
}

export function eventNode(agents: AgentRegistry, c: MesosContainer): EventNode {
  const agent = c.agentId ? agents.get(c.agentId) : undefined;
  return {
    Name: c.nodeName || (agent ? agent.engine.name || agent.hostname : ''),
    Id: c.agentId ?? '',
    Addr: agent?.engine.addr ?? '',
    Ip: agent?.hostname ?? '',
  };
}
