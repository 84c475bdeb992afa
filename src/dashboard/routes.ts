// The dashboard's server side, on the API's listeners (same TLS and client-certificate rules): the page and its
// assets (shipped in the package, no build step, nothing fetched from elsewhere), the cluster's overview as JSON,
// and a Server-Sent Events stream of the cluster's Docker events so the page follows changes without reloading.
// Container details (inspect, events, logs) the page reads from the Docker API itself.
import { readFileSync } from 'node:fs';
import type { Context } from '../api/context.js';
import type { Route } from '../api/router.js';
import type { ClusterEvent } from '../cluster/events.js';
import { notFound } from '../errors.js';

/** Containers listed in one overview (newest first); the page says how many more there are. */
export const CONTAINER_LIMIT = 2000;
const HEARTBEAT_MS = 15_000;

// Both src/dashboard/ (tsx) and dist/dashboard/ (the build) are two levels below the package root.
const PAGE_DIR = new URL('../../src/dashboard/page/', import.meta.url);
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};
const cache = new Map<string, Buffer>();

/** Nothing but the manager itself: the page works offline and cannot be made to load anything else. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";

function asset(ctx: Context, file: string): void {
  const type = ASSETS[file];
  if (!type) throw notFound(`no dashboard file ${file}`);
  let body = cache.get(file);
  if (!body) {
    body = readFileSync(new URL(file, PAGE_DIR));
    cache.set(file, body);
  }
  ctx.res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': body.length,
    'Content-Security-Policy': CSP,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

function page(ctx: Context): void {
  // The page's relative asset and API paths need the trailing slash.
  if (!ctx.path.endsWith('/')) {
    ctx.res.writeHead(301, { Location: '/dashboard/', 'Content-Length': 0 });
    ctx.res.end();
    return;
  }
  asset(ctx, 'index.html');
}

function overview(ctx: Context): void {
  const { cluster, metrics, version } = ctx.services;
  ctx.send(200, {
    manager: { version, uptimeSeconds: Math.round(process.uptime()), metrics: metrics.enabled },
    ...cluster.overview({ containerLimit: CONTAINER_LIMIT }),
    recent: metrics.recent.samples(),
  });
}

function events(ctx: Context): Promise<void> {
  const res = ctx.res;
  const log = ctx.services.eventLog;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  if (ctx.req.method === 'HEAD') {
    res.end();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const listener = (event: ClusterEvent) => {
      if (!res.writableEnded) res.write(`event: docker\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    log.on('event', listener);
    res.on('close', () => {
      clearInterval(heartbeat);
      log.off('event', listener);
      resolve();
    });
  });
}

export const dashboardRoutes: readonly Route[] = [
  { method: 'GET', pattern: '/dashboard', query: {}, handler: page },
  { method: 'GET', pattern: '/dashboard/api/overview', query: {}, handler: overview },
  { method: 'GET', pattern: '/dashboard/api/events', query: {}, handler: events },
  { method: 'GET', pattern: '/dashboard/:file', query: {}, handler: (ctx) => asset(ctx, ctx.param('file')) },
];
