// `POST /build` (docker build, docker-compose build): placed by the cluster like a container (build args of the
// scheduling kinds steer it), then streamed to that engine — the context tar from the client, or the engine fetching
// the `remote` URL itself — with the engine's progress streamed back, led by a line naming the node. The engine's
// images are re-read before the answer ends, so a `docker run` right after the build finds the image there.
// `/build/prune` (BuildKit's cache) stays unsupported (routes/unsupported.ts).
import type { Route } from '../router.js';
import { q } from '../schema/index.js';
import type { Context } from '../context.js';
import { enginePath } from '../proxy.js';
import { forward } from '../../engine/proxy.js';
import { buildRequest } from '../../cluster/build-request.js';

async function build(ctx: Context): Promise<void> {
  const cluster = ctx.services.cluster;
  const request = buildRequest(ctx.query, cluster.ownerLabel);
  const { engine, node } = await cluster.buildTarget(request.placement);
  await forward(
    engine,
    {
      method: 'POST',
      path: enginePath(ctx, '/build', request.engineQuery),
      headers: ctx.req.headers,
      body: ctx.req,
      prelude: request.quiet
        ? undefined
        : `${JSON.stringify({ stream: `Building on ${node} (${engine.addr})\n` })}\r\n`,
      beforeEnd: () => engine.refreshImages(),
    },
    ctx.res,
  );
}

/** What dockerd 20.10's POST /build reads; only these reach the engine. */
const buildQuery = {
  dockerfile: q.string(),
  t: q.string(),
  extrahosts: q.string(),
  remote: q.string(),
  q: q.bool(),
  nocache: q.bool(),
  cachefrom: q.string(),
  pull: q.string(),
  rm: q.bool(),
  forcerm: q.bool(),
  memory: q.int({ min: 0 }),
  memswap: q.int({ min: -1 }),
  cpushares: q.int({ min: 0 }),
  cpusetcpus: q.string(),
  cpusetmems: q.string(),
  cpuperiod: q.int({ min: 0 }),
  cpuquota: q.int({ min: 0 }),
  cgroupparent: q.string(),
  buildargs: q.string(),
  shmsize: q.int({ min: 0 }),
  squash: q.bool(),
  labels: q.string(),
  networkmode: q.string(),
  platform: q.string(),
  target: q.string(),
  outputs: q.string(),
  ulimits: q.string(),
  isolation: q.string(),
  version: q.oneOf('1', '2'),
  session: q.string(),
  buildid: q.string(),
};

export const buildRoutes: Route[] = [{ method: 'POST', pattern: '/build', handler: build, query: buildQuery }];
