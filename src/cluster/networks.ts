// Networks across engines: listed with local ones named `<node>/<name>`, found by ID, name or `<node>/<name>`,
// created on the node named in `<node>/<name>` (else the healthy node with the fewest containers), removed,
// connected and disconnected on the node that holds them.
import type { Engine } from '../engine/engine.js';
import { engineRequest } from '../engine/request.js';
import { badParameter, conflict, engineFailed, unavailable } from '../errors.js';
import { parseFilters } from './container-filters.js';
import { collect, dedupeGlobal, resolveScoped, splitNodeName, type Scoped } from './node-scoped.js';

export type NetworkEntry = Record<string, unknown> & { Id: string; Name: string; Scope?: string };

function collectNetworks(engines: readonly Engine[], query = ''): Promise<Scoped<NetworkEntry>[]> {
  return collect(
    engines,
    `/networks${query ? `?${query}` : ''}`,
    (body) => (body as NetworkEntry[]) ?? [],
    (n) => ({ id: n.Id, name: n.Name, global: n.Scope === 'swarm' || n.Scope === 'global' }),
  );
}

export async function listNetworks(engines: readonly Engine[], query: URLSearchParams): Promise<NetworkEntry[]> {
  // Checked here, so a malformed filter is the client's 400 rather than one engine's 500.
  const filters = parseFilters(query.get('filters'));
  for (const t of filters.get('type') ?? []) {
    if (t !== 'custom' && t !== 'builtin') throw badParameter(`Invalid filter: 'type'='${t}'`);
  }
  const all = dedupeGlobal(await collectNetworks(engines, query.toString()));
  return all.map((s) => (s.global ? s.item : { ...s.item, Name: `${s.engine.name}/${s.item.Name}` }));
}

export async function resolveNetwork(engines: readonly Engine[], ref: string): Promise<Scoped<NetworkEntry>> {
  return resolveScoped(await collectNetworks(engines), ref, 'network');
}

export async function createNetwork(
  engines: readonly Engine[],
  body: Record<string, unknown>,
): Promise<{ engine: Engine; answer: unknown }> {
  const { engine: pinned, name } = splitNodeName(engines, String(body.Name ?? ''));
  const engine = pinned ?? leastBusy(engines);
  if (!engine) throw unavailable('No healthy node available in the cluster');
  const answer = await engineRequest(engine, 'POST', '/networks/create', { ...body, Name: name });
  if (answer.status >= 300) throw engineFailed(answer.status, answer.message);
  return { engine, answer: answer.json };
}

/** The healthy engine with the fewest containers: spread, for objects that need one node. */
function leastBusy(engines: readonly Engine[]): Engine | undefined {
  return engines
    .filter((e) => e.isHealthy)
    .sort((a, b) => a.containers.size - b.containers.size || a.name.localeCompare(b.name))[0];
}

const BUILTIN_MODES = new Set(['', 'default', 'bridge', 'host', 'none']);

/**
 * A container asking for a node-local network (by `name` or `node/name`, in NetworkMode or EndpointsConfig) can only
 * run where that network is: returns that node's name, and the config with network names made plain for the engine.
 */
export async function pinToNetworkNode<T extends { HostConfig?: { NetworkMode?: string }; NetworkingConfig?: unknown }>(
  /** Asked for only when the config names a network (most do not; a Mesos cluster may have thousands of engines). */
  engines: () => readonly Engine[],
  config: T,
): Promise<{ config: T; node: string | undefined }> {
  const mode = config.HostConfig?.NetworkMode ?? '';
  const endpoints = ((config.NetworkingConfig as { EndpointsConfig?: Record<string, unknown> } | undefined)
    ?.EndpointsConfig ?? {}) as Record<string, unknown>;
  const wanted = [mode, ...Object.keys(endpoints)].filter((n) => !BUILTIN_MODES.has(n) && !n.startsWith('container:'));
  if (!wanted.length) return { config, node: undefined };
  const all = await collectNetworks(engines());
  let node: string | undefined;
  const rename = new Map<string, string>();
  for (const name of new Set(wanted)) {
    let found: Scoped<NetworkEntry>;
    try {
      found = resolveScoped(all, name, 'network');
    } catch {
      continue; // unknown here: the engine will answer with its own error
    }
    if (found.global) continue;
    if (node !== undefined && node !== found.engine.name) {
      throw conflict(`networks ${[...wanted].join(', ')} are on different nodes`);
    }
    node = found.engine.name;
    rename.set(name, found.name);
  }
  if (!rename.size) return { config, node };
  const renamedEndpoints = Object.fromEntries(Object.entries(endpoints).map(([k, v]) => [rename.get(k) ?? k, v]));
  return {
    node,
    config: {
      ...config,
      HostConfig: { ...config.HostConfig, NetworkMode: rename.get(mode) ?? mode },
      ...(config.NetworkingConfig
        ? { NetworkingConfig: { ...(config.NetworkingConfig as object), EndpointsConfig: renamedEndpoints } }
        : {}),
    },
  };
}
