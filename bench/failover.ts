// Benchmark 6, failover between managers: with M running containers (sim mode), two managers in one election
// (`--replication`, the leader and a replica, on one state), kill -9 the leader and time, from the kill, until the
// replica answers `docker ps` (GET /containers/json) with all M running, and until it has logged "reconciliation
// round complete". The baseline is the single manager's way back in the same run: kill -9, a new process started at
// once on the same state (as a supervisor would), timed the same way from the kill. The failover's floor is the
// session timeout: ZooKeeper deletes a dead leader's znode only once its session expires (--replication-ttl).
import { randomUUID } from 'node:crypto';
import { startSimCluster, fill, type SimCluster } from './lib/cluster.js';
import { startManager, waitForAgents, type ManagerProc } from './lib/processes.js';
import { freePort } from '../test/helpers/http.js';
import { keepAliveAgent } from './lib/http.js';
import { listsAll } from './recovery.js';
import { progressLine, table, int, ms, verdict } from './lib/report.js';

export interface FailoverConfig {
  readonly agents: number;
  readonly containers: number;
  readonly ttlMs: number;
  readonly concurrency: number;
  readonly memMb: number;
  readonly logDir: string;
  readonly quiet?: boolean;
}

export interface TakeoverTimes {
  /** Milliseconds from the kill -9. */
  readonly psCorrectMs: number;
  readonly reconciledMs: number;
}

export interface FailoverFigures {
  readonly agents: number;
  readonly containers: number;
  readonly ttlMs: number;
  /** The replica: from the leader's kill; `electedMs` when it logged that it leads. */
  readonly failover: TakeoverTimes & { readonly electedMs: number };
  /** One manager restarted on its state at once. */
  readonly restart: TakeoverTimes;
}

const ZOOKEEPER = process.env.MESOSWARM_TEST_ZK ?? '127.0.0.1:2181';

async function psCorrect(manager: ManagerProc, expected: number, from: number): Promise<number> {
  const agent = keepAliveAgent(1);
  try {
    while (!(await listsAll(manager.port, agent, expected))) {
      if (performance.now() - from > 180_000) throw new Error(`docker ps never listed ${expected} running containers`);
    }
    return performance.now() - from;
  } finally {
    agent.destroy();
  }
}

export async function run(config: FailoverConfig): Promise<FailoverFigures> {
  const log = (s: string) => config.quiet || console.log(`  [failover] ${s}`);
  log(`starting the cluster double (${config.agents} agents); filling ${config.containers} containers`);
  const cluster: SimCluster = await startSimCluster({ agents: config.agents, logDir: config.logDir });
  const replicated: ManagerProc[] = [];
  try {
    await fill(cluster.manager.port, {
      containers: config.containers,
      concurrency: config.concurrency,
      memMb: config.memMb,
      progress: config.quiet ? undefined : progressLine('failover', config.containers),
    });

    log('baseline: kill -9 the manager, start a new one on the same state at once');
    await cluster.manager.crash();
    const killedAt = performance.now();
    const restarted = await cluster.restartManager();
    const restart = {
      psCorrectMs: await psCorrect(restarted, config.containers, killedAt),
      reconciledMs: (await restarted.firstLog('reconciliation round complete', 180_000)) - killedAt,
    };
    await restarted.stop();

    log(`two managers in one election (session timeout ${config.ttlMs} ms); kill -9 the leader`);
    const path = `/mesoswarm-bench/${randomUUID()}/leader`;
    const name = `bench-failover-${randomUUID().slice(0, 8)}`;
    const launch = async (logName: string) => {
      const port = await freePort();
      const manager = await startManager({
        driver: 'mesos-experimental',
        discovery: cluster.sim.address,
        stateDir: cluster.stateDir,
        port,
        // A framework of their own: replicated managers keep the store in ZooKeeper, not in the baseline's journal.
        clusterOpts: ['mesos.tasktimeout=60s', `mesos.zk=zk://${ZOOKEEPER}${path}`, `mesos.name=${name}`],
        manageArgs: ['--replication', '--advertise', `127.0.0.1:${port}`, '--replication-ttl', `${config.ttlMs}ms`],
        logDir: config.logDir,
        logName,
      });
      replicated.push(manager);
      return manager;
    };
    const leader = await launch('manager-leader');
    await waitForAgents(leader.port, config.agents, true);
    await fill(leader.port, { containers: config.containers, concurrency: config.concurrency, memMb: config.memMb });
    await psCorrect(leader, config.containers, performance.now());
    const replica = await launch('manager-replica');
    await leader.crash();
    const crashedAt = performance.now();
    const failover = {
      psCorrectMs: await psCorrect(replica, config.containers, crashedAt),
      reconciledMs: (await replica.firstLog('reconciliation round complete', 180_000)) - crashedAt,
      electedMs: (await replica.firstLog('elected primary: starting to act', 180_000)) - crashedAt,
    };
    return { agents: config.agents, containers: config.containers, ttlMs: config.ttlMs, failover, restart };
  } finally {
    for (const m of replicated) await m.stop().catch(() => undefined);
    await cluster.close();
  }
}

export function print(f: FailoverFigures): void {
  table(
    `Failover: kill -9 of the leader with ${int(f.containers)} running containers on ${int(f.agents)} agents (sim ` +
      `mode), ms from the kill; the replica takes over (session timeout ${int(f.ttlMs)} ms) vs. one manager ` +
      `restarted at once on its state`,
    ['moment', 'failover', 'restart', 'difference', 'target'],
    [
      ['the replica leads ("elected primary" logged)', ms(f.failover.electedMs), '', '', ''],
      [
        `docker ps lists all ${int(f.containers)} running`,
        ms(f.failover.psCorrectMs),
        ms(f.restart.psCorrectMs),
        ms(f.failover.psCorrectMs - f.restart.psCorrectMs),
        `≤ 5000 ms: ${verdict(f.failover.psCorrectMs, { atMost: 5000 })}`,
      ],
      [
        '"reconciliation round complete" logged',
        ms(f.failover.reconciledMs),
        ms(f.restart.reconciledMs),
        ms(f.failover.reconciledMs - f.restart.reconciledMs),
        '',
      ],
    ],
  );
}
