// Real Apache Mesos for a test: the masters and agents a test starts for itself (to kill, restart, partition or fail
// over without touching the suite's shared ones from .ci/services.sh), the master's /state, and the removal of a
// framework's Docker containers. Masters and agents run through `.ci/mesos.sh`, the one command line of each.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './manager-process.js';
import { eventually } from './manager.js';
import { dockerCli } from './docker-cli.js';
import { MESOS, ZOOKEEPER } from './services.js';
import { removeZkTrees } from './zookeeper.js';

const script = fileURLToPath(new URL('../../.ci/mesos.sh', import.meta.url));

export interface StateTask {
  id: string;
  state: string;
  slave_id: string;
  /** What the task was granted (both real Mesos and the double list it). */
  resources?: { cpus: number; mem: number };
}
export interface StateFramework {
  id: string;
  name: string;
  active: boolean;
  connected: boolean;
  checkpoint: boolean;
  user: string;
  tasks: StateTask[];
  unreachable_tasks?: StateTask[];
  completed_tasks: StateTask[];
  offers: { id: string; slave_id: string }[];
}
export interface StateAgent {
  id: string;
  pid: string;
  hostname: string;
  active: boolean;
  resources: { cpus: number; mem: number; ports?: string };
  attributes: Record<string, string | number>;
}
export interface MasterState {
  id: string;
  pid?: string;
  leader?: string;
  slaves: StateAgent[];
  frameworks: StateFramework[];
  completed_frameworks?: StateFramework[];
}

export async function masterState(http: string): Promise<MasterState> {
  const res = await fetch(`${http}/state`);
  if (!res.ok) throw new Error(`${http}/state: ${res.status}`);
  return (await res.json()) as MasterState;
}

/** The engines the agents run containers on, as the manager reaches them. */
export const AGENT_ENGINES = [
  { socket: '/var/run/docker.sock', dockerPort: 2375, rack: 'r1' },
  { socket: '/var/run/docker-node2.sock', dockerPort: 2385, rack: 'r2' },
] as const;

const spawned = new Set<ChildProcess>();
// A test process that dies leaves no master or agent of its own behind.
process.on('exit', () => {
  for (const child of spawned) child.kill('SIGKILL');
});

/** One master or agent process: started, killed and started again with the same command line. */
export class MesosProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly args: string[];
  readonly port: number;
  readonly log: string;

  constructor(args: string[], port: number, log: string) {
    this.args = args;
    this.port = port;
    this.log = log;
  }

  get http(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): void {
    const out = createWriteStream(this.log, { flags: 'a' });
    const child = spawn('bash', [script, ...this.args], {
      env: { ...process.env, MESOS_BIN: MESOS.bin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    spawned.add(child);
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        spawned.delete(child);
        resolve();
      }),
    );
    this.#child = child;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    await this.#exited;
  }

  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }
}

export interface PrivateMesosOptions {
  /** Agents on each engine, in engine order (default 1: two agents). */
  agentsPerEngine?: number;
  /** HTTP framework authentication (Basic): principal → secret. */
  credentials?: Record<string, string>;
}

/**
 * A master (published under a ZooKeeper path of its own) and agents on the two engines, for one test. The manager is
 * given `master` (zk://…); `http` follows the leader when a standby is started.
 */
export class PrivateMesos {
  readonly zkPath = `/mesoswarm-test/${randomUUID()}`;
  readonly master = `zk://${ZOOKEEPER}${this.zkPath}`;
  readonly masters: MesosProcess[] = [];
  readonly agents: MesosProcess[] = [];
  #dir = '';
  #masterFlags: string[] = [];
  #leader: MesosProcess | undefined;

  static async start(options: PrivateMesosOptions = {}): Promise<PrivateMesos> {
    const cluster = new PrivateMesos();
    try {
      await cluster.#start(options);
    } catch (err) {
      const logs = await cluster.logTails();
      await cluster.close();
      throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
    }
    return cluster;
  }

  /** The last lines each master and agent logged, for a failure message. */
  async logTails(lines = 15): Promise<string> {
    const out: string[] = [];
    for (const p of [...this.masters, ...this.agents]) {
      const text = await readFile(p.log, 'utf8').catch(() => '');
      out.push(`--- ${p.args.slice(0, 2).join(' ')}:\n${text.split('\n').slice(-lines).join('\n')}`);
    }
    return out.join('\n');
  }

  get dir(): string {
    return this.#dir;
  }

