// Several managers as separate processes in one election (`--replication`), for the HA suites: start them, find
// the leader through any of them (`docker info`'s Role line), kill or pause it, and a client that creates and
// starts containers against any live manager, retrying with the same name on the errors a failover produces.
import { spawnManager, freePort, type ManagerProcess } from './manager-process.js';
import { eventually } from './manager.js';

export interface Replica {
  readonly port: number;
  readonly advertise: string;
  manager: ManagerProcess;
}

/** `args(port)`: the manage arguments of the manager on that port (its --advertise among them). */
export async function startReplica(args: (advertise: string) => string[]): Promise<Replica> {
  const port = await freePort();
  const advertise = `127.0.0.1:${port}`;
  const manager = await spawnManager(args(advertise), port);
  return { port, advertise, manager };
}

export const alive = (r: Replica) => r.manager.child.exitCode === null && r.manager.child.signalCode === null;

/** The Role line of a manager's `docker info`, and the primary it names ('' when it does not answer). */
export async function roleOf(r: Replica): Promise<{ role: string; primary: string; managers: number }> {
  const info = await r.manager.docker(['info', '--format', '{{json .SystemStatus}}'], { timeoutMs: 10_000 });
  if (info.code !== 0) return { role: '', primary: '', managers: 0 };
  const pairs = JSON.parse(info.stdout) as [string, string][];
  const get = (key: string) => pairs.find(([k]) => k === key)?.[1] ?? '';
  return { role: get('Role'), primary: get('Primary'), managers: Number(get('Managers') || 0) };
}

/** The one manager whose `docker info` says primary, once exactly one does and every other names it. */
export async function leaderOf(replicas: readonly Replica[], timeoutMs = 30_000): Promise<Replica> {
  return eventually(
    async () => {
      const live = replicas.filter(alive);
      const roles = await Promise.all(live.map(roleOf));
      const primaries = live.filter((_, i) => roles[i]!.role === 'primary');
      if (primaries.length !== 1) return undefined;
      const leader = primaries[0]!;
      return roles.every((r, i) => live[i] === leader || r.primary === leader.advertise) ? leader : undefined;
    },
    timeoutMs,
    250,
  );
}

/** A failover's errors: the client retries these with the same name (anything else fails the test). */
export const RETRYABLE =
  /connect: connection refused|Cannot connect|No elected primary|Unable to reach primary|EOF|connection reset|timed out|context deadline|error during connect|is not started|502|503/i;

/**
 * A start the dead leader had launched, whose task never reached Mesos: the next leader's reconciliation fails it
 * (the same happens to one manager killed -9 and restarted). `docker start` again launches a new task. Counted apart.
 */
export const LAUNCH_LOST = /Reconciliation: Task is unknown/;

export interface Outcome {
  name: string;
  attempts: number;
  errors: string[];
  /** Starts that failed with LAUNCH_LOST and were started again. */
  launchesLost: number;
}

/**
 * `docker create --name <name>` then `docker start <name>` against `pick()`, until both succeeded once: a create
 * answered 409 (the name exists: an earlier attempt got through) goes on to the start; a failover's error is retried.
 */
export async function createAndStart(
  name: string,
  pick: () => Replica,
  createArgs: readonly string[],
  deadlineMs: number,
): Promise<Outcome> {
  const outcome: Outcome = { name, attempts: 0, errors: [], launchesLost: 0 };
  const deadline = Date.now() + deadlineMs;
  let created = false;
  for (;;) {
    if (Date.now() > deadline)
      throw new Error(`${name}: not created and started in time\n${outcome.errors.join('\n')}`);
    outcome.attempts++;
    const r = pick();
    if (!created) {
      const res = await r.manager
        .docker(['create', '--name', name, ...createArgs], { timeoutMs: 60_000 })
        .catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
      if (res.code === 0 || /already in use|Conflict/i.test(res.stderr)) created = true;
      else if (RETRYABLE.test(res.stderr)) {
        outcome.errors.push(`create via ${r.advertise}: ${res.stderr.trim()}`);
        await pause(200);
        continue;
      } else throw new Error(`${name}: create failed: ${res.stderr}`);
    }
    const res = await r.manager.docker(['start', name], { timeoutMs: 60_000 }).catch((err: Error) => ({
      code: -1,
      stdout: '',
      stderr: err.message,
    }));
    if (res.code === 0) return outcome;
    if (LAUNCH_LOST.test(res.stderr)) {
      outcome.launchesLost++;
      outcome.errors.push(`start via ${r.advertise}: ${res.stderr.trim()}`);
      continue;
    }
    if (RETRYABLE.test(res.stderr) || /No such container/i.test(res.stderr)) {
      // A create answered by a leader that then died may not have been kept: create it again (409 if it was).
      if (/No such container/i.test(res.stderr)) created = false;
      outcome.errors.push(`start via ${r.advertise}: ${res.stderr.trim()}`);
      await pause(200);
      continue;
    }
    throw new Error(`${name}: start failed: ${res.stderr}`);
  }
}

