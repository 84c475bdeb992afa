// Benchmark 3, the Docker API on a loaded cluster: with N agents and M running containers (sim mode), the latency
// of `GET /info`, `GET /containers/{id}/json` and `GET /containers/json` (all M), beside `GET /_ping` — the
// manager's cheapest route, measured the same way: the floor of HTTP plus the load generator here. One client,
// one call at a time, the routes interleaved so drift in the machine's load hits them alike; so these are
// service times, not queueing. Answers are read whole but not parsed (the manager's work, not the client's).
import type http from 'node:http';
import { startSimCluster, fill, type SimCluster } from './lib/cluster.js';
import { expectStatus, keepAliveAgent, request } from './lib/http.js';
import { Samples, type Summary } from './lib/stats.js';
import { progressLine, table, int, ms, kib, times, verdict } from './lib/report.js';

export interface ApiLoadConfig {
  readonly agents: number;
  readonly containers: number;
  readonly concurrency: number;
  readonly memMb: number;
  /** Calls of each cheap route (ping, info, inspect). */
  readonly samples: number;
  /** Calls of the full list (each returns every container). */
  readonly listSamples: number;
  readonly logDir: string;
  /** Leave the cluster running for the recovery benchmark, which then owns (and closes) it. */
  readonly keepCluster?: boolean;
  readonly quiet?: boolean;
}

export interface RouteFigures {
  readonly route: string;
  readonly latencyMs: Summary;
  /** Bytes of one answer. */
  readonly bytes: number;
  /** p50 and p99 over the ping baseline's. */
  readonly overPingP50: number;
  readonly overPingP99: number;
}

export interface ApiLoadFigures {
  readonly agents: number;
  readonly containers: number;
  readonly routes: RouteFigures[];
  /** The kept cluster (not serialised). */
  readonly cluster?: SimCluster;
}

export async function run(config: ApiLoadConfig): Promise<ApiLoadFigures> {
  const log = (s: string) => config.quiet || console.log(`  [api] ${s}`);
  log(`starting the cluster double (${config.agents} agents) and the manager; filling ${config.containers} containers`);
  const cluster = await startSimCluster({ agents: config.agents, logDir: config.logDir });
  let keep = false;
  try {
    const port = cluster.manager.port;
    const filled = await fill(port, {
      containers: config.containers,
      concurrency: config.concurrency,
      memMb: config.memMb,
      progress: config.quiet ? undefined : progressLine('api', config.containers),
    });
    log(`filled at ${filled.overallPerSecond.toFixed(0)} containers/s; measuring`);
    const agent = keepAliveAgent(1);
    const ids = await containerIds(port, agent, config.containers);
    const routes: { route: string; path: (i: number) => string; samples: Samples; bytes: number; every: number }[] = [
      { route: 'GET /_ping (baseline)', path: () => '/_ping', samples: new Samples(), bytes: 0, every: 1 },
      { route: 'GET /info', path: () => '/v1.41/info', samples: new Samples(), bytes: 0, every: 1 },
      {
        route: 'GET /containers/{id}/json',
        path: (i) => `/v1.41/containers/${ids[(i * 7919) % ids.length]}/json`,
        samples: new Samples(),
        bytes: 0,
        every: 1,
      },
      {
        route: `GET /containers/json (${config.containers})`,
        path: () => '/v1.41/containers/json',
        samples: new Samples(),
        bytes: 0,
        every: Math.max(1, Math.floor(config.samples / config.listSamples)),
      },
    ];
    // Warm-up: a few calls of each route, not counted.
    for (let i = 0; i < 5; i++) for (const r of routes) await call(port, agent, r.path(i));
    for (let i = 0; i < config.samples; i++) {
      for (const r of routes) {
        if (i % r.every !== 0) continue;
        const t0 = performance.now();
        const bytes = await call(port, agent, r.path(i));
        r.samples.push(performance.now() - t0);
        r.bytes = bytes;
      }
    }
    agent.destroy();
    const ping = routes[0]!.samples.summary();
    keep = Boolean(config.keepCluster);
    return {
      agents: config.agents,
      containers: config.containers,
      routes: routes.map((r) => {
        const latencyMs = r.samples.summary();
        return {
          route: r.route,
          latencyMs,
          bytes: r.bytes,
          overPingP50: latencyMs.p50 / ping.p50,
          overPingP99: latencyMs.p99 / ping.p99,
        };
      }),
      ...(keep ? { cluster } : {}),
    };
  } finally {
    if (!keep) await cluster.close();
  }
}

async function call(port: number, agent: http.Agent, path: string): Promise<number> {
  const answer = expectStatus(await request(port, 'GET', path, undefined, agent, false), path, 200);
  return answer.body.length;
}

/** Every container's ID, from one list (checked: they must all be running). */
async function containerIds(port: number, agent: http.Agent, expected: number): Promise<string[]> {
  const answer = expectStatus(await request(port, 'GET', '/v1.41/containers/json', undefined, agent), 'list', 200);
  const list = answer.json as { Id: string; State: string }[];
  const running = list.filter((c) => c.State === 'running');
  if (running.length !== expected)
    throw new Error(`expected ${expected} running containers, the manager lists ${running.length}`);
  return running.map((c) => c.Id);
}

export function print(f: ApiLoadFigures): void {
  const targets: Record<string, number> = { 'GET /info': 5, 'GET /containers/{id}/json': 5 };
  table(
    `Docker API on a loaded cluster: ${int(f.agents)} agents, ${int(f.containers)} running containers (sim mode), ` +
      'one client, calls in turn; baseline: GET /_ping',
    ['route', 'p50 ms', 'p99 ms', 'max ms', 'answer', 'p50 × ping', 'p99 × ping', 'target p99'],
    f.routes.map((r) => {
      const target = r.route.startsWith('GET /containers/json') ? 150 : targets[r.route];
      return [
        r.route,
        ms(r.latencyMs.p50),
        ms(r.latencyMs.p99),
        ms(r.latencyMs.max),
        r.bytes >= 1024 ? kib(r.bytes) : `${r.bytes} B`,
        times(r.overPingP50),
        times(r.overPingP99),
        target === undefined ? '' : `≤ ${target} ms: ${verdict(r.latencyMs.p99, { atMost: target })}`,
      ];
    }),
  );
}
