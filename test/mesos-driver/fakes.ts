// Fakes for the Mesos driver's stations: a clock moved by hand, a Mesos client that records the calls it is given
// (and can emit the client's events), and a state backend whose writes complete when the test says so. With these
// each station's rules are checked without a master, an agent or a disk.
import { EventEmitter } from 'node:events';
import type { Offer, Resource, SchedulerClientEvents, TaskStatus } from '../../src/mesos/index.js';
import type { Clock, TimerHandle } from '../../src/util/clock.js';
import type { FrameworkClient } from '../../src/cluster/mesos/calls.js';
import type { StateBackend, StateEntry, StateLog } from '../../src/cluster/mesos/persistence.js';
import { MesosContainer } from '../../src/cluster/mesos/container.js';
import { compileSpec } from '../../src/cluster/mesos/spec.js';
import { ContainerStore } from '../../src/cluster/mesos/store.js';
import { EventLog } from '../../src/cluster/events.js';
import type { CreateBody } from '../../src/cluster/cluster.js';
import { createMetrics } from '../../src/metrics/index.js';
import { MesosFramework, type FrameworkSettings } from '../../src/cluster/mesos/framework.js';
import { AgentRegistry } from '../../src/cluster/mesos/agents.js';
import { AgentViews } from '../../src/cluster/mesos/agent-views.js';
import { DockerSide } from '../../src/cluster/mesos/docker-side.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { silentLogger } from '../../src/util/logger.js';

/** Instruments that record nothing: the stations call them, the tests do not read them. */
export const noMetrics = createMetrics({ enabled: false });

interface FakeTimer {
  at: number;
  readonly fn: () => void;
  readonly every: number | undefined;
}

export class FakeClock implements Clock {
  #now = 1_000_000;
  readonly #timers = new Set<FakeTimer>();

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.#now + ms, fn, every: undefined };
    this.#timers.add(timer);
    return timer as unknown as TimerHandle;
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.#now + ms, fn, every: ms };
    this.#timers.add(timer);
    return timer as unknown as TimerHandle;
  }
  clear(timer: TimerHandle | undefined): void {
    this.#timers.delete(timer as unknown as FakeTimer);
  }
  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }
  /** Moves time forward, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers) if (t.at <= end && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.#now = next.at;
      if (next.every === undefined) this.#timers.delete(next);
      else next.at += next.every;
      next.fn();
    }
    this.#now = end;
  }
}

export type Call = { readonly type: string; readonly args: unknown[] };

/** A Mesos client that records every call; `fail` makes the next calls of a type reject. */
export class FakeMesos extends EventEmitter<SchedulerClientEvents> implements FrameworkClient {
  readonly calls: Call[] = [];
  readonly failing = new Set<string>();
  frameworkId: string | undefined = 'FW';
  masterUrl: string | undefined = 'http://master:5050/api/v1/scheduler';
  lastSubscribeError: string | undefined = undefined;
  started = false;

  #record(type: string, args: unknown[]): Promise<void> {
    this.calls.push({ type, args });
    return this.failing.has(type) ? Promise.reject(new Error(`${type} refused`)) : Promise.resolve();
  }
  of(type: string): Call[] {
    return this.calls.filter((c) => c.type === type);
  }
  launch(...args: unknown[]): Promise<void> {
    return this.#record('LAUNCH', args);
  }
  decline(...args: unknown[]): Promise<void> {
    return this.#record('DECLINE', args);
  }
  suppress(...args: unknown[]): Promise<void> {
    return this.#record('SUPPRESS', args);
  }
  revive(...args: unknown[]): Promise<void> {
    return this.#record('REVIVE', args);
  }
  kill(...args: unknown[]): Promise<void> {
    return this.#record('KILL', args);
  }
  reconcile(...args: unknown[]): Promise<void> {
    return this.#record('RECONCILE', args);
  }
  async acknowledge(status: TaskStatus): Promise<boolean> {
    await this.#record('ACKNOWLEDGE', [status]);
    return true;
  }
  start(): void {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.started = false;
  }
}

/** A state log in memory; with `hold`, each append waits for `release()`. */
export class MemoryBackend implements StateBackend {
  readonly entries: StateEntry[] = [];
  hold = false;
  failNext = false;
  readonly #held: (() => void)[] = [];