/**
 * The size of the leader-kill loops (test/ha/mesos.test.ts, native.test.ts): MESOSWARM_HA_KILLS leaders killed -9
 * while MESOSWARM_HA_NAMES names are created and started; the defaults are what CI runs (about a minute a file). The
 * issue's full size, once: MESOSWARM_HA_NAMES=1000 MESOSWARM_HA_KILLS=20.
 */
export const LOOP = {
  kills: Number(process.env.MESOSWARM_HA_KILLS ?? 5),
  names: Number(process.env.MESOSWARM_HA_NAMES ?? 24),
} as const;

/** What the loops run: it outlives the loop at full size (~15 minutes), so every container still runs at the end. */
export const LOOP_RUN = ['-m', '16m', 'busybox', 'sleep', '7200'] as const;

/** Takeover times as the loops report them: min/median/max ms. */
export function spread(ms: readonly number[]): string {
  if (!ms.length) return 'none';
  const sorted = [...ms].sort((a, b) => a - b);
  return `${sorted[0]}/${sorted[Math.floor(sorted.length / 2)]}/${sorted.at(-1)}`;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds from `since` until `docker ps` through `via` is answered by a serving leader. */
export async function takeover(via: Replica, since: number, timeoutMs: number): Promise<number> {
  await eventually(
    async () => (await via.manager.docker(['ps', '-q'], { timeoutMs: 10_000 })).code === 0,
    timeoutMs,
    100,
  );
  return Date.now() - since;
}

/** Names created and started two at a time (as two users would) against the live managers in turn. */
export async function createAndStartAll(
  replicas: readonly Replica[],
  names: readonly string[],
  createArgs: readonly string[],
  deadlineMs: number,
): Promise<Outcome[]> {
  let next = 0;
  const pick = () => {
    const live = replicas.filter(alive);
    return live[next++ % live.length]!;
  };
  const outcomes: Outcome[] = [];
  for (let i = 0; i < names.length; i += 2) {
    const pair = names.slice(i, i + 2).map((n) => createAndStart(n, pick, createArgs, deadlineMs));
    outcomes.push(...(await Promise.all(pair)));
  }
  return outcomes;
}

/**
 * Kills the leader with -9 `kills` times, `settleMs` after each new leader is known, timing each takeover through a
 * surviving manager, and starts a new manager in its place each time (the operator's restart: a new candidate at
 * the back of the line). `replicas` is updated in place. Returns the takeover times, ms.
 */
export async function killLeaders(
  replicas: Replica[],
  kills: number,
  restart: () => Promise<Replica>,
  settleMs: number,
): Promise<number[]> {
  const takeovers: number[] = [];
  for (let k = 0; k < kills; k++) {
    const leader = await leaderOf(replicas, 60_000);
    await pause(settleMs);
    const killedAt = Date.now();
    await leader.manager.kill('SIGKILL');
    const survivor = replicas.find((r) => r !== leader && alive(r))!;
    takeovers.push(await takeover(survivor, killedAt, 60_000));
    replicas[replicas.indexOf(leader)] = await restart();
  }
  return takeovers;
}

/** Waits until a manager other than `old` says it is primary; returns it. */
export async function anotherPrimary(replicas: readonly Replica[], old: Replica, timeoutMs: number): Promise<Replica> {
  return eventually(async () => {
    const other = replicas.filter((r) => r !== old && alive(r));
    const roles = await Promise.all(other.map(roleOf));
    return other.find((_, i) => roles[i]!.role === 'primary');
  }, timeoutMs);
}
