// Prune and `docker system df` over the cluster's engines, as a user of one daemon expects them: each prune runs on
// every healthy node and the answers merge into one (the deleted lists joined, SpaceReclaimed summed; node-local
// networks and volumes named `<node>/<name>`, as listings name them); df adds every node's usage into one report.
// Where the manager owns only part of an engine (mesos mode: the agents' daemons are shared), `owner` is the label
// the manager puts on what it makes (builds, networks, volumes), and a prune touches only what carries it.
import type { Engine } from '../engine/engine.js';
import { engineRequest } from '../engine/request.js';
import { engineFailed, unavailable } from '../errors.js';
import { setTimeout as sleep } from 'node:timers/promises';

export type PruneKind = 'containers' | 'images' | 'networks' | 'volumes';
/** `[key, value]` of the label on everything the manager makes, when it does not own whole engines. */
export type OwnerLabel = readonly [string, string];
export type Filters = ReadonlyMap<string, readonly string[]>;

const DELETED: Record<PruneKind, string> = {
  containers: 'ContainersDeleted',
  images: 'ImagesDeleted',
  networks: 'NetworksDeleted',
  volumes: 'VolumesDeleted',
};

/** The filters as dockerd reads them, with the owner label added (dockerd ANDs label filters). */
export function filtersJson(filters: Filters, owner: OwnerLabel | undefined): string {
  const out: Record<string, string[]> = Object.fromEntries([...filters].map(([k, v]) => [k, [...v]]));
  if (owner) out.label = [...(out.label ?? []), `${owner[0]}=${owner[1]}`];
  return JSON.stringify(out);
}

/** `POST /<kind>/prune` on every healthy engine, merged. A node that refuses fails the whole call, naming itself. */
export async function pruneEngines(
  engines: readonly Engine[],
  kind: PruneKind,
  filters: Filters,
  owner: OwnerLabel | undefined,
): Promise<Record<string, unknown>> {
  const healthy = engines.filter((e) => e.isHealthy);
  if (!healthy.length) throw unavailable('No healthy node available in the cluster');
  const query = new URLSearchParams({ filters: filtersJson(filters, owner) });
  const answers = await Promise.all(healthy.map((e) => engineRequest(e, 'POST', `/${kind}/prune?${query}`)));
  await Promise.all(
    healthy.map((e) =>
      (kind === 'containers' ? e.refreshContainers() : kind === 'images' ? e.refreshImages() : Promise.resolve()).catch(
        () => undefined,
      ),
    ),
  );
  const failed = answers.findIndex((a) => a.status !== 200);
  if (failed >= 0) {
    const answer = answers[failed]!;
    throw engineFailed(answer.status, `${healthy[failed]!.name}: ${answer.message}`);
  }
  const deleted: unknown[] = [];
  const seen = new Set<string>();
  let reclaimed = 0;
  answers.forEach((answer, i) => {
    const body = (answer.json ?? {}) as Record<string, unknown>;
    reclaimed += Number(body.SpaceReclaimed ?? 0);
    for (const entry of (body[DELETED[kind]] as unknown[] | null) ?? []) {
      // Networks and volumes are named per node; an image deleted on two nodes is listed once.
      const item = kind === 'networks' || kind === 'volumes' ? `${healthy[i]!.name}/${String(entry)}` : entry;
      const key = JSON.stringify(item);
      if (seen.has(key)) continue;
      seen.add(key);
      deleted.push(item);
    }
  });
  return kind === 'networks' ? { [DELETED[kind]]: deleted } : { [DELETED[kind]]: deleted, SpaceReclaimed: reclaimed };
}

export type DfContainer = Record<string, unknown> & { Id: string; Names?: string[]; Labels?: Record<string, string> };

/**
 * `GET /system/df` of every healthy engine in one report. `containers` decides which of an engine's containers
 * the cluster shows and how (the native driver names them `/<node>/<name>`; mesos mode shows its own only, by the
 * IDs and names clients know them by).
 */
export async function diskUsage(
  engines: readonly Engine[],
  containers: (engine: Engine, listed: DfContainer[]) => DfContainer[],
): Promise<Record<string, unknown>> {
  const healthy = engines.filter((e) => e.isHealthy);
  const answers = await Promise.all(healthy.map(engineDiskUsage));
  let layers = 0;
  const images = new Map<string, Record<string, unknown>>();
  const listed: DfContainer[] = [];
  const volumes: Record<string, unknown>[] = [];
  const cache: unknown[] = [];
  answers.forEach((answer, i) => {
    const engine = healthy[i]!;
    if (answer.status !== 200) throw engineFailed(answer.status, `${engine.name}: ${answer.message}`);
    const body = (answer.json ?? {}) as Record<string, unknown>;
    layers += Number(body.LayersSize ?? 0);
    for (const image of (body.Images as Record<string, unknown>[] | null) ?? []) {
      // As `docker images` groups them: one entry per image ID, used by the containers of every node.
      const seen = images.get(String(image.Id));
      if (seen)
        seen.Containers = Math.max(0, Number(seen.Containers ?? 0)) + Math.max(0, Number(image.Containers ?? 0));
      else images.set(String(image.Id), { ...image });
    }
    listed.push(...containers(engine, (body.Containers as DfContainer[] | null) ?? []));
    for (const volume of (body.Volumes as Record<string, unknown>[] | null) ?? []) {
      volumes.push(volume.Scope === 'global' ? volume : { ...volume, Name: `${engine.name}/${String(volume.Name)}` });
    }
    cache.push(...((body.BuildCache as unknown[] | null) ?? []));
  });
  return { LayersSize: layers, Images: [...images.values()], Containers: listed, Volumes: volumes, BuildCache: cache };
}

// A daemon runs one disk-usage walk at a time and answers a second caller 500 "a disk usage operation is already
// running" (API 1.41). Two clients asking the manager at once share one walk per engine; a walk someone else started
// on the daemon is waited out, as it ends by itself.
const walking = new WeakMap<Engine, ReturnType<typeof engineRequest>>();
const BUSY = /disk usage operation is already running/;
const BUSY_RETRY_MS = 250;
const BUSY_WAIT_MS = 60_000;

function engineDiskUsage(engine: Engine): ReturnType<typeof engineRequest> {
  let walk = walking.get(engine);
  if (!walk) {
    walk = (async () => {
      for (const deadline = Date.now() + BUSY_WAIT_MS; ;) {
        const answer = await engineRequest(engine, 'GET', '/system/df');
        if (!(answer.status === 500 && BUSY.test(answer.message)) || Date.now() > deadline) return answer;
        await sleep(BUSY_RETRY_MS);
      }
    })().finally(() => walking.delete(engine));
    walking.set(engine, walk);
  }
  return walk;
}

/** A create body (network, volume) with the owner label added, when there is one. */
export function withOwnerLabel<T extends Record<string, unknown>>(body: T, owner: OwnerLabel | undefined): T {
  if (!owner) return body;
  const labels = (body.Labels as Record<string, string> | null | undefined) ?? {};
  return { ...body, Labels: { ...labels, [owner[0]]: owner[1] } };
}
