// Network routes: local networks are per node (`node/name`), so each call is resolved to the node that holds the
// network; connect and disconnect also resolve the container and refuse a container on another node.
import { route, type Route } from '../router.js';
import { bodies, q, type NetworkConnectBody, type NetworkCreateBody } from '../schema/index.js';
import type { Context } from '../context.js';
import { enginePath, proxyTo } from '../proxy.js';
import { createNetwork, listNetworks, resolveNetwork } from '../../cluster/networks.js';
import { withOwnerLabel } from '../../cluster/prune.js';
import { engineRequest } from '../../engine/request.js';
import { badParameter, conflict } from '../../errors.js';

async function list(ctx: Context): Promise<void> {
  ctx.send(200, await listNetworks(ctx.services.cluster.engines(), ctx.query));
}

async function inspect(ctx: Context): Promise<void> {
  const network = await resolveNetwork(ctx.services.cluster.engines(), ctx.param('id'));
  await proxyTo(ctx, network.engine, enginePath(ctx, `/networks/${encodeURIComponent(network.id)}`));
}

async function create(ctx: Context, body: NetworkCreateBody): Promise<void> {
  if (!body.Name) throw badParameter('network name is required');
  const cluster = ctx.services.cluster;
  const { answer } = await createNetwork(cluster.engines(), withOwnerLabel(body, cluster.ownerLabel));
  ctx.send(201, answer);
}

async function remove(ctx: Context): Promise<void> {
  const network = await resolveNetwork(ctx.services.cluster.engines(), ctx.param('id'));
  await proxyTo(ctx, network.engine, enginePath(ctx, `/networks/${encodeURIComponent(network.id)}`));
}

function attachment(action: 'connect' | 'disconnect') {
  return async (ctx: Context, body: NetworkConnectBody) => {
    const cluster = ctx.services.cluster;
    if (!body.Container) throw badParameter('Container is required');
    const network = await resolveNetwork(cluster.engines(), ctx.param('id'));
    const container = await cluster.locateContainer(body.Container);
    if (!network.global && container.engine !== network.engine) {
      throw conflict(
        `container ${body.Container} is on node ${container.engine.name}, network ${ctx.param('id')} on ${network.engine.name}`,
      );
    }
    const answer = await engineRequest(
      container.engine,
      'POST',
      enginePath(ctx, `/networks/${encodeURIComponent(network.id)}/${action}`),
      { ...body, Container: container.engineContainerId },
    );
    // Answered once the manager has seen the change: the client's next inspect must show the network.
    if (answer.status < 300) await cluster.containerChanged(container);
    ctx.res.writeHead(answer.status, answer.body.length ? { 'Content-Type': 'application/json' } : {});
    ctx.res.end(answer.body);
  };
}

export const networkRoutes: Route[] = [
  { method: 'GET', pattern: '/networks', handler: list, query: { filters: q.filters() } },
  route({ method: 'POST', pattern: '/networks/create', query: {}, body: bodies.networkCreate }, create),
  route(
    { method: 'POST', pattern: '/networks/*id/connect', query: {}, body: bodies.networkConnect },
    attachment('connect'),
  ),
  route(
    { method: 'POST', pattern: '/networks/*id/disconnect', query: {}, body: bodies.networkDisconnect },
    attachment('disconnect'),
  ),
  {
    method: 'GET',
    pattern: '/networks/*id',
    handler: inspect,
    query: { verbose: q.strictBool(), scope: q.oneOf('swarm', 'global', 'local') },
  },
  { method: 'DELETE', pattern: '/networks/*id', handler: remove, query: {} },
];
