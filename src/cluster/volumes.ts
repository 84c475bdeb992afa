// Volumes across engines: listed with local ones named `<node>/<name>`, found by name or `<node>/<name>`,
// created on the named node or, as classic Swarm did, on every healthy node (so a container placed anywhere can
// mount it), and removed from the node named or from every node that has it.
import type { Engine } from '../engine/engine.js';
import { engineRequest } from '../engine/request.js';
import { badParameter, engineFailed, noSuchVolume, unavailable } from '../errors.js';
import type { CreateBody } from './cluster.js';
import { parseFilters } from './container-filters.js';
import { collect, resolveScoped, splitNodeName, type Scoped } from './node-scoped.js';

export type VolumeEntry = Record<string, unknown> & { Name: string; Scope?: string };

function collectVolumes(engines: readonly Engine[], query = ''): Promise<Scoped<VolumeEntry>[]> {
  return collect(
    engines,
    `/volumes${query ? `?${query}` : ''}`,
    (body) => ((body as { Volumes?: VolumeEntry[] | null })?.Volumes ?? []) as VolumeEntry[],
    (v) => ({ id: v.Name, name: v.Name, global: v.Scope === 'global' }),
  );
}

export async function listVolumes(engines: readonly Engine[], query: URLSearchParams): Promise<VolumeEntry[]> {
  // Parsed here, so a malformed filter is the client's 400; `node` is ours, the rest is the engines' to apply.
  const filters = parseFilters(query.get('filters'));
  const wanted = filters.get('node') ?? [];
  filters.delete('node');
  const engineQuery = filters.size ? new URLSearchParams({ filters: JSON.stringify(Object.fromEntries(filters)) }) : '';
  const all = await collectVolumes(
    engines.filter((e) => !wanted.length || wanted.includes(e.name) || wanted.includes(e.id)),
    engineQuery.toString(),
  );
  return all.map((s) => (s.global ? s.item : { ...s.item, Name: `${s.engine.name}/${s.item.Name}` }));
}

export async function resolveVolume(engines: readonly Engine[], ref: string): Promise<Scoped<VolumeEntry>> {
  return resolveScoped(await collectVolumes(engines), ref, 'volume');
}

export async function createVolume(engines: readonly Engine[], body: Record<string, unknown>): Promise<VolumeEntry> {
  const { engine: pinned, name } = splitNodeName(engines, String(body.Name ?? ''));
  const targets = pinned ? [pinned] : engines.filter((e) => e.isHealthy);
  let created: VolumeEntry | undefined;
  for (const engine of targets) {
    const answer = await engineRequest(engine, 'POST', '/volumes/create', { ...body, Name: name });
    if (answer.status >= 300) throw engineFailed(answer.status, `${engine.name}: ${answer.message}`);
    const volume = answer.json as VolumeEntry;
    created ??= { ...volume, Name: `${engine.name}/${volume.Name}` };
  }
  if (!created) throw unavailable('No healthy node available in the cluster');
  return targets.length > 1 ? { ...created, Name: name || created.Name.replace(/^[^/]+\//, '') } : created;
}

export async function removeVolume(engines: readonly Engine[], ref: string, force: boolean): Promise<void> {
  const { engine: pinned, name } = splitNodeName(engines, ref);
  const all = await collectVolumes(pinned ? [pinned] : engines);
  const holders = all.filter((s) => s.name === name);
  if (!holders.length) throw noSuchVolume(ref);
  for (const s of holders) {
    const answer = await engineRequest(
      s.engine,
      'DELETE',
      `/volumes/${encodeURIComponent(s.name)}${force ? '?force=1' : ''}`,
    );
    if (answer.status >= 300 && answer.status !== 404) {
      throw engineFailed(answer.status, `${s.engine.name}: ${answer.message}`);
    }
  }
}

export type { Scoped };

/**
 * Refuses a create whose named volumes need a volume driver no healthy engine has (their `docker info` lists the
 * volume drivers each can use). In mesos mode the engine would find out only inside the task, whose `docker run`
 * then fails with nothing but "Container exited with status 125"; here the client gets the engine's own words. A
 * legacy plugin (a socket or spec file, not `docker plugin install`) is listed only once an engine has used it.
 */
export function refuseUnknownVolumeDrivers(config: CreateBody, engines: readonly Engine[]): void {
  const host = config.HostConfig ?? {};
  const wanted = new Set<string>();
  const namedVolumes = ((host.Binds ?? []) as string[]).some((bind) => !bind.split(':')[0]!.startsWith('/'));
  if (typeof host.VolumeDriver === 'string' && host.VolumeDriver && namedVolumes) wanted.add(host.VolumeDriver);
  for (const mount of (host.Mounts ?? []) as {
    Type?: string;
    VolumeOptions?: { DriverConfig?: { Name?: string } };
  }[]) {
    const driver = mount?.VolumeOptions?.DriverConfig?.Name;
    if ((mount?.Type ?? 'volume') === 'volume' && driver) wanted.add(driver);
  }
  wanted.delete('local');
  if (!wanted.size) return;
  const healthy = engines.filter((e) => e.isHealthy && e.info);
  if (!healthy.length) return;
  const available = new Set(
    healthy.flatMap((e) => ((e.info!.Plugins as { Volume?: string[] } | undefined)?.Volume ?? []) as string[]),
  );
  for (const driver of wanted) {
    if (available.has(driver)) continue;
    throw badParameter(
      `error looking up volume plugin ${driver}: plugin "${driver}" not found on any node (volume drivers: ${[...available].sort().join(', ') || 'none'})`,
    );
  }
}
