// Proxying from a route to the engine that holds a container: the path is rewritten to the engine's own container
// ID (the client may have used a name, `node/name` or a manager ID), the client's API version and query are kept.
import type { Context } from './context.js';
import type { ContainerLocation } from '../cluster/cluster.js';
import type { Engine } from '../engine/engine.js';
import { forward } from '../engine/proxy.js';

export function enginePath(ctx: Context, path: string, query: URLSearchParams = ctx.query): string {
  const q = query.toString();
  return `/v${ctx.apiVersion}${path}${q ? `?${q}` : ''}`;
}

export function containerPath(ctx: Context, location: ContainerLocation, suffix: string): string {
  return enginePath(ctx, `/containers/${encodeURIComponent(location.engineContainerId)}${suffix}`);
}

/**
 * Streams the request body through unless `body` says otherwise: `{ json }` is a body the route checked, sent
 * encoded as what it is (dockerd refuses a JSON body without its Content-Type). Resolves with the engine's status.
 */
export function proxyTo(
  ctx: Context,
  engine: Engine,
  path: string,
  body: Buffer | 'stream' | 'none' | { json: unknown } = ctx.req.method === 'GET' || ctx.req.method === 'HEAD'
    ? 'none'
    : 'stream',
): Promise<number> {
  const json = typeof body === 'object' && !Buffer.isBuffer(body);
  return forward(
    engine,
    {
      method: ctx.req.method ?? 'GET',
      path,
      headers: json ? { ...ctx.req.headers, 'content-type': 'application/json' } : ctx.req.headers,
      body: json
        ? Buffer.from(JSON.stringify(body.json), 'utf8')
        : body === 'none'
          ? undefined
          : body === 'stream'
            ? ctx.req
            : body,
    },
    ctx.res,
  );
}

export async function proxyContainer(ctx: Context, suffix: string, body?: Buffer | 'stream' | 'none'): Promise<number> {
  const location = await ctx.services.cluster.locateContainer(ctx.param('name'));
  return proxyTo(ctx, location.engine, containerPath(ctx, location, suffix), body);
}
