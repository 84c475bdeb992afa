// Benchmark 5, recovery after a crash: with M running containers, kill -9 the manager, start a new one on the same
// state directory, and time (from the new process's spawn) until it answers /_ping, until `docker ps`
// (GET /containers/json) lists all M containers as running, and until reconciliation with Mesos is done — the
// manager's info-level log line "reconciliation round complete", which it writes once every task it knew has been
// answered for by the master and the implicit reconciliation was sent. The baseline is the same three moments for
// a manager that starts with nothing to recover (a fresh state directory, against the same double), so the
// figure separates the cost of recovering M containers from the cost of starting node and subscribing.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import { startSimCluster, fill, type SimCluster } from './lib/cluster.js';
import { startManager, type ManagerProc } from './lib/processes.js';
import { keepAliveAgent, request } from './lib/http.js';
import { progressLine, table, int, ms, mib, secs, size, verdict } from './lib/report.js';

export interface RecoveryConfig {
  readonly agents: number;
  readonly containers: number;
  readonly concurrency: number;
  readonly memMb: number;
  readonly logDir: string;
  readonly quiet?: boolean;
}

export interface RecoveryTimes {
  /** Milliseconds from spawning the manager. */
  readonly pingMs: number;
  /** Until GET /containers/json answers with every container running. */
  readonly psCorrectMs: number;
  /** Until the manager logged "reconciliation round complete". */
  readonly reconciledMs: number;
  /** List calls made (each a full list) before the answer was complete. */
  readonly listPolls: number;
}

export interface RecoveryFigures {
  readonly agents: number;
  readonly containers: number;
  /** Size of the journal the new manager replayed, bytes. */
  readonly stateBytes: number;
  readonly recovered: RecoveryTimes;
  readonly baseline: RecoveryTimes;
  /** CPU seconds and peak RSS of the recovering manager at the moment reconciliation completed. */
  readonly managerCpuSeconds: number;
  readonly managerPeakRssBytes: number;
}

/** Starts a manager and times the three moments from its spawn. */
async function timeStart(
  launch: () => Promise<ManagerProc>,
  expected: number,
): Promise<RecoveryTimes & { manager: ManagerProc }> {
  const manager = await launch();
  const t0 = manager.spawnedAt;
  const agent = keepAliveAgent(1);
  let polls = 0;
  let psAt: number;
  try {
    for (;;) {
      polls++;
      if (await listsAll(manager.port, agent, expected)) {
        psAt = performance.now();
        break;
      }
      if (performance.now() - t0 > 120_000) throw new Error(`docker ps never listed ${expected} running containers`);
    }
  } finally {
    agent.destroy();
  }
  const reconciledAt = await manager.firstLog('reconciliation round complete', 120_000);
  return {
    pingMs: manager.readyAt - t0,
    psCorrectMs: psAt - t0,
    reconciledMs: reconciledAt - t0,
    listPolls: polls,
    manager,
  };
}

export async function listsAll(port: number, agent: http.Agent, expected: number): Promise<boolean> {
  try {
    const answer = await request(port, 'GET', '/v1.41/containers/json', undefined, agent);
    if (answer.status !== 200) return false;
    const list = answer.json as { State: string }[];
    return list.length === expected && list.every((c) => c.State === 'running');
  } catch {
    return false;
  }
}

export async function run(config: RecoveryConfig, prepared?: SimCluster): Promise<RecoveryFigures> {
  const log = (s: string) => config.quiet || console.log(`  [recovery] ${s}`);
  let cluster = prepared;
  if (!cluster) {
    log(
      `starting the cluster double (${config.agents} agents) and the manager; filling ${config.containers} containers`,
    );
    cluster = await startSimCluster({ agents: config.agents, logDir: config.logDir });
  }
  const emptyDir = mkdtempSync(join(tmpdir(), 'mesoswarm-bench-empty-'));
  try {
    if (!prepared) {
      await fill(cluster.manager.port, {
        containers: config.containers,
        concurrency: config.concurrency,
        memMb: config.memMb,
        progress: config.quiet ? undefined : progressLine('recovery', config.containers),
      });
    }
    log('baseline: a manager with nothing to recover');
    const double = cluster.sim;
    const baseline = await timeStart(
      () =>
        startManager({
          driver: 'mesos-experimental',
          discovery: double.address,
          stateDir: emptyDir,
          logDir: config.logDir,
          logName: 'manager-recovery-baseline',
        }),
      0,
    );
    await baseline.manager.stop();

    let stateBytes = 0;
    try {
      stateBytes = statSync(join(cluster.stateDir, 'swarm', 'state.jsonl')).size;
    } catch {
      // the journal's layout is the store's business; the size is only context
    }
    log(`kill -9 the manager with ${config.containers} running containers; restarting on the same state`);
    await cluster.manager.crash();
    const c = cluster;
    const recovered = await timeStart(() => c.restartManager(), config.containers);
    const sample = recovered.manager.sample();
    const { manager: _m, ...recoveredTimes } = recovered;
    const { manager: _b, ...baselineTimes } = baseline;
    return {
      agents: config.agents,
      containers: config.containers,
      stateBytes,
      recovered: recoveredTimes,
      baseline: baselineTimes,
      managerCpuSeconds: sample.cpuSeconds,
      managerPeakRssBytes: sample.peakRssBytes,
    };
  } finally {
    await cluster.close();
    rmSync(emptyDir, { recursive: true, force: true });
  }
}

export function print(f: RecoveryFigures): void {
  const row = (name: string, key: keyof RecoveryTimes, target?: number) => [
    name,
    ms(f.recovered[key]),
    ms(f.baseline[key]),
    ms(f.recovered[key] - f.baseline[key]),
    target === undefined ? '' : `≤ ${target} ms: ${verdict(f.recovered[key], { atMost: target })}`,
  ];
  table(
    `Recovery: kill -9 with ${int(f.containers)} running containers on ${int(f.agents)} agents, restart on the same ` +
      `state (${size(f.stateBytes)} journal); ms from the new process's spawn; baseline: a manager with nothing to recover`,
    ['moment', 'recovered', 'baseline', 'difference', 'target'],
    [
      row('answers /_ping', 'pingMs'),
      row(`docker ps lists all ${int(f.containers)} running`, 'psCorrectMs', 5000),
      row('"reconciliation round complete" logged', 'reconciledMs', 5000),
    ],
  );
  console.log(
    `  recovering manager at reconciliation: ${secs(f.managerCpuSeconds)} CPU, peak RSS ${mib(f.managerPeakRssBytes)}`,
  );
}
