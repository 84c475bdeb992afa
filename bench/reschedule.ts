// Benchmark: rescheduling off a lost agent, and new starts beside crash loops (issue 13), sim mode.
// (1) N containers with `--restart always` on one agent of A (placed while the others were away: the double marks
// them unreachable, then restores them), the agent marked gone (TASK_GONE_BY_OPERATOR), mesos.rescheduletimeout=0: time from the loss until every one runs
// again elsewhere, and the manager's CPU over it. Baseline: placing N fresh containers (create+start from 200
// clients) on the same cluster, in the same run. Goal: within 1.5× of fresh, and at most 5 s.
// (2) `docker run` latency (create+start, one client after another) on an idle cluster, then beside L crash-looping
// containers (`--restart always`, each run ending by itself after 10 to 19 s, MESOS_SIM_EXIT: dockerd's back-off
// resets after a 10 s run, so these loop at the fastest rate a policy allows, forever, and spread over time).
// Goal: p50 within 2× of idle.
import { startSimCluster, fill } from './lib/cluster.js';
import { expectStatus, keepAliveAgent, request } from './lib/http.js';
import { summarize, type Summary } from './lib/stats.js';
import { table, int, ms, secs, times, verdict } from './lib/report.js';

export interface RescheduleConfig {
  readonly agents: number;
  readonly containers: number;
  readonly loopers: number;
  readonly runs: number;
  readonly concurrency: number;
  readonly memMb: number;
  readonly logDir: string;
  readonly quiet?: boolean;
}

export interface RescheduleFigures {
  readonly agents: number;
  readonly containers: number;
  /** Create+start of N fresh containers: wall time and the manager's CPU. */
  readonly freshMs: number;
  readonly freshCpuSeconds: number;
  /** From the agent's loss until all N ran again elsewhere, and the manager's CPU over it. */
  readonly rescheduleMs: number;
  readonly rescheduleCpuSeconds: number;
  readonly ratio: number;
  readonly loopers: number;
  readonly idleRunMs: Summary;
  readonly loopingRunMs: Summary;
  readonly runRatioP50: number;
  /** Policy restarts made while the looping latencies were measured. */
  readonly restartsDuring: number;
}

const MiB = 1024 * 1024;

export async function run(config: RescheduleConfig): Promise<RescheduleFigures> {
  const log = (s: string) => config.quiet || console.log(`  [reschedule] ${s}`);
  log(`starting the cluster double (${config.agents} agents) and the manager`);
  const cluster = await startSimCluster({
    agents: config.agents,
    logDir: config.logDir,
    clusterOpts: ['mesos.rescheduletimeout=0s'],
  });
  const port = cluster.manager.port;
  const cpu = () => cluster.manager.sample().cpuSeconds;
  try {
    log(`fresh: ${config.containers} containers, create+start from ${config.concurrency} clients`);
    let c0 = cpu();
    let t0 = performance.now();
    await fill(port, { containers: config.containers, concurrency: config.concurrency, memMb: config.memMb });
    const freshMs = performance.now() - t0;
    const freshCpuSeconds = cpu() - c0;

    // Every agent but one leaves for a while (unreachable), so the N that restart all land on the one left.
    const sim = (path: string, body?: unknown) =>
      fetch(
        `${cluster.sim.url}/__sim/${path}`,
        body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
      );
    const agents = ((await (await sim('agents')).json()) as { id: string }[]).map((a) => a.id);
    const [agentId, ...others] = agents as [string, ...string[]];
    for (const id of others) await sim(`agents/${id}/remove`, {});
    const label = { 'bench.reschedule': 'yes' };
    await fill(port, {
      containers: config.containers,
      concurrency: config.concurrency,
      memMb: config.memMb,
      body: { Labels: label, HostConfig: { Memory: config.memMb * MiB, RestartPolicy: { Name: 'always' } } },
    });
    const listed = await ours(port);
    const onIt = (await Promise.all(listed.map((c) => agentOf(port, c.Id)))).filter((a) => a === agentId).length;
    if (onIt !== config.containers) throw new Error(`${onIt} of ${config.containers} landed on the one agent`);
    for (const id of others) await sim(`agents/${id}/restore`, {});
    // Back once the manager sees every fresh container running again (reconciled from the returned agents).
    const started = performance.now();
    while (!(await everyoneRunning(port))) {
      if (performance.now() - started > 120_000) throw new Error('the agents did not come back');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    log(`agent ${agentId} marked gone with ${onIt} containers that restart`);
    c0 = cpu();
    t0 = performance.now();
    const removed = await sim(`agents/${agentId}/remove`, { gone: true });
    if (!removed.ok) throw new Error(`the double did not remove the agent: ${removed.status}`);
    for (;;) {
      const now = await ours(port);
      if (now.length === config.containers && now.every((c) => c.State === 'running')) {
        const moved = await Promise.all(now.slice(0, 20).map((c) => agentOf(port, c.Id)));
        if (moved.every((a) => a !== agentId)) break;
      }
      if (performance.now() - t0 > 120_000) throw new Error('the containers were not all running again after 120 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const rescheduleMs = performance.now() - t0;
    const rescheduleCpuSeconds = cpu() - c0;

    log(`docker run latency: ${config.runs} runs idle, then beside ${config.loopers} crash loops`);
    const idleRunMs = await runs(port, config.runs, config.memMb);
    // Ten groups ending after 10 s, 11 s, … 19 s: their restarts spread over time instead of coming in one burst.
    const groups = Math.min(10, config.loopers);
    for (let g = 0; g < groups; g++) {
      const count = Math.floor(config.loopers / groups) + (g < config.loopers % groups ? 1 : 0);
      await fill(port, {
        containers: count,
        concurrency: Math.min(config.concurrency, count),
        memMb: config.memMb,
        body: {
          Env: [`MESOS_SIM_EXIT=${10_000 + g * 1_000}:1`],
          HostConfig: { Memory: config.memMb * MiB, RestartPolicy: { Name: 'always' } },
        },
      });
    }
    // Let the loops get going (every looper ended and was restarted at least once) before timing.
    const restarts = async () => restartsTotal(port);
    const before = await restarts();
    while ((await restarts()) < before + config.loopers) await new Promise((r) => setTimeout(r, 200));
    const r0 = await restarts();
    const loopingRunMs = await runs(port, config.runs, config.memMb);
    const restartsDuring = (await restarts()) - r0;
    return {
      agents: config.agents,
      containers: config.containers,
      freshMs,
      freshCpuSeconds,
      rescheduleMs,
      rescheduleCpuSeconds,
      ratio: rescheduleMs / freshMs,
      loopers: config.loopers,
      idleRunMs,
      loopingRunMs,
      runRatioP50: loopingRunMs.p50 / idleRunMs.p50,
      restartsDuring,
    };
  } finally {
    await cluster.close();
  }
}

interface Listed {
  Id: string;
  State: string;
}

async function ours(port: number): Promise<Listed[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['bench.reschedule=yes'] }));
  const answer = await request(port, 'GET', `/v1.41/containers/json?all=1&filters=${filters}`);
  return expectStatus(answer, 'list', 200).json as Listed[];
}

