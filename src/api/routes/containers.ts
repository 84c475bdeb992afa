// Container routes. Lifecycle calls (create, start, stop, kill, restart, rename, wait, remove) go through the
// cluster driver, which owns container identity; streams and engine-local details (logs, attach, top, stats,
// archive, export, changes, pause, update, resize, exec create, commit) are proxied to the container's engine.
import type { Socket } from 'node:net';
import { route, type Route } from '../router.js';
import type { Context, Hijack } from '../context.js';
import { containerPath, enginePath, proxyContainer, proxyTo } from '../proxy.js';
import { parseFilters } from '../../cluster/container-filters.js';
import { bodies, q, type ContainerConfigBody, type ContainerUpdateBody, type ExecCreateBody } from '../schema/index.js';
import { asksForAnything, ignoredByUpdate } from '../../cluster/update-fields.js';
import { badParameter, engineFailed } from '../../errors.js';
import type {
  ContainerLocation,
  CreateBody,
  StreamPurpose,
  StreamTarget,
  WaitCondition,
} from '../../cluster/cluster.js';
import { hijack, UPGRADED_HEAD, websocketAccepted } from '../../engine/hijack.js';
import { engineRequest } from '../../engine/request.js';

async function list(ctx: Context): Promise<void> {
  const filters = parseFilters(ctx.query.get('filters'));
  // Pre-1.24 clients sent before/since as parameters; dockerd still folds them into the filters.
  for (const key of ['before', 'since'] as const) {
    const value = ctx.query.get(key);
    if (value) filters.set(key, [...(filters.get(key) ?? []), value]);
  }
  const limit = ctx.int('limit') ?? -1;
  const containers = await ctx.services.cluster.listContainers({
    // dockerd lists stopped containers for a positive limit too: `docker ps -n 3` and `-l` mean the newest, whatever
    // their state.
    all: ctx.bool('all') || limit > 0,
    limit,
    size: ctx.bool('size'),
    filters,
  });
  await ctx.sendJsonParts(200, containers);
}

async function create(ctx: Context, body: CreateBody): Promise<void> {
  const name = ctx.query.get('name') ?? undefined;
  const auth = headerValue(ctx, 'x-registry-auth');
  const id = await ctx.services.cluster.createContainer(body, name || undefined, auth);
  ctx.send(201, { Id: id, Warnings: [] });
}

async function inspect(ctx: Context): Promise<void> {
  ctx.send(200, await ctx.services.cluster.inspectContainer(ctx.param('name'), ctx.bool('size')));
}

async function start(ctx: Context): Promise<void> {
  if (ctx.query.get('checkpoint')) throw badParameter('checkpoints are not supported');
  await ctx.services.cluster.startContainer(ctx.param('name'));
  ctx.send(204);
}

async function stop(ctx: Context): Promise<void> {
  await ctx.services.cluster.stopContainer(ctx.param('name'), ctx.int('t'), signalParam(ctx));
  ctx.send(204);
}

async function kill(ctx: Context): Promise<void> {
  await ctx.services.cluster.killContainer(ctx.param('name'), signalParam(ctx));
  ctx.send(204);
}

async function restart(ctx: Context): Promise<void> {
  await ctx.services.cluster.restartContainer(ctx.param('name'), ctx.int('t'), signalParam(ctx));
  ctx.send(204);
}

async function remove(ctx: Context): Promise<void> {
  await ctx.services.cluster.removeContainer(ctx.param('name'), {
    force: ctx.bool('force'),
    volumes: ctx.bool('v'),
    link: ctx.bool('link'),
  });
  ctx.send(204);
}

async function rename(ctx: Context): Promise<void> {
  const name = ctx.query.get('name');
  if (!name) throw badParameter('name is required');
  await ctx.services.cluster.renameContainer(ctx.param('name'), name);
  ctx.send(204);
}

const WAIT_CONDITIONS = ['not-running', 'next-exit', 'removed'];

async function wait(ctx: Context): Promise<void> {
  const condition = ctx.query.get('condition') || 'not-running';
  const cluster = ctx.services.cluster;
  cluster.containerId(ctx.param('name')); // a 404 must come before the headers
  // dockerd answers the headers at once, so a client can start the container after its wait is in place.
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  const abort = new AbortController();
  ctx.res.on('close', () => abort.abort());
  try {
    const result = await cluster.waitContainer(ctx.param('name'), condition as WaitCondition, abort.signal);
    ctx.res.end(JSON.stringify({ StatusCode: result.StatusCode, Error: result.Error ?? null }));
  } catch (err) {
    if (abort.signal.aborted) return;
    const message = err instanceof Error ? err.message : String(err);
    ctx.res.end(JSON.stringify({ StatusCode: -1, Error: { Message: message } }));
  }
}