  /** The leading master's HTTP address. */
  get http(): string {
    return (this.#leader ?? this.masters[0]!).http;
  }

  async #start(options: PrivateMesosOptions): Promise<void> {
    const perEngine = options.agentsPerEngine ?? 1;
    this.#dir = await mkdtemp(join(tmpdir(), 'mesoswarm-mesos-'));
    if (options.credentials) {
      const file = join(this.#dir, 'credentials.json');
      const credentials = Object.entries(options.credentials).map(([principal, secret]) => ({ principal, secret }));
      await writeFile(file, JSON.stringify({ credentials }));
      this.#masterFlags = [
        '--authenticate_http_frameworks',
        '--http_framework_authenticators=basic',
        `--credentials=file://${file}`,
      ];
    }
    this.#leader = await this.startMaster();
    // Host ports of their own, away from the shared agents' 30000-30999, the double's 31000-32000 slices and the
    // kernel's ephemeral ports (32768 and up: a client socket there makes Docker's bind fail).
    const base = 29000 + 100 * Math.floor(Math.random() * 9);
    for (let i = 0; i < perEngine; i++) {
      for (const [e, engine] of AGENT_ENGINES.entries()) {
        const n = this.agents.length;
        const port = await freePort();
        const first = base + 10 * n;
        const agent = new MesosProcess(
          [
            'agent',
            String(port),
            this.master,
            join(this.#dir, `agent${n}`),
            engine.socket,
            String(engine.dockerPort),
            `r${e + 1}`,
            `[${first}-${first + 9}]`,
          ],
          port,
          join(this.#dir, `agent${n}.log`),
        );
        agent.start();
        this.agents.push(agent);
      }
    }
    await this.waitForAgents();
  }

  /** Starts a master on the cluster's ZooKeeper path (the first leads; a later one is a standby until then). */
  async startMaster(): Promise<MesosProcess> {
    const port = await freePort();
    const n = this.masters.length;
    const master = new MesosProcess(
      ['master', String(port), this.master, join(this.#dir, `master${n}`), ...this.#masterFlags],
      port,
      join(this.#dir, `master${n}.log`),
    );
    master.start();
    this.masters.push(master);
    await eventually(() => fetch(`${master.http}/health`).then((r) => r.ok), 30_000, 200);
    return master;
  }

  /** Waits until one live master leads and lists every agent as active; returns its state. */
  async waitForAgents(timeoutMs = 60_000): Promise<MasterState> {
    return eventually(
      async () => {
        for (const master of this.masters) {
          const state = await masterState(master.http).catch(() => undefined);
          if (!state || state.leader !== state.pid) continue;
          this.#leader = master;
          const active = new Set(state.slaves.filter((a) => a.active).map((a) => portOf(a.pid)));
          if (this.agents.every((a) => active.has(a.port))) return state;
        }
        return undefined;
      },
      timeoutMs,
      250,
    );
  }

  agentByPort(port: number): MesosProcess {
    const agent = this.agents.find((a) => a.port === port);
    if (!agent) throw new Error(`no agent of this cluster on port ${port}`);
    return agent;
  }

  async leaderState(): Promise<MasterState> {
    return masterState(this.http);
  }

  /** Kills the leading master (-9); a standby, if any, takes over through ZooKeeper. */
  async killLeader(): Promise<void> {
    const leader = this.#leader ?? this.masters[0]!;
    await leader.kill('SIGKILL');
    this.masters.splice(this.masters.indexOf(leader), 1);
    this.#leader = undefined;
  }

  /** Stops every task of every framework (TEARDOWN by the operator), then every process; removes what they left. */
  async close(): Promise<void> {
    const state = this.masters.length ? await this.leaderState().catch(() => undefined) : undefined;
    for (const framework of state?.frameworks ?? []) await teardown(this.http, framework.id).catch(() => undefined);
    for (const agent of this.agents) await agent.kill('SIGKILL');
    for (const master of this.masters) await master.kill('SIGKILL');
    if (this.#dir) {
      await removeContainersUnder(this.#dir);
      await rm(this.#dir, { recursive: true, force: true }).catch(() => undefined);
    }
    await removeZkTrees(this.zkPath).catch(() => undefined);
  }
}

export function portOf(pid: string): number {
  return Number(/:(\d+)$/.exec(pid)?.[1]);
}

/** The operator's TEARDOWN: the master kills the framework's tasks and forgets it. */
export async function teardown(http: string, frameworkId: string): Promise<void> {
  const res = await fetch(`${http}/master/teardown`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `frameworkId=${encodeURIComponent(frameworkId)}`,
  });
  if (!res.ok) throw new Error(`teardown of ${frameworkId}: ${res.status} ${await res.text()}`);
}

/**
 * Removes, on both engines, the `mesos-<uuid>` containers whose sandbox mount contains `marker` (a framework ID, or a
 * private cluster's work dir): what the agents leave of a test after TEARDOWN, until their remove delay.
 */
export async function removeContainersUnder(marker: string): Promise<void> {
  for (const engine of AGENT_ENGINES) {
    const docker = dockerCli(`unix://${engine.socket}`);
    const ids = (await docker(['ps', '-aq', '--no-trunc', '--filter', 'name=mesos-'])).stdout
      .split('\n')
      .filter(Boolean);
    if (!ids.length) continue;
    const mounts = await docker(['inspect', '--format', '{{.Id}}{{range .Mounts}} {{.Source}}{{end}}', ...ids]);
    const mine = mounts.stdout
      .split('\n')
      .filter((line) =>
        line
          .split(' ')
          .slice(1)
          .some((source) => source.includes(marker)),
      )
      .map((line) => line.split(' ')[0]!);
    if (mine.length) await docker(['rm', '-f', '-v', ...mine]);
  }
}