async function everyoneRunning(port: number): Promise<boolean> {
  const answer = await request(port, 'GET', '/v1.41/containers/json?all=1');
  const list = expectStatus(answer, 'list', 200).json as Listed[];
  return list.every((c) => c.State === 'running');
}

async function agentOf(port: number, id: string): Promise<string> {
  const answer = await request(port, 'GET', `/v1.41/containers/${id}/json`);
  return (expectStatus(answer, 'inspect', 200).json as { Mesos: { AgentId: string } | null }).Mesos?.AgentId ?? '';
}

async function restartsTotal(port: number): Promise<number> {
  const answer = await request(port, 'GET', '/metrics', undefined, undefined, false);
  const text = answer.body.toString('utf8');
  return Number(/^mesoswarm_container_restarts_total (\d+)/m.exec(text)?.[1] ?? 0);
}

/** `docker run -d` as the API sees it (create, then start), one after another: each call's latency. */
async function runs(port: number, count: number, memMb: number): Promise<Summary> {
  const agent = keepAliveAgent(1);
  const body = { Image: 'busybox:latest', Cmd: ['sleep', '3600'], HostConfig: { Memory: memMb * MiB } };
  const out: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const created = expectStatus(await request(port, 'POST', '/v1.41/containers/create', body, agent), 'create', 201);
      const id = (created.json as { Id: string }).Id;
      expectStatus(await request(port, 'POST', `/v1.41/containers/${id}/start`, undefined, agent), 'start', 204);
      out.push(performance.now() - t0);
    }
  } finally {
    agent.destroy();
  }
  return summarize(out);
}

export function print(f: RescheduleFigures): void {
  table(
    `Rescheduling ${int(f.containers)} containers off a lost agent of ${int(f.agents)} (sim mode)`,
    ['what', 'wall', 'manager CPU', 'vs fresh', 'goal'],
    [
      [`place ${int(f.containers)} fresh (baseline)`, secs(f.freshMs / 1000), secs(f.freshCpuSeconds), '1.00×', ''],
      [
        'reschedule all off the lost agent',
        secs(f.rescheduleMs / 1000),
        secs(f.rescheduleCpuSeconds),
        times(f.ratio),
        `${verdict(f.ratio, { atMost: 1.5 })} ≤1.5×, ${verdict(f.rescheduleMs, { atMost: 5000 })} ≤5 s`,
      ],
    ],
  );
  table(
    `docker run (create+start) latency beside ${int(f.loopers)} crash loops (${int(f.restartsDuring)} restarts meanwhile)`,
    ['cluster', 'n', 'p50', 'p90', 'p99', 'vs idle p50', 'goal'],
    [
      ['idle', String(f.idleRunMs.n), ms(f.idleRunMs.p50), ms(f.idleRunMs.p90), ms(f.idleRunMs.p99), '1.00×', ''],
      [
        'crash loops',
        String(f.loopingRunMs.n),
        ms(f.loopingRunMs.p50),
        ms(f.loopingRunMs.p90),
        ms(f.loopingRunMs.p99),
        times(f.runRatioP50),
        `${verdict(f.runRatioP50, { atMost: 2 })} ≤2×`,
      ],
    ],
  );
}