/**
 * Passes the call to the engine, lets the cluster refresh what it changed (pause, unpause), and only then
 * answers: the client's next call (an inspect right after `docker pause`) must see the change.
 */
function proxyAndRefresh(suffix: string) {
  return async (ctx: Context, body?: ContainerUpdateBody) => {
    const cluster = ctx.services.cluster;
    const location = await cluster.locateContainer(ctx.param('name'));
    const answer = await engineRequest(
      location.engine,
      ctx.req.method ?? 'POST',
      containerPath(ctx, location, suffix),
      body,
    );
    if (answer.status < 300) await cluster.containerChanged(location);
    ctx.res.writeHead(answer.status, answer.body.length ? { 'Content-Type': 'application/json' } : {});
    ctx.res.end(answer.body);
  };
}

/**
 * `docker update`: passed to the engine; what the engine accepts but does not apply is added to its Warnings (see
 * update-fields.ts), so a client is told instead of left to find the old value in an inspect.
 */
async function update(ctx: Context, body: ContainerUpdateBody): Promise<void> {
  const cluster = ctx.services.cluster;
  const policy = (body as { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } }).RestartPolicy;
  if (cluster.updateRestartPolicy && policy?.Name) {
    // A manager that keeps restart policies itself (mesos mode) takes it; the engine is asked only for the rest.
    await cluster.updateRestartPolicy(ctx.param('name'), policy);
    body = { ...body, RestartPolicy: undefined } as ContainerUpdateBody;
    if (!asksForAnything(body as Record<string, unknown>, ['RestartPolicy'])) return ctx.send(200, { Warnings: null });
  }
  const location = await cluster.locateContainer(ctx.param('name'));
  const answer = await engineRequest(location.engine, 'POST', containerPath(ctx, location, '/update'), body);
  if (answer.status >= 300) throw engineFailed(answer.status, answer.message);
  await cluster.containerChanged(location);
  const engineWarnings = ((answer.json as { Warnings?: string[] | null } | undefined)?.Warnings ?? []) as string[];
  const warnings = [
    ...engineWarnings,
    ...ignoredByUpdate(body as Record<string, unknown>, location.engine.name || location.engine.addr),
  ];
  ctx.send(200, { Warnings: warnings.length ? warnings : null });
}

function proxied(suffix: string) {
  return async (ctx: Context) => {
    await proxyContainer(ctx, suffix);
  };
}

async function execCreate(ctx: Context, body: ExecCreateBody): Promise<void> {
  const cluster = ctx.services.cluster;
  const location = await cluster.locateContainer(ctx.param('name'));
  const answer = await engineRequest(location.engine, 'POST', containerPath(ctx, location, '/exec'), body);
  if (answer.status !== 201) {
    // "Container <id> is not running" names the engine's ID; the client knows the container by the manager's.
    const message = answer.message.split(location.engineContainerId).join(location.id);
    throw engineFailed(answer.status, message);
  }
  const id = (answer.json as { Id: string }).Id;
  cluster.execs.remember(id, location);
  ctx.send(201, { Id: id });
}

async function commit(ctx: Context, body: ContainerConfigBody): Promise<void> {
  const cluster = ctx.services.cluster;
  const ref = ctx.query.get('container');
  if (!ref) throw badParameter('container is required');
  const location = await cluster.locateContainer(ref);
  const query = new URLSearchParams(ctx.query);
  query.set('container', location.engineContainerId);
  const status = await proxyTo(ctx, location.engine, enginePath(ctx, '/commit', query), { json: body });
  if (status === 201) await location.engine.refreshImages().catch(() => undefined);
}

/** Attach without the Upgrade handshake (old clients): a plain streamed response, stdin unsupported. */
async function attachPlain(ctx: Context): Promise<void> {
  await streamFrom(ctx, '/attach', 'attach');
}

async function logs(ctx: Context): Promise<void> {
  await streamFrom(ctx, '/logs', ctx.bool('follow') ? 'follow' : 'logs');
}

