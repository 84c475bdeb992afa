// `GET /metrics`: the Prometheus text exposition, on the API's listeners (so behind the same TLS and client
// certificate rules). Registered only when metrics are on.
import type { Route } from '../api/router.js';

export const metricsRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: '/metrics',
    query: {},
    handler: async (ctx) => {
      const { contentType, text } = await ctx.services.metrics.exposition();
      const body = Buffer.from(text, 'utf8');
      ctx.res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
      ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
    },
  },
];