  async open(replay: (entry: StateEntry) => void, compactForm: () => Iterable<StateEntry>): Promise<StateLog> {
    for (const entry of this.entries) replay(entry);
    this.entries.splice(0, this.entries.length, ...compactForm());
    const entries = this.entries;
    return {
      get size() {
        return entries.length;
      },
      append: (entry) => this.#append(entry),
      async compact(compacted) {
        entries.splice(0, entries.length, ...compacted);
      },
      async close() {},
    };
  }

  #append(entry: StateEntry): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    if (!this.hold) {
      this.entries.push(entry);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) =>
      this.#held.push(() => {
        this.entries.push(entry);
        resolve();
      }),
    );
  }

  /** Completes every held write. */
  release(): void {
    for (const done of this.#held.splice(0)) done();
  }
  get heldWrites(): number {
    return this.#held.length;
  }
}

export async function openStore(backend: StateBackend = new MemoryBackend()): Promise<ContainerStore> {
  const store = new ContainerStore(new EventLog(), () => ({ Name: 'n', Id: 'S0', Addr: 'h:2375', Ip: 'h' }));
  await store.open(backend);
  return store;
}

let serial = 0;

export async function createdContainer(
  store: ContainerStore,
  config: CreateBody = { Image: 'busybox', HostConfig: { Memory: 64 * 1024 * 1024 } },
  name = `c${++serial}`,
): Promise<MesosContainer> {
  const id = `${serial}`.padStart(64, 'a');
  const spec = compileSpec(config, { defaultCpus: undefined, defaultMemMb: undefined });
  const container = new MesosContainer({ id, name, config, created: new Date().toISOString(), restartCount: 0 }, spec);
  await store.create(container);
  return container;
}

export const scalar = (name: string, value: number): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  role: '*',
});

let offerSerial = 0;

/** An offer from agent `agentId` on a daemon nobody listens on (port 1): placement does not need the daemon. */
export function offer(agentId: string, cpus = 4, memMb = 4096, hostname = '127.0.0.1'): Offer {
  return {
    id: { value: `O${++offerSerial}` },
    framework_id: { value: 'FW' },
    agent_id: { value: agentId },
    hostname,
    resources: [
      scalar('cpus', cpus),
      scalar('mem', memMb),
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31010 }] }, role: '*' },
    ],
    attributes: [{ name: 'docker_port', type: 'SCALAR', scalar: { value: 1 } }],
  };
}

export function status(
  taskId: string,
  state: TaskStatus['state'],
  extra: Partial<TaskStatus> = {},
  agentId = 'S1',
): TaskStatus {
  return {
    task_id: { value: taskId },
    state,
    agent_id: { value: agentId },
    uuid: Buffer.from(`${taskId}-${state}-${Math.random()}`).toString('base64'),
    ...extra,
  };
}

/** Lets promise continuations and setImmediate callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

export const FRAMEWORK_SETTINGS: FrameworkSettings = {
  offerTimeoutMs: 30_000,
  refuseMs: 5_000,
  taskTimeoutMs: 20_000,
  rescheduleTimeoutMs: 5_000,
  unreachableTimeoutMs: 60_000,
};

/** Every station wired on a fake Mesos and a fake clock, over a store opened on `backend`; subscribed. */
export async function startFramework(backend = new MemoryBackend(), clock = new FakeClock()) {
  const store = await openStore(backend);
  const agents = new AgentRegistry(
    { tls: undefined, refreshMinMs: 60_000, refreshMaxMs: 60_000, failureRetry: 3 },
    silentLogger,
  );
  const views = new AgentViews(agents, store);
  views.track(store.values());
  const docker = new DockerSide(agents, store, silentLogger);
  const mesos = new FakeMesos();
  const framework = new MesosFramework(mesos, FRAMEWORK_SETTINGS, {
    store,
    agents,
    views,
    docker,
    scheduler: new Scheduler(),
    metrics: noMetrics,
    logger: silentLogger,
    clock,
  });
  framework.start();
  mesos.emit('subscribed', { frameworkId: 'FW', streamId: 's', master: 'm', resubscribed: false });
  const done = async () => {
    await framework.stop();
    agents.close();
  };
  return { backend, store, mesos, clock, framework, done };
}