/** Proxies a stream from the container's engine, waiting for the container to start when it must (mesos mode). */
async function streamFrom(ctx: Context, suffix: string, purpose: StreamPurpose): Promise<void> {
  const abort = new AbortController();
  ctx.res.on('close', () => abort.abort());
  const target = ctx.services.cluster.streamTarget(ctx.param('name'), purpose, abort.signal);
  if ('none' in target) {
    ctx.res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' }).end();
    return;
  }
  const found = 'now' in target ? { location: target.now, exited: false } : await target.later;
  if (!found) {
    if (!ctx.res.headersSent) ctx.res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
    ctx.res.end();
    return;
  }
  const query = new URLSearchParams(ctx.query);
  if ('later' in target && target.replay) {
    if (suffix === '/logs') query.set('tail', 'all');
    else query.set('logs', '1');
  }
  const { location } = found;
  await proxyTo(
    ctx,
    location.engine,
    enginePath(ctx, `/containers/${encodeURIComponent(location.engineContainerId)}${suffix}`, query),
    'none',
  );
}

/**
 * Stats from the container's engine. Where the manager's ID is not the engine's (mesos mode: the container is
 * `mesos-<uuid>` on its agent), each stats object is renamed to the ID and name the client knows, as `docker stats`
 * prints them.
 */
async function stats(ctx: Context): Promise<void> {
  const cluster = ctx.services.cluster;
  const location = await cluster.locateContainer(ctx.param('name'));
  const path = containerPath(ctx, location, '/stats');
  if (location.id === location.engineContainerId) {
    await proxyTo(ctx, location.engine, path);
    return;
  }
  const name = String((await cluster.inspectContainer(location.id, false)).Name ?? '');
  const rename = (line: string): string => {
    try {
      const parsed = JSON.parse(line) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
      return `${JSON.stringify({ ...parsed, id: location.id, name })}\n`;
    } catch {
      return line;
    }
  };
  await new Promise<void>((resolve, reject) => {
    const request = location.engine.transport.request({ method: 'GET', path });
    request.on('response', (answer) => {
      location.engine.noteSuccess();
      ctx.res.writeHead(answer.statusCode ?? 502, {
        'Content-Type': String(answer.headers['content-type'] ?? 'application/json'),
      });
      ctx.res.flushHeaders();
      // The engine writes one JSON object per line (one in all without `stream`).
      let pending = '';
      answer.setEncoding('utf8');
      answer.on('data', (text: string) => {
        pending += text;
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          ctx.res.write(answer.statusCode === 200 ? rename(pending.slice(0, nl + 1)) : pending.slice(0, nl + 1));
          pending = pending.slice(nl + 1);
        }
      });
      answer.on('end', () => {
        ctx.res.end(pending && answer.statusCode === 200 ? rename(pending) : pending);
        resolve();
      });
      answer.on('error', (err) => {
        ctx.res.destroy(err);
        resolve();
      });
    });
    let abandoned = false; // the client went away and we cut the request: not the engine's failure
    request.on('error', (err) => {
      if (!abandoned) location.engine.noteCallFailure(err);
      if (ctx.res.headersSent) ctx.res.destroy(err);
      else reject(err);
    });
    ctx.res.on('close', () => {
      abandoned = true;
      request.destroy();
    });
    request.end();
  });
}

/** After the container ended, the engine's attach stream gets this long to deliver the last output. */
const ATTACH_DRAIN_MS = 2000;

/**
 * How long the output of a logs-only attach (`stream=0`) waits behind its `101` answer. The Docker SDK for Python
 * reads that answer through a buffered reader and then reads the raw socket: whatever came in the same read as the
 * answer is lost, and `attach(stream=False, logs=True)` returns nothing. Passed through as the engine sends them, the
 * two often arrive together (measured with the SDK, 100 attaches to an ended container: 64 empty through the
 * manager, 23 straight against dockerd); held back this long, none were (with the machine loaded, a 5 ms gap still
 * lost 1 in 100, 20 ms none).
 */
const LOGS_ONLY_GAP_MS = 50;

