// Exec routes: an exec instance belongs to the container it was created on, so its start (hijacked, or plain
// when detached), resize and inspect go to that container's engine.
import { route, type Route } from '../router.js';
import { bodies, q, type ExecStartBody } from '../schema/index.js';
import type { Context, Hijack } from '../context.js';
import { enginePath, proxyTo } from '../proxy.js';
import { hijack } from '../../engine/hijack.js';

function proxied(suffix: string) {
  return async (ctx: Context, body?: ExecStartBody) => {
    const location = ctx.services.cluster.execs.locate(ctx.param('id'));
    const path = enginePath(ctx, `/exec/${encodeURIComponent(ctx.param('id'))}${suffix}`);
    await proxyTo(ctx, location.engine, path, body ? { json: body } : 'none');
  };
}

const startHijack: Hijack = (request, socket, head, services) => {
  const id = request.params.id ?? '';
  const location = services.cluster.execs.locate(id);
  const version = /^\/v\d+\.\d+\//.exec(request.req.url ?? '')?.[0] ?? '/';
  hijack(
    location.engine,
    { method: 'POST', path: `${version}exec/${encodeURIComponent(id)}/start`, headers: request.req.headers },
    socket,
    head,
  );
};

export const execRoutes: Route[] = [
  route(
    { method: 'POST', pattern: '/exec/:id/start', hijack: startHijack, query: {}, body: bodies.execStart },
    proxied('/start'),
  ),
  {
    method: 'POST',
    pattern: '/exec/:id/resize',
    handler: proxied('/resize'),
    query: { h: q.int({ min: 0, max: 65_535, required: true }), w: q.int({ min: 0, max: 65_535, required: true }) },
  },
  { method: 'GET', pattern: '/exec/:id/json', handler: proxied('/json'), query: {} },
];
