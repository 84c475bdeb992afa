// Benchmark 2, added latency on a real container: `docker run -d busybox sleep 60` with the real docker CLI,
// straight to the local dockerd (the baseline), through the manager's native driver over that engine, and through
// the manager in mesos mode with the Mesos test double in `docker` mode (real containers on the same engine,
// allocation on every change). The three are interleaved round by round (A, B, C, A, B, C …) so drift in the
// machine's load hits them alike; each container is removed after its round, outside the timed call.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startManager, startSim, waitForAgents, type ManagerProc, type SimProc } from './lib/processes.js';
import { summarize, median, type Summary } from './lib/stats.js';
import { table, ms, times } from './lib/report.js';

export interface LatencyConfig {
  readonly rounds: number;
  /** Rounds run first and not counted (CLI, engine and JIT warm-up). */
  readonly warmupRounds: number;
  /** The local engine: the CLI's default socket for the baseline, its TCP address for the manager. */
  readonly engineTcp: string;
  readonly logDir: string;
  readonly quiet?: boolean;
}

export interface ModeFigures {
  readonly name: string;
  readonly latencyMs: Summary;
  /** This mode's p50 over the baseline's p50 (1 for the baseline). */
  readonly ratioP50: number;
  readonly addedP50Ms: number;
  readonly addedP99Ms: number;
  /** Median over rounds of (this mode − baseline) in the same round: robust to drift between rounds. */
  readonly pairedAddedMedianMs: number;
}

export interface LatencyFigures {
  readonly rounds: number;
  readonly command: string;
  readonly modes: ModeFigures[];
  readonly failures: string[];
}

const COMMAND = ['run', '-d', 'busybox', 'sleep', '60'];

interface Cli {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the docker CLI (DOCKER_HOST = `host`, or the CLI's default socket) and times it from spawn to exit. */
function docker(host: string | undefined, args: readonly string[]): Promise<Cli> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CLI_HINTS: 'false' };
  delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  if (host) env.DOCKER_HOST = host;
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile('docker', args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim(), ms: performance.now() - t0 });
    });
  });
}

interface Mode {
  readonly name: string;
  readonly host: string | undefined;
}

export async function run(config: LatencyConfig): Promise<LatencyFigures> {
  const log = (s: string) => config.quiet || console.log(`  [latency] ${s}`);
  const stateDir = mkdtempSync(join(tmpdir(), 'mesoswarm-bench-latency-'));
  let native: ManagerProc | undefined;
  let sim: SimProc | undefined;
  let mesos: ManagerProc | undefined;
  const failures: string[] = [];
  try {
    log('starting the native manager, the Mesos double (docker mode) and the mesos manager');
    native = await startManager({
      driver: 'swarm',
      discovery: config.engineTcp,
      logDir: config.logDir,
      logName: 'manager-native',
    });
    const enginePort = Number(/:(\d+)$/.exec(config.engineTcp)?.[1] ?? 2375);
    sim = await startSim({
      agents: 1,
      executor: 'docker',
      allocationIntervalMs: 0,
      dockerPort: enginePort,
      logDir: config.logDir,
    });
    mesos = await startManager({
      driver: 'mesos-experimental',
      discovery: sim.address,
      stateDir,
      // `docker run` without -m or -c is refused in mesos mode (classic Swarm's rule) unless defaults are set.
      clusterOpts: ['mesos.defaultcpus=0.1', 'mesos.defaultmem=32', 'mesos.tasktimeout=60s'],
      logDir: config.logDir,
      logName: 'manager-mesos-docker',
    });
    await waitForAgents(mesos.port, 1);

    const modes: Mode[] = [
      { name: 'dockerd (baseline)', host: undefined },
      { name: 'manager, native driver', host: native.host },
      { name: 'manager, mesos + double (docker)', host: mesos.host },
    ];
    const samples = modes.map(() => [] as number[]);
    // Per counted round, each mode's time (undefined when its run failed), for the paired differences.
    const byRound: (number | undefined)[][] = [];
    const total = config.warmupRounds + config.rounds;
    for (let round = 0; round < total; round++) {
      const made: { mode: Mode; id: string }[] = [];
      const times: (number | undefined)[] = modes.map(() => undefined);
      // Each round starts with another mode. With a fixed order the first run of every round (right after the
      // previous round's removals) was the baseline's, and on this machine that position alone was worth 100-200 ms
      // at p50: the "added latency" measured the order, not the manager.
      for (let k = 0; k < modes.length; k++) {
        const i = (round + k) % modes.length;
        const mode = modes[i]!;
        const result = await docker(mode.host, COMMAND);
        if (result.code !== 0) {
          failures.push(`${mode.name}: ${result.stderr || result.stdout}`);
          continue;
        }
        made.push({ mode, id: result.stdout.split('\n').pop()! });
        if (round >= config.warmupRounds) {
          samples[i]!.push(result.ms);
          times[i] = result.ms;
        }
      }
      if (round >= config.warmupRounds) byRound.push(times);
      // Clean up through the same path that made it (in mesos mode rm -f is a Mesos KILL, then the removal).
      await Promise.all(made.map(({ mode, id }) => docker(mode.host, ['rm', '-f', id])));
      if (!config.quiet && process.stdout.isTTY) process.stdout.write(`\r  [latency] round ${round + 1} / ${total}   `);
    }
    if (!config.quiet && process.stdout.isTTY) process.stdout.write('\n');
    if (failures.length > config.rounds) throw new Error(`docker run failed ${failures.length} times: ${failures[0]}`);

    const base = summarize(samples[0]!);
    return {
      rounds: config.rounds,
      command: `docker ${COMMAND.join(' ')}`,
      failures,
      modes: modes.map((mode, i) => {
        const latencyMs = summarize(samples[i]!);
        const paired: number[] = [];
        for (const t of byRound) if (t[i] !== undefined && t[0] !== undefined) paired.push(t[i]! - t[0]!);
        return {
          name: mode.name,
          latencyMs,
          ratioP50: latencyMs.p50 / base.p50,
          addedP50Ms: latencyMs.p50 - base.p50,
          addedP99Ms: latencyMs.p99 - base.p99,
          pairedAddedMedianMs: median(paired),
        };
      }),
    };
  } finally {
    await mesos?.stop();
    await sim?.stop();
    await native?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export function print(f: LatencyFigures): void {
  table(
    `Added latency: \`${f.command}\` with the docker CLI, ${f.rounds} interleaved rounds (spawn to exit); ` +
      'baseline: straight to dockerd',
    ['path', 'p50 ms', 'p99 ms', 'p50 ratio', 'added p50 ms', 'added p99 ms', 'paired median added ms', 'target'],
    f.modes.map((m, i) => [
      m.name,
      ms(m.latencyMs.p50),
      ms(m.latencyMs.p99),
      times(m.ratioP50),
      i === 0 ? '-' : ms(m.addedP50Ms),
      i === 0 ? '-' : ms(m.addedP99Ms),
      i === 0 ? '-' : ms(m.pairedAddedMedianMs),
      i === 0 ? '' : `≤ 1.10×, ≤ 20 ms: ${m.ratioP50 <= 1.1 && m.addedP50Ms <= 20 ? 'meets' : 'misses'}`,
    ]),
  );
  if (f.failures.length) console.log(`  ${f.failures.length} failed runs; first: ${f.failures[0]}`);
}