const attachHijack: Hijack = async (request, socket, head, services) => {
  const abort = new AbortController();
  socket.once('close', () => abort.abort());
  const ref = request.params.name ?? '';
  const version = /^\/v\d+\.\d+\//.exec(request.req.url ?? '')?.[0] ?? '/';
  const websocket = request.path.endsWith('/ws');
  const query = new URLSearchParams(request.query);
  if (!websocket && !isTrue(query.get('stream')) && !wantsStdin(query)) {
    await logsOnlyAttach(services.cluster.streamTarget(ref, 'logs', abort.signal), version, query, socket);
    return;
  }
  const target = services.cluster.streamTarget(ref, 'attach', abort.signal);
  const suffix = websocket ? '/attach/ws' : '/attach';
  let location: ContainerLocation | undefined;
  let answered = false;
  if ('now' in target) location = target.now;
  else {
    // The client starts the container only after this attach is answered, so answer now and attach when it runs.
    const key = request.req.headers['sec-websocket-key'];
    socket.write(websocket && typeof key === 'string' ? websocketAccepted(key) : UPGRADED_HEAD);
    answered = true;
    if ('none' in target) {
      socket.end();
      return;
    }
    socket.pause();
    const found = await target.later;
    if (!found) {
      socket.end();
      return;
    }
    location = found.location;
    if (target.replay && !wantsStdin(query) && !websocket) {
      // Nothing to send in: the container's log, followed to its end, is exactly what the attach would have shown,
      // and unlike an attach it ends by itself even when the container finished before we got there.
      logsInto(location, version, query, socket, true);
      return;
    }
    if (target.replay) query.set('logs', '1');
    // An engine keeps an attach to a stopped container open forever; one that already ended gets its logs only.
    if (found.exited) query.set('stream', '0');
  }
  const stream = hijack(
    location.engine,
    {
      method: request.req.method ?? 'POST',
      path: `${version}containers/${encodeURIComponent(location.engineContainerId)}${suffix}?${query}`,
      headers: request.req.headers,
    },
    socket,
    head,
    answered,
  );
  socket.resume();
  // If the container ended before the engine registered the attach, the engine would keep the stream open.
  void target.ended?.then(() => setTimeout(() => stream.close(), ATTACH_DRAIN_MS).unref());
};

/**
 * An attach that only asks for the output so far (`stream=0`, as `attach(stream=False, logs=True)` sends): the
 * container's log to this moment, or nothing without `logs`, then the end, as dockerd answers it. Our own `101`
 * goes first and alone (see LOGS_ONLY_GAP_MS).
 */
async function logsOnlyAttach(
  target: StreamTarget,
  version: string,
  query: URLSearchParams,
  socket: Socket,
): Promise<void> {
  socket.setNoDelay(true);
  socket.write(UPGRADED_HEAD);
  const gap = new Promise((resolve) => setTimeout(resolve, LOGS_ONLY_GAP_MS));
  const found = 'now' in target ? target.now : 'later' in target ? (await target.later)?.location : undefined;
  await gap;
  if (!found || !isTrue(query.get('logs'))) {
    socket.end();
    return;
  }
  logsInto(found, version, query, socket, false);
}

function isTrue(value: string | null): boolean {
  return value === '1' || value === 'true' || value === 'True';
}

function wantsStdin(query: URLSearchParams): boolean {
  return isTrue(query.get('stdin'));
}

/** Streams `GET /logs` (its body: the same framing an attach uses), followed or not, into a hijacked connection. */
function logsInto(
  location: ContainerLocation,
  version: string,
  attachQuery: URLSearchParams,
  socket: Socket,
  follow: boolean,
): void {
  const query = new URLSearchParams({ tail: 'all' });
  if (follow) query.set('follow', '1');
  for (const name of ['stdout', 'stderr']) if (attachQuery.get(name)) query.set(name, attachQuery.get(name)!);
  const request = location.engine.transport.request({
    method: 'GET',
    path: `${version}containers/${encodeURIComponent(location.engineContainerId)}/logs?${query}`,
  });
  request.on('response', (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      socket.end();
      return;
    }
    res.pipe(socket);
  });
  request.on('error', () => socket.end());
  socket.on('close', () => request.destroy());
  socket.resume();
  request.end();
}

function signalParam(ctx: Context): string | undefined {
  return ctx.query.get('signal') || undefined;
}

