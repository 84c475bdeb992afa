// Prune routes and `docker system df`, over the whole cluster (cluster/prune.ts): containers through the driver
// (mesos mode prunes its own containers only), images, networks and volumes on every healthy node, restricted to
// what the manager made when it shares the nodes (the driver's owner label).
import type { Route } from '../router.js';
import { q } from '../schema/index.js';
import type { Context } from '../context.js';
import { parseFilters } from '../../cluster/container-filters.js';
import { pruneEngines, type PruneKind } from '../../cluster/prune.js';

async function pruneContainers(ctx: Context): Promise<void> {
  ctx.send(200, await ctx.services.cluster.pruneContainers(parseFilters(ctx.query.get('filters'))));
}

function pruneOnNodes(kind: Exclude<PruneKind, 'containers'>) {
  return async (ctx: Context) => {
    const cluster = ctx.services.cluster;
    const filters = parseFilters(ctx.query.get('filters'));
    ctx.send(200, await pruneEngines(cluster.engines(), kind, filters, cluster.ownerLabel));
  };
}

async function diskUsage(ctx: Context): Promise<void> {
  ctx.send(200, await ctx.services.cluster.diskUsage());
}

const filtersQuery = { filters: q.filters() };

export const pruneRoutes: Route[] = [
  { method: 'POST', pattern: '/containers/prune', handler: pruneContainers, query: filtersQuery },
  { method: 'POST', pattern: '/images/prune', handler: pruneOnNodes('images'), query: filtersQuery },
  { method: 'POST', pattern: '/networks/prune', handler: pruneOnNodes('networks'), query: filtersQuery },
  { method: 'POST', pattern: '/volumes/prune', handler: pruneOnNodes('volumes'), query: filtersQuery },
  { method: 'GET', pattern: '/system/df', handler: diskUsage, query: {} },
];
