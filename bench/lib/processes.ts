// The processes a benchmark runs: the Mesos test double (its standalone command), the manager (`bin/mesoswarm
// manage`, the built CLI, exactly as users run it) and a null Docker API server for baselines. Each is its own OS
// process so its CPU and memory are read apart from the others' and from the load generator's (this process).
// Owns spawning, readiness, log capture (a file per process, plus waiting for a log line), and stopping.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sample, type ProcSample } from './proc.js';
import { getJson } from './http.js';
import { freePort } from '../../test/helpers/http.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the manager is run from: this checkout, or another build (BENCH_MANAGER_ROOT) to compare two builds. */
export const MANAGER_ROOT = process.env.BENCH_MANAGER_ROOT ?? ROOT;

export interface Proc {
  readonly pid: number;
  readonly child: ChildProcess;
  /** CPU seconds and RSS now. */
  sample(): ProcSample;
  /** Resolves with performance.now() of the first log line (since spawn) whose pino "msg" is `msg`. */
  firstLog(msg: string, timeoutMs: number): Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** kill -9, as a crash. */
  crash(): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Every process started here and still running: none may outlive the benchmark, even when it dies early. */
const live = new Set<ChildProcess>();

/** SIGKILLs every process still running (at exit, and from run.ts on SIGINT/SIGTERM). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.on('exit', killAll);

function wrap(child: ChildProcess, logPath: string): Proc {
  live.add(child);
  child.once('exit', () => live.delete(child));
  const log = createWriteStream(logPath);
  // When each log message (pino's "msg") was first seen, and who waits for one not seen yet: recorded from the
  // spawn on, so a message written before anyone asked for it is not missed.
  const seen = new Map<string, number>();
  const waiting = new Map<string, ((t: number) => void)[]>();
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    const now = performance.now();
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
      if (msg === undefined || seen.has(msg)) continue;
      seen.set(msg, now);
      for (const resolve of waiting.get(msg) ?? []) resolve(now);
      waiting.delete(msg);
    }
  });
  // stdout too, where node's own diagnostics (--trace-gc, say) go; the sim's URL line is read before this.
  child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      log.end();
      resolve(code);
    }),
  );
  const pid = child.pid!;
  return {
    pid,
    child,
    exited,
    sample: () => sample(pid),
    firstLog(msg, timeoutMs) {
      const at = seen.get(msg);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const list = waiting.get(msg) ?? [];
        list.push(resolve);
        waiting.set(msg, list);
        setTimeout(() => reject(new Error(`no log message "${msg}" within ${timeoutMs} ms`)), timeoutMs).unref();
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface SimOptions {
  readonly agents: number;
  readonly cpus?: number;
  readonly memMb?: number;
  readonly executor: 'sim' | 'docker';
  /** 0 = allocate on every change (the "immediate" setting); the double's default is 1000 ms. */
  readonly allocationIntervalMs?: number;
  /** docker mode: the port the manager reaches each agent's engine on (the agent's docker_port attribute). */
  readonly dockerPort?: number;
  readonly logDir: string;
}

export interface SimProc extends Proc {
  readonly url: string;
  /** host:port, the manager's positional argument. */
  readonly address: string;
}

