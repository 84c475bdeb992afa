// Volume routes: listed per node (`node/name`), created on the node named or on every healthy node, inspected on
// the node that holds the volume, removed from the node named or from every node that has it.
import { route, type Route } from '../router.js';
import { bodies, q, type VolumeCreateBody } from '../schema/index.js';
import type { Context } from '../context.js';
import { enginePath, proxyTo } from '../proxy.js';
import { createVolume, listVolumes, removeVolume, resolveVolume } from '../../cluster/volumes.js';
import { withOwnerLabel } from '../../cluster/prune.js';

async function list(ctx: Context): Promise<void> {
  ctx.send(200, { Volumes: await listVolumes(ctx.services.cluster.engines(), ctx.query), Warnings: null });
}

async function inspect(ctx: Context): Promise<void> {
  const volume = await resolveVolume(ctx.services.cluster.engines(), ctx.param('name'));
  await proxyTo(ctx, volume.engine, enginePath(ctx, `/volumes/${encodeURIComponent(volume.name)}`));
}

async function create(ctx: Context, body: VolumeCreateBody): Promise<void> {
  const cluster = ctx.services.cluster;
  ctx.send(201, await createVolume(cluster.engines(), withOwnerLabel(body, cluster.ownerLabel)));
}

async function remove(ctx: Context): Promise<void> {
  await removeVolume(ctx.services.cluster.engines(), ctx.param('name'), ctx.bool('force'));
  ctx.send(204);
}

export const volumeRoutes: Route[] = [
  { method: 'GET', pattern: '/volumes', handler: list, query: { filters: q.filters() } },
  route({ method: 'POST', pattern: '/volumes/create', query: {}, body: bodies.volumeCreate }, create),
  { method: 'GET', pattern: '/volumes/*name', handler: inspect, query: {} },
  { method: 'DELETE', pattern: '/volumes/*name', handler: remove, query: { force: q.bool() } },
];