function headerValue(ctx: Context, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const none = {};
const attachQuery = {
  detachKeys: q.string(),
  logs: q.bool(),
  stream: q.bool(),
  stdin: q.bool(),
  stdout: q.bool(),
  stderr: q.bool(),
};
const archiveQuery = { path: q.string(), noOverwriteDirNonDir: q.bool(), copyUIDGID: q.bool() };
const resizeQuery = {
  h: q.int({ min: 0, max: 65_535, required: true }),
  w: q.int({ min: 0, max: 65_535, required: true }),
};
const listQuery = {
  all: q.bool(),
  limit: q.int(),
  size: q.bool(),
  filters: q.filters(),
  before: q.string(),
  since: q.string(),
};
const stopQuery = { t: q.int({ min: -1 }), signal: q.signal() };

export const containerRoutes: Route[] = [
  { method: 'GET', pattern: '/containers/json', handler: list, query: listQuery },
  { method: 'GET', pattern: '/containers/ps', handler: list, query: listQuery },
  route(
    {
      method: 'POST',
      pattern: '/containers/create',
      query: { name: q.string(), platform: q.string() },
      body: bodies.containerCreate,
    },
    create,
  ),
  { method: 'GET', pattern: '/containers/*name/json', handler: inspect, query: { size: q.bool() } },
  {
    method: 'POST',
    pattern: '/containers/*name/start',
    handler: start,
    query: { detachKeys: q.string(), checkpoint: q.string(), 'checkpoint-dir': q.string() },
  },
  { method: 'POST', pattern: '/containers/*name/stop', handler: stop, query: stopQuery },
  { method: 'POST', pattern: '/containers/*name/kill', handler: kill, query: { signal: q.signal() } },
  { method: 'POST', pattern: '/containers/*name/restart', handler: restart, query: stopQuery },
  { method: 'POST', pattern: '/containers/*name/rename', handler: rename, query: { name: q.string() } },
  {
    method: 'POST',
    pattern: '/containers/*name/wait',
    handler: wait,
    query: { condition: q.oneOf(...WAIT_CONDITIONS) },
  },
  { method: 'POST', pattern: '/containers/*name/pause', handler: proxyAndRefresh('/pause'), query: none },
  { method: 'POST', pattern: '/containers/*name/unpause', handler: proxyAndRefresh('/unpause'), query: none },
  route({ method: 'POST', pattern: '/containers/*name/update', query: none, body: bodies.containerUpdate }, update),
  { method: 'POST', pattern: '/containers/*name/resize', handler: proxied('/resize'), query: resizeQuery },
  {
    method: 'POST',
    pattern: '/containers/*name/attach',
    handler: attachPlain,
    hijack: attachHijack,
    query: attachQuery,
  },
  {
    method: 'GET',
    pattern: '/containers/*name/attach/ws',
    handler: attachPlain,
    hijack: attachHijack,
    query: attachQuery,
  },
  route({ method: 'POST', pattern: '/containers/*name/exec', query: none, body: bodies.execCreate }, execCreate),
  {
    method: 'GET',
    pattern: '/containers/*name/logs',
    handler: logs,
    query: {
      follow: q.bool(),
      stdout: q.bool(),
      stderr: q.bool(),
      since: q.time(),
      until: q.time(),
      timestamps: q.bool(),
      details: q.bool(),
      tail: q.pattern(/^(all|-?\d+)$/, '"all" or a number of lines'),
    },
  },
  { method: 'GET', pattern: '/containers/*name/top', handler: proxied('/top'), query: { ps_args: q.string() } },
  {
    method: 'GET',
    pattern: '/containers/*name/stats',
    handler: stats,
    query: { stream: q.bool(), 'one-shot': q.bool() },
  },
  { method: 'GET', pattern: '/containers/*name/changes', handler: proxied('/changes'), query: none },
  { method: 'GET', pattern: '/containers/*name/export', handler: proxied('/export'), query: none },
  { method: 'GET', pattern: '/containers/*name/archive', handler: proxied('/archive'), query: archiveQuery },
  { method: 'HEAD', pattern: '/containers/*name/archive', handler: proxied('/archive'), query: archiveQuery },
  { method: 'PUT', pattern: '/containers/*name/archive', handler: proxied('/archive'), query: archiveQuery },
  {
    method: 'DELETE',
    pattern: '/containers/*name',
    handler: remove,
    query: { force: q.bool(), v: q.bool(), link: q.bool() },
  },
  route(
    {
      method: 'POST',
      pattern: '/commit',
      query: {
        container: q.string(),
        repo: q.string(),
        tag: q.string(),
        comment: q.string(),
        author: q.string(),
        changes: q.string(),
        pause: q.bool(),
      },
      body: bodies.commit,
    },
    commit,
  ),
];
