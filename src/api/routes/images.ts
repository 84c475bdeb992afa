// Image routes over every engine of the cluster: a grouped list, pull/import/load on every healthy engine with
// progress tagged by node, lookups (inspect, history, save, push) on an engine that holds the image, tag and remove
// wherever it is.
import type { Route } from '../router.js';
import { q } from '../schema/index.js';
import type { Context } from '../context.js';
import { enginePath, proxyTo } from '../proxy.js';
import { fanOut } from '../fanout.js';
import { enginesWithImage, firstEngineWithImage, listImages, removeImage, tagImage } from '../../cluster/images.js';
import { badParameter, noSuchImage, notFound, unavailable } from '../../errors.js';

async function list(ctx: Context): Promise<void> {
  ctx.send(200, await listImages(ctx.services.cluster.engines(), ctx.query));
}

async function create(ctx: Context): Promise<void> {
  const fromImage = ctx.query.get('fromImage');
  const fromSrc = ctx.query.get('fromSrc');
  if (!fromImage && !fromSrc) throw badParameter('fromImage or fromSrc is required');
  const engines = ctx.services.cluster.engines();
  const image = fromImage ? `${fromImage}${ctx.query.get('tag') ? `:${ctx.query.get('tag')}` : ''}` : fromSrc!;
  const auth = ctx.req.headers['x-registry-auth'];
  await fanOut(
    engines,
    {
      method: 'POST',
      path: enginePath(ctx, '/images/create'),
      headers: {
        ...(auth ? { 'X-Registry-Auth': auth } : {}),
        ...(fromSrc === '-' ? { 'Content-Type': ctx.req.headers['content-type'] ?? 'application/x-tar' } : {}),
      },
      body: fromSrc === '-' ? ctx.req : undefined,
      tag: (line, engine) => ({
        ...line,
        id: engine.name,
        status: `${fromImage ? 'Pulling' : 'Importing'} ${image}... : ${String(line.status ?? '')}`,
      }),
    },
    ctx.res,
  );
  await Promise.all(engines.map((e) => e.refreshImages().catch(() => undefined)));
}

async function load(ctx: Context): Promise<void> {
  const engines = ctx.services.cluster.engines();
  await fanOut(
    engines,
    {
      method: 'POST',
      path: enginePath(ctx, '/images/load'),
      headers: { 'Content-Type': ctx.req.headers['content-type'] ?? 'application/x-tar' },
      body: ctx.req,
      tag: (line, engine) =>
        typeof line.stream === 'string' ? { ...line, stream: `${engine.name}: ${line.stream}` } : line,
    },
    ctx.res,
  );
  await Promise.all(engines.map((e) => e.refreshImages().catch(() => undefined)));
}

function lookup(suffix: string) {
  return async (ctx: Context) => {
    const name = ctx.param('name');
    const { answer } = await firstEngineWithImage(ctx.services.cluster.engines(), name, () =>
      enginePath(ctx, `/images/${encodeURIComponent(name)}${suffix}`),
    );
    ctx.res.writeHead(answer.status, { 'Content-Type': String(answer.headers['content-type'] ?? 'application/json') });
    ctx.res.end(answer.body);
  };
}

/** Streams from the engine holding the image (save, push). */
function onHolder(suffix: string) {
  return async (ctx: Context) => {
    const name = ctx.param('name');
    const holder = enginesWithImage(ctx.services.cluster.engines(), name)[0];
    if (!holder) throw noSuchImage(name);
    await proxyTo(ctx, holder, enginePath(ctx, `/images/${encodeURIComponent(name)}${suffix}`));
  };
}

async function saveMany(ctx: Context): Promise<void> {
  const names = ctx.query.getAll('names');
  const engines = ctx.services.cluster.engines();
  const holder = engines.find((e) => names.every((n) => enginesWithImage([e], n).length > 0));
  if (!holder) throw notFound(`Unable to find a healthy engine containing all images: [${names.join(' ')}]`);
  await proxyTo(ctx, holder, enginePath(ctx, '/images/get'));
}

async function tag(ctx: Context): Promise<void> {
  if (!ctx.query.get('repo')) throw badParameter('repository name must have at least one component');
  await tagImage(ctx.services.cluster.engines(), ctx.param('name'), ctx.query);
  ctx.send(201);
}

async function remove(ctx: Context): Promise<void> {
  ctx.send(200, await removeImage(ctx.services.cluster.engines(), ctx.param('name'), ctx.query));
}

async function search(ctx: Context): Promise<void> {
  const engine = ctx.services.cluster.engines().find((e) => e.isHealthy);
  if (!engine) throw unavailable('No healthy node available in the cluster');
  await proxyTo(ctx, engine, enginePath(ctx, '/images/search'));
}

export const imageRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/images/json',
    handler: list,
    query: { all: q.bool(), filters: q.filters(), filter: q.string(), digests: q.bool() },
  },
  {
    method: 'POST',
    pattern: '/images/create',
    handler: create,
    query: {
      fromImage: q.string(),
      fromSrc: q.string(),
      repo: q.string(),
      tag: q.string(),
      message: q.string(),
      platform: q.string(),
      changes: q.string(),
    },
  },
  { method: 'POST', pattern: '/images/load', handler: load, query: { quiet: q.bool() } },
  { method: 'GET', pattern: '/images/get', handler: saveMany, query: { names: q.string() } },
  {
    method: 'GET',
    pattern: '/images/search',
    handler: search,
    // The registry refuses a limit outside 1..100 (a 400 from dockerd); `abc` gets 20.10's strconv error as a 500.
    query: { term: q.string(), limit: q.int({ min: 1, max: 100 }), filters: q.filters() },
  },
  { method: 'GET', pattern: '/images/*name/json', handler: lookup('/json'), query: {} },
  { method: 'GET', pattern: '/images/*name/history', handler: lookup('/history'), query: {} },
  { method: 'GET', pattern: '/images/*name/get', handler: onHolder('/get'), query: {} },
  { method: 'POST', pattern: '/images/*name/push', handler: onHolder('/push'), query: { tag: q.string() } },
  { method: 'POST', pattern: '/images/*name/tag', handler: tag, query: { repo: q.string(), tag: q.string() } },
  { method: 'DELETE', pattern: '/images/*name', handler: remove, query: { force: q.bool(), noprune: q.bool() } },
];
