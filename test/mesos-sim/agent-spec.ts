// Turns the friendly agent description of the options (cpus, mem, ports, attributes as a record, docker host and
// port) into an agent's configuration: resources in the order a real agent lists them (ports, cpus, mem, disk),
// Mesos-style attribute typing (numbers are SCALAR, "[a-b]" RANGES, "{a,b}" SET, anything else TEXT), a
// `docker_port` attribute for the framework to reach the agent's engine, and one Docker client per engine address.
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import type { AttributeValue } from './agent.js';
import { coalesce, ResourceBag, toMilli, type Range } from './resources.js';

export interface AgentSpec {
  /** Default: 127.0.0.1 for agents with a Docker host, `agent-<n>.mesos-sim` otherwise. */
  hostname?: string;
  ip?: string;
  /** The agent's libprocess port, shown in offers' `url` (default 5051). */
  port?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  /** Port ranges, e.g. [[31000, 32000]] or "[31000-32000]". */
  ports?: Array<[number, number]> | string;
  /** Further resources: numbers are scalars, [[b,e],…] ranges, string lists sets. */
  resources?: Record<string, number | Array<[number, number]> | string[]>;
  /** {rack: 'r1', zone: 2, docker_port: 2375} or typed values. */
  attributes?: Record<string, string | number> | AttributeValue[];
  /** The engine this agent runs containers on, as --docker_socket would say (unix:///… or tcp://host:port). */
  dockerHost?: string;
  /** Adds a SCALAR `docker_port` attribute (classic Swarm connects to <hostname>:<docker_port>). */
  dockerPort?: number;
  /** Users that exist on the agent besides root (default: the names in this machine's /etc/passwd). */
  users?: string[];
}

export function parseRanges(spec: Array<[number, number]> | string): Range[] {
  if (typeof spec !== 'string') return coalesce(spec.map(([b, e]) => [b, e]));
  const out: Range[] = [];
  for (const part of spec.replace(/[[\]\s]/g, '').split(',')) {
    if (!part) continue;
    const [b, e] = part.split('-').map(Number);
    out.push([b!, e ?? b!]);
  }
  return coalesce(out);
}

export function buildResources(spec: AgentSpec): ResourceBag {
  const bag = new ResourceBag();
  bag.addRanges('ports', parseRanges(spec.ports ?? [[31000, 32000]]));
  bag.addScalar('cpus', toMilli(spec.cpus ?? 4));
  bag.addScalar('mem', toMilli(spec.mem ?? 8192));
  bag.addScalar('disk', toMilli(spec.disk ?? 65536));
  if (spec.gpus) bag.addScalar('gpus', toMilli(spec.gpus));
  for (const [name, v] of Object.entries(spec.resources ?? {})) {
    if (typeof v === 'number') bag.addScalar(name, toMilli(v));
    else if (v.length > 0 && typeof v[0] === 'string') bag.addSet(name, v as string[]);
    else bag.addRanges(name, parseRanges(v as Array<[number, number]>));
  }
  return bag;
}

export function buildAttributes(spec: AgentSpec): AttributeValue[] {
  const out: AttributeValue[] = [];
  if (Array.isArray(spec.attributes)) {
    out.push(...spec.attributes);
  } else {
    for (const [name, v] of Object.entries(spec.attributes ?? {})) {
      if (typeof v === 'number') out.push({ name, type: 'SCALAR', scalar: v });
      else if (/^\[.*\]$/.test(v)) out.push({ name, type: 'RANGES', ranges: parseRanges(v) });
      else if (/^\{.*\}$/.test(v))
        out.push({
          name,
          type: 'SET',
          set: v
            .slice(1, -1)
            .split(',')
            .map((s) => s.trim()),
        });
      else if (/^-?\d+(\.\d+)?$/.test(v)) out.push({ name, type: 'SCALAR', scalar: Number(v) });
      else out.push({ name, type: 'TEXT', text: v });
    }
  }
  if (spec.dockerPort !== undefined && !out.some((a) => a.name === 'docker_port')) {
    out.push({ name: 'docker_port', type: 'SCALAR', scalar: spec.dockerPort });
  }
  return out;
}

let passwdUsers: Set<string> | undefined;

/** The user names of this machine, which the agents pretend to be. */
export function localUsers(): Set<string> {
  if (!passwdUsers) {
    passwdUsers = new Set(['root']);
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const name = line.split(':')[0];
        if (name) passwdUsers.add(name);
      }
    } catch {
      // no /etc/passwd: only root exists
    }
  }
  return passwdUsers;
}

const clients = new Map<string, Docker>();

/** One Dockerode client per engine address. */
export function dockerClient(host: string): Docker {
  let c = clients.get(host);
  if (!c) {
    if (host.startsWith('unix://')) c = new Docker({ socketPath: host.slice('unix://'.length) });
    else {
      const u = new URL(host.replace(/^tcp:/, 'http:'));
      c = new Docker({ host: u.hostname, port: Number(u.port || 2375), protocol: 'http' });
    }
    clients.set(host, c);
  }
  return c;
}
