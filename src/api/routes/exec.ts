// Exec routes: an exec instance belongs to the container it was created on, so its start (hijacked, or plain
// when detached), resize and inspect go to that container's engine.
import type { Route } from '../router.js';
import type { Context, Hijack } from '../context.js';
import { enginePath, proxyTo } from '../proxy.js';
import { hijack } from '../../engine/hijack.js';

function proxied(suffix: string) {
  return async (ctx: Context) => {
    const location = ctx.services.cluster.locateExec(ctx.param('id'));
    await proxyTo(ctx, location.engine, enginePath(ctx, `/exec/${encodeURIComponent(ctx.param('id'))}${suffix}`));
  };
}

const startHijack: Hijack = (request, socket, head, services) => {
  const id = request.params.id ?? '';
  const location = services.cluster.locateExec(id);
  const version = /^\/v\d+\.\d+\//.exec(request.req.url ?? '')?.[0] ?? '/';
  hijack(
    location.engine,
    { method: 'POST', path: `${version}exec/${encodeURIComponent(id)}/start`, headers: request.req.headers },
    socket,
    head,
  );
};

export const execRoutes: Route[] = [
  { method: 'POST', pattern: '/exec/:id/start', handler: proxied('/start'), hijack: startHijack },
  { method: 'POST', pattern: '/exec/:id/resize', handler: proxied('/resize') },
  { method: 'GET', pattern: '/exec/:id/json', handler: proxied('/json') },
];
