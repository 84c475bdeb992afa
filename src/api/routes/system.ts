// System routes: /_ping (with the headers the docker CLI negotiates from), /version, /info (classic Swarm's
// layout), /events (merged and decorated, with since, until and filters), /auth.
import os from 'node:os';
import { route, type Route } from '../router.js';
import { bodies, q, type AuthConfigBody } from '../schema/index.js';
import type { Context } from '../context.js';
import { API_VERSION, MIN_API_VERSION } from '../version.js';
import { buildInfo } from '../../util/build-info.js';
import { eventFilter, type ClusterEvent } from '../../cluster/events.js';
import { parseFilters } from '../../cluster/container-filters.js';
import { badParameter, unavailable } from '../../errors.js';
import { forward } from '../../engine/proxy.js';
import type { ClusterInfo } from '../../cluster/cluster.js';
import { replicaFigures, withRoleStatus } from '../../ha/info.js';

function ping(ctx: Context): void {
  const headers = {
    'Api-Version': API_VERSION,
    Ostype: 'linux',
    'Docker-Experimental': 'false',
    Swarm: 'inactive',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
  };
  if (ctx.req.method === 'HEAD') {
    ctx.res.writeHead(200, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 }).end();
    return;
  }
  ctx.res.writeHead(200, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 }).end('OK');
}

function version(ctx: Context): void {
  const v = ctx.services.version;
  const build = buildInfo();
  const details = {
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    Os: process.platform,
    Arch: archName(),
    KernelVersion: os.release(),
    GitCommit: build.commit ?? '',
    GoVersion: `node ${process.version}`,
    BuildTime: build.builtAt ?? '',
  };
  ctx.send(200, {
    Platform: { Name: 'Mesoswarm' },
    Components: [{ Name: 'Mesoswarm', Version: v, Details: { ...details } }],
    Version: `mesoswarm/${v}`,
    ...details,
    Experimental: false,
  });
}

/** Stands in the response for a SystemStatus the cluster serialized already; swapped for it after encoding. */
const PRESERIALIZED = '\u0000systemstatus\u0000';

async function info(ctx: Context): Promise<void> {
  const gate = ctx.services.gate;
  if (!gate) return sendInfo(ctx, ctx.services.cluster.info(), ctx.services.cluster.driver);
  // With replication: the role lines first; a replica's figures are the leader's (it has no cluster of its own).
  if (gate.replication.serving) {
    return sendInfo(ctx, withRoleStatus(ctx.services.cluster.info(), gate.replication), ctx.services.cluster.driver);
  }
  return sendInfo(ctx, await replicaFigures(gate), gate.driver);
}

function sendInfo(ctx: Context, figures: ClusterInfo, driver: string): void {
  const response = {
    ID: '',
    Containers: figures.containers,
    ContainersRunning: figures.running,
    ContainersPaused: figures.paused,
    ContainersStopped: figures.stopped,
    Images: figures.images,
    Driver: '',
    DriverStatus: null,
    SystemStatus: figures.systemStatusJson === undefined ? figures.systemStatus : PRESERIALIZED,
    Plugins: { Volume: null, Network: null, Authorization: null, Log: null },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    OomKillDisable: true,
    Debug: ctx.services.debug,
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: '',
    CgroupDriver: '',
    NEventsListener:
      ctx.services.gate?.replication.serving === false ? 0 : ctx.services.eventLog.listenerCount('event'),
    KernelVersion: os.release(),
    OperatingSystem: process.platform,
    OSType: 'linux',
    Architecture: archName(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    NCPU: figures.cpus,
    MemTotal: figures.memory,
    DockerRootDir: '',
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: `mesoswarm/${ctx.services.version}`,
    ClusterDriver: driver,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '' },
    Runtimes: {},
    SecurityOptions: [],
    Warnings: null,
  };
  if (figures.systemStatusJson === undefined) {
    ctx.send(200, response);
    return;
  }
  const json = JSON.stringify(response);
  ctx.sendJson(
    200,
    json.replace(JSON.stringify(PRESERIALIZED), () => figures.systemStatusJson!),
  );
}

/** dockerd accepts Unix seconds with optional fraction, or an RFC 3339 date. */
function timeParam(ctx: Context, name: string): number | undefined {
  const value = ctx.query.get(name);
  if (value === null || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badParameter(`invalid value for ${name}: ${value}`);
  return ms / 1000;
}

function events(ctx: Context): Promise<void> {
  const since = timeParam(ctx, 'since');
  const until = timeParam(ctx, 'until');
  const accept = eventFilter(parseFilters(ctx.query.get('filters')));
  const log = ctx.services.eventLog;
  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const write = (event: ClusterEvent) => {
    if (accept(event) && !res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
  };
  const nowSeconds = Date.now() / 1000;
  // As dockerd: either bound asks for the history (`--until` alone replays everything kept up to it), then the live
  // stream follows unless `until` has passed already.
  if (since !== undefined || until !== undefined) for (const event of log.since(since ?? 0, until)) write(event);
  if (until !== undefined && until <= nowSeconds) {
    res.end();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const listener = (event: ClusterEvent) => {
      if (until === undefined || eventSeconds(event) <= until) write(event);
    };
    log.on('event', listener);
    const cancel = until === undefined ? undefined : at(until * 1000, finish);
    function finish() {
      cancel?.();
      log.off('event', listener);
      if (!res.writableEnded) res.end();
      resolve();
    }
    res.on('close', finish);
  });
}

function eventSeconds(event: ClusterEvent): number {
  return event.timeNano !== undefined ? event.timeNano / 1e9 : (event.time ?? 0);
}

/** Runs `fn` at the wall-clock time `ms`, however far: one setTimeout cannot wait longer than about 24.8 days. */
function at(ms: number, fn: () => void): () => void {
  const MAX_TIMEOUT = 2 ** 31 - 1;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = ms - Date.now();
    timer = left > MAX_TIMEOUT ? setTimeout(arm, MAX_TIMEOUT) : setTimeout(fn, Math.max(left, 0));
  };
  arm();
  return () => clearTimeout(timer);
}

async function auth(ctx: Context, body: AuthConfigBody): Promise<void> {
  const engine = ctx.services.cluster.engines().find((e) => e.isHealthy);
  if (!engine) throw unavailable('No healthy node available in the cluster');
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  const headers = { ...ctx.req.headers, 'content-type': 'application/json' };
  await forward(engine, { method: 'POST', path: `/auth`, headers, body: json }, ctx.res);
}

function archName(): string {
  return process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
}

export const systemRoutes: Route[] = [
  { method: 'GET', pattern: '/_ping', handler: ping, query: {} },
  { method: 'HEAD', pattern: '/_ping', handler: ping, query: {} },
  { method: 'GET', pattern: '/version', handler: version, query: {} },
  { method: 'GET', pattern: '/info', handler: info, query: {} },
  {
    method: 'GET',
    pattern: '/events',
    handler: events,
    query: { since: q.time({ dates: true }), until: q.time({ dates: true }), filters: q.filters() },
  },
  route({ method: 'POST', pattern: '/auth', query: {}, body: bodies.auth }, auth),
];