/** Starts the Mesos test double standalone (`npm run mesos-sim`'s command) and waits for its URL. */
export async function startSim(options: SimOptions): Promise<SimProc> {
  const args = ['--import', 'tsx', 'test/mesos-sim/main.ts', '--port', '0', '--agents', String(options.agents)];
  args.push('--executor', options.executor);
  if (options.cpus !== undefined) args.push('--cpus', String(options.cpus));
  if (options.memMb !== undefined) args.push('--mem', String(options.memMb));
  if (options.allocationIntervalMs !== undefined)
    args.push('--allocation-interval', String(options.allocationIntervalMs));
  if (options.dockerPort !== undefined) args.push('--docker-port', String(options.dockerPort));
  // Recording every task's docker argv is a test hook; at 100,000 tasks it would be the double's largest cost.
  if (options.executor === 'sim') args.push('--no-record-argv');
  mkdirSync(options.logDir, { recursive: true });
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = wrap(child, join(options.logDir, 'mesos-sim.log'));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim().split('\n')[0]!));
    child.once('exit', (code) => reject(new Error(`mesos-sim exited (${code}) before it listened`)));
  });
  child.stdout!.resume();
  return { ...proc, url, address: url.replace(/^http:\/\//, '') };
}

/**
 * Starts the simulated cluster of the sim-mode benchmarks (bench/lib/cluster-double.ts: the Mesos test double
 * plus stand-in agent daemons) as its own process and waits for its URL.
 */
export async function startClusterDouble(
  options: { agents: number; cpus?: number; memMb?: number; allocationIntervalMs?: number },
  logDir: string,
): Promise<SimProc> {
  mkdirSync(logDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/cluster-double.ts', JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = wrap(child, join(logDir, 'cluster-double.log'));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim().split('\n')[0]!));
    child.once('exit', (code) => reject(new Error(`the cluster double exited (${code}) before it listened`)));
  });
  child.stdout!.resume();
  return { ...proc, url, address: url.replace(/^http:\/\//, '') };
}

export interface ManagerOptions {
  /** The Mesos master (host:port) for mesos-experimental; engines (tcp://…) for the native driver. */
  readonly discovery: string;
  readonly driver: 'mesos-experimental' | 'swarm';
  readonly stateDir?: string;
  readonly clusterOpts?: readonly string[];
  /** Write a V8 CPU profile here when the manager exits cleanly (`node --cpu-prof`). */
  readonly cpuProfDir?: string;
  /** More node flags (e.g. --heapsnapshot-signal=SIGUSR2 when looking for memory). */
  readonly nodeArgs?: readonly string[];
  readonly port?: number;
  readonly logDir: string;
  readonly logName?: string;
  /** Run the manager of another checkout or build (default MANAGER_ROOT), e.g. to compare before and after. */
  readonly root?: string;
  /** More `manage` flags (e.g. `--metrics=false` for the metrics-cost A/B). */
  readonly manageArgs?: readonly string[];
}

export interface ManagerProc extends Proc {
  /** performance.now() when the process was spawned, and when it first answered /_ping. */
  readonly spawnedAt: number;
  readonly readyAt: number;
  readonly port: number;
  /** tcp://127.0.0.1:<port>, for the docker CLI's -H. */
  readonly host: string;
}

/** Starts `node bin/mesoswarm manage …` (the built CLI: run `npm run build` first) and waits until it answers /_ping. */
export async function startManager(options: ManagerOptions): Promise<ManagerProc> {
  const port = options.port ?? (await freePort());
  // BENCH_MANAGER_NODE_ARGS: V8 or Node flags for the manager only (e.g. comparing GC settings).
  const extra = (process.env.BENCH_MANAGER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const node: string[] = [...extra, ...(options.nodeArgs ?? [])];
  if (options.cpuProfDir) node.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  const args = [...node, 'bin/mesoswarm', 'manage', '-c', options.driver, '-H', `tcp://127.0.0.1:${port}`];
  const opts = [...(options.clusterOpts ?? [])];
  if (options.driver === 'mesos-experimental') {
    opts.unshift('mesos.user=root');
    if (options.stateDir) opts.unshift(`mesos.statedir=${options.stateDir}`);
  }
  for (const opt of opts) args.push('--cluster-opt', opt);
  args.push(...(options.manageArgs ?? []), options.discovery);
  mkdirSync(options.logDir, { recursive: true });
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: options.root ?? MANAGER_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = wrap(child, join(options.logDir, `${options.logName ?? 'manager'}.log`));
  const early = proc.exited.then((code) => {
    throw new Error(`manager exited (${code}) during start-up; see ${options.logDir}`);
  });
  early.catch(() => undefined);
  const readyAt = await Promise.race([waitForPing(port, 60_000, 5), early]);
  return { ...proc, spawnedAt, readyAt, port, host: `tcp://127.0.0.1:${port}` };
}

/** Polls GET /_ping until it answers 200. Resolves with performance.now() of the first good answer. */
export async function waitForPing(port: number, timeoutMs: number, stepMs = 20): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const answer = await getJson(port, '/_ping');
      if (answer.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`the manager did not answer /_ping within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Waits until a mesos-mode manager is subscribed and knows `agents` agents (each one's first offer arrived) and,
 * with `healthyEngines`, until it has connected to every agent's Docker daemon — so the start-up burst of engine
 * connections is over before anything is measured.
 */
export async function waitForAgents(
  port: number,
  agents: number,
  healthyEngines = false,
  timeoutMs = 180_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const info = await getJson(port, '/info');
      const pairs = (info.json as { SystemStatus?: [string, string][] }).SystemStatus ?? [];
      const status = new Map(pairs);
      const healthy = pairs.filter(([k, v]) => k === '  └ Engine' && v.includes('(Healthy')).length;
      last = `Mesos ${status.get('Mesos')}, ${status.get('Nodes')} nodes, ${healthy} healthy engines`;
      const enough = !healthyEngines || healthy >= agents;
      if (status.get('Mesos') === 'subscribed' && Number(status.get('Nodes')) >= agents && enough) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (performance.now() > deadline) throw new Error(`the manager did not see ${agents} agents in time (${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A Docker API that does nothing (create answers an ID, start answers 204, anything else 200 {}), in its own
 * process: the same load against it is the baseline of what the HTTP stack and the load generator cost here.
 */
export async function startNullApi(logDir: string): Promise<ManagerProc> {
  const port = await freePort();
  mkdirSync(logDir, { recursive: true });
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/null-api.ts', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const proc = wrap(child, join(logDir, 'null-api.log'));
  const readyAt = await waitForPing(port, 30_000);
  return { ...proc, spawnedAt, readyAt, port, host: `tcp://127.0.0.1:${port}` };
}
