// The mesos driver's containers: the one module that changes them. It indexes them for lookup (ID, name, prefix)
// and by task ID, makes every durable change durable (persistence.ts) before callers rely on it, wakes whoever
// waits on a container, and turns task transitions into Docker events. It also keeps what the manager learned from
// the cluster under its framework ID (the agents): a new framework ID starts with none of it.
import { EventEmitter } from 'node:events';
import { ContainerIndex } from '../lookup.js';
import {
  MesosContainer,
  type ContainerState,
  type DurableContainer,
  type RestartState,
  type TaskAttempt,
} from './container.js';
import { restoredSpec } from './spec.js';
import type { TaskHealth } from './health.js';
import type { NeedDefaults } from './allocation.js';
import type { StateBackend, StateEntry, StateLog } from './persistence.js';
import { canAdvance, isTerminal, type TaskPhase } from './task-phase.js';
import { decorate, type EventLog, type EventNode } from '../events.js';
import { NameReservations } from '../names.js';
import { Watchers } from '../../util/watchers.js';
import { stoppedActing } from '../../errors.js';
import { silentLogger, type Logger } from '../../util/logger.js';

export interface RestoredAgent {
  readonly hostname: string;
  readonly address: string;
}

interface KnownAgent extends RestoredAgent {
  /** The framework ID it was learned under. */
  readonly fw: string | undefined;
}

/** Lines of journal per live container above which the journal is compacted while running. */
const COMPACT_RATIO = 8;
/** Task IDs remembered as replaced or abandoned, so their late updates are not taken for unknown tasks. */
const RETIRED_MEMORY = 100_000;

/** The one writer of a container's state (see ContainerState). */
const state = (c: MesosContainer) => c as unknown as ContainerState;

export class ContainerStore extends EventEmitter<{ changed: [MesosContainer]; removed: [MesosContainer] }> {
  readonly index = new ContainerIndex<MesosContainer>();
  readonly names = new NameReservations();
  readonly #byTask = new Map<string, MesosContainer>();
  readonly #retired = new Set<string>();
  readonly #watchers = new Watchers<MesosContainer>();
  readonly #events: EventLog;
  readonly #node: (container: MesosContainer) => EventNode;
  readonly #defaults: NeedDefaults;
  #log: StateLog | undefined;
  #frameworkId: string | undefined;
  readonly #agents = new Map<string, KnownAgent>();
  #compacting = false;
  /** After a failed compaction, the journal size before the next try (a failure is not retried on every write). */
  #compactRetryAt = 0;
  #changes = 0;
  readonly #logger: Logger;

  constructor(
    events: EventLog,
    node: (container: MesosContainer) => EventNode,
    /** The resource defaults the specs of containers rebuilt from the journal are compiled with. */
    defaults: NeedDefaults = { defaultCpus: undefined, defaultMemMb: undefined },
    logger: Logger = silentLogger,
  ) {
    super();
    this.setMaxListeners(0);
    this.#events = events;
    this.#node = node;
    this.#defaults = defaults;
    this.#logger = logger;
  }

  /** Loads the state (creating it) and rebuilds every container from it. */
  async open(backend: StateBackend): Promise<void> {
    const durable = new Map<string, DurableContainer>();
    this.#log = await backend.open(
      (entry) => {
        switch (entry.t) {
          case 'framework':
            this.#frameworkId = entry.id;
            break;
          case 'agent':
            this.#agents.set(entry.id, {
              hostname: entry.hostname,
              address: entry.address,
              fw: entry.fw ?? this.#frameworkId,
            });
            break;
          case 'put':
            durable.set(entry.c.id, entry.c);
            break;
          case 'task': {
            const c = durable.get(entry.id);
            if (c) {
              c.task = entry.task ?? undefined;
              c.restartCount = entry.restartCount;
            }
            break;
          }
          case 'name': {
            const c = durable.get(entry.id);
            if (c) c.name = entry.name;
            break;
          }
          case 'restart': {
            const c = durable.get(entry.id);
            if (c) {
              c.restartCount = entry.restartCount;
              c.restart = entry.restart;
            }
            break;
          }
          case 'policy': {
            const c = durable.get(entry.id);
            if (c) c.config.HostConfig = { ...c.config.HostConfig, RestartPolicy: entry.restartPolicy };
            break;
          }
          case 'del':
            durable.delete(entry.id);
            break;
        }
      },
      () => this.#compactForm(durable.values()),
    );
    for (const c of durable.values()) {
      // A start that was still waiting for an offer died with the previous manager: nothing was launched.
      if (c.task?.phase === 'queued') c.task = undefined;
      this.#add(this.rebuilt(c));
    }
  }

  async close(): Promise<void> {
    this.#watchers.rejectAll(stoppedActing());
    await this.#log?.close();
  }

  get frameworkId(): string | undefined {
    return this.#frameworkId;
  }

  /**
   * Records the framework ID the manager runs as. A different one than before means another framework (a new
   * registration, or another cluster's ID found in ZooKeeper): what the old one learned of its cluster is dropped.
   */
  async setFrameworkId(id: string): Promise<void> {
    const replaced = this.#frameworkId !== undefined && this.#frameworkId !== id;
    this.#frameworkId = id;
    await this.#write({ t: 'framework', id });
    if (replaced) await this.#maybeCompact(true);
  }

  /** The agents the current framework learned before (its cluster's, as far as this manager knows). */
  restoredAgents(): ReadonlyMap<string, RestoredAgent> {
    const out = new Map<string, RestoredAgent>();
    for (const [id, agent] of this.#agents) if (agent.fw === this.#frameworkId) out.set(id, agent);
    return out;
  }

  async rememberAgent(id: string, hostname: string, address: string): Promise<void> {
    const fw = this.#frameworkId;
    const known = this.#agents.get(id);
    if (known?.address === address && known.hostname === hostname && known.fw === fw) return;
    this.#agents.set(id, { hostname, address, fw });
    await this.#write({ t: 'agent', id, hostname, address, fw });
  }

  get size(): number {
    return this.index.size;
  }

  /** Counts every change to any container (a cheap "did anything change" for cached views). */
  get changes(): number {
    return this.#changes;
  }

  values(): IterableIterator<MesosContainer> {
    return this.index.values();
  }

  byTask(taskId: string): MesosContainer | undefined {
    return this.#byTask.get(taskId);
  }

  /** A task this manager replaced or abandoned: its late updates are not an unknown task to adopt. */
  isRetired(taskId: string): boolean {
    return this.#retired.has(taskId);
  }

  /** A container rebuilt from what another record of it says (its Docker labels): its spec under our defaults. */
  rebuilt(durable: DurableContainer): MesosContainer {
    return new MesosContainer(durable, restoredSpec(durable.config, this.#defaults));
  }

  /**
   * Records a new container; resolves once it is durable. Its entry is encoded first: one the journal cannot take
   * leaves no record at all, and one it cannot write (a disk error) is taken back before the caller hears of it.
   */
  async create(container: MesosContainer): Promise<void> {
    const written = this.#log?.append({ t: 'put', c: container.durable() });
    this.#add(container);
    try {
      await written;
    } catch (err) {
      this.#changes++;
      this.index.delete(container.id);
      throw err;
    }
    this.#event(container, 'create');
  }

  async rename(container: MesosContainer, name: string): Promise<void> {
    const old = container.name;
    this.index.delete(container.id);
    state(container).name = name;
    this.index.set(container);
    this.#changed(container);
    await this.#write({ t: 'name', id: container.id, name });
    this.#event(container, 'rename', { oldName: `/${old}` });
  }

  /** A removal is under way: nothing may start the container again. */
  markRemoving(container: MesosContainer): void {
    if (container.removing) return;
    state(container).removing = true;
    this.#changed(container);
  }

  /**
   * Drops the links named `alias` from a container's config (`docker rm --link`), so a later start links no more:
   * its spec is compiled again from the config that is left.
   */
  async unlink(container: MesosContainer, alias: string): Promise<void> {
    const host = container.config.HostConfig;
    if (!host?.Links) return;
    host.Links = host.Links.filter((link) => linkAlias(link) !== alias);
    state(container).compiled = restoredSpec(container.config, this.#defaults);
    this.#changed(container);
    await this.#write({ t: 'put', c: container.durable() });
  }

  /** Starts a new task attempt (a start or a restart); durable before it resolves when `durable`. */
  async beginTask(container: MesosContainer, task: TaskAttempt, durable: boolean): Promise<void> {
    const s = state(container);
    if (s.task) {
      this.#byTask.delete(s.task.taskId);
      this.#retire(s.task.taskId);
    }
    s.task = task;
    this.#byTask.set(task.taskId, container);
    this.#changed(container);
    if (durable) await this.#writeTask(container);
  }

  /** Puts back the attempt a failed start replaced (the container never left the state it was in). */
  abandonTask(container: MesosContainer, previous: Readonly<TaskAttempt> | undefined, error: string): void {
    const s = state(container);
    if (s.task) {
      this.#byTask.delete(s.task.taskId);
      this.#retire(s.task.taskId);
    }
    s.task = previous as TaskAttempt | undefined;
    if (previous) this.#byTask.set(previous.taskId, container);
    s.lastError = error;
    this.#changed(container);
  }

  /**
   * Moves a task forward (never back). Returns false for an update that changes nothing (a duplicate, or stale).
   * `detail` is merged into the attempt; durable changes are journaled before the promise resolves.
   */
  async advance(container: MesosContainer, phase: TaskPhase, detail: Partial<TaskAttempt>): Promise<boolean> {
    const s = state(container);
    const task = s.task;
    if (!task) return false;
    const moved = canAdvance(task.phase, phase);
    if (!moved && !(phase === task.phase && detail.inspectPacked && !task.inspectPacked)) return false;
    const before = task.phase;
    Object.assign(task, detail);
    if (moved) task.phase = phase;
    if (phase === 'running' && before !== 'running') {
      task.startedAt ??= new Date().toISOString();
      s.lastError = '';
    }
    if (isTerminal(phase)) task.finishedAt ??= new Date().toISOString();
    // A relaunch is no longer pending once its own task runs or ends (the journal's rule is the same: a pending
    // relaunch is the one decided after the task it names, see restarts.ts).
    const pending = s.restart.pending;
    if (pending && pending.after !== task.taskId && moved && (phase === 'running' || isTerminal(phase))) {
      s.restart = { ...s.restart, pending: undefined, lastExit: undefined };
    }
    this.#changed(container);
    if (moved) {
      if (phase === 'running' && before !== 'unreachable') this.#event(container, 'start');
      if (
        isTerminal(phase) &&
        (before === 'running' || before === 'killing' || before === 'unreachable' || task.startedAt)
      ) {
        this.#event(container, 'die', { exitCode: String(container.exitCode()) });
      }
      await this.#writeTask(container);
    }
    return true;
  }

  /**
   * Sets a container's restart state (and its policy-restart count); durable before it resolves. Unchanged state
   * writes nothing.
   */
  async setRestart(container: MesosContainer, restart: Partial<RestartState>, restartCount = container.restartCount) {
    const s = state(container);
    const next = { ...s.restart, ...restart } as RestartState & Record<string, unknown>;
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    const same =
      restartCount === s.restartCount &&
      (Object.keys(next) as (keyof RestartState)[]).every((k) => next[k] === s.restart[k]) &&
      Object.keys(next).length === Object.keys(s.restart).length;
    if (same) return;
    s.restart = next;
    s.restartCount = restartCount;
    for (const stale of next.stale) this.#retire(stale.taskId);
    this.#changed(container);
    await this.#write({ t: 'restart', id: container.id, restartCount, restart: next });
  }

  /**
   * Sets the health of a container's current task (health.ts decides it); durable before it resolves, so a
   * restarted manager shows it again. Docker's `health_status` event marks each change of status.
   */
  async setHealth(container: MesosContainer, taskId: string, health: TaskHealth): Promise<void> {
    const task = state(container).task;
    if (!task || task.taskId !== taskId) return;
    const before = task.health?.status;
    task.health = health;
    this.#changed(container);
    if (health.status !== before && health.status !== 'starting')
      this.#event(container, `health_status: ${health.status}`);
    await this.#writeTask(container);
  }

  /** `docker update --restart`: the new policy is kept in the container's config, durable before it resolves. */
  async setRestartPolicy(container: MesosContainer, policy: { Name: string; MaximumRetryCount: number }) {
    const config = container.config as { HostConfig?: Record<string, unknown> };
    config.HostConfig = { ...config.HostConfig, RestartPolicy: policy };
    state(container).compiled = restoredSpec(container.config, this.#defaults);
    this.#changed(container);
    await this.#write({ t: 'policy', id: container.id, restartPolicy: policy });
  }

  /** Why a relaunch waits (shown as State.Error until the container runs again); not durable. */
  noteWaiting(container: MesosContainer, why: string): void {
    state(container).lastError = why;
    this.#changed(container);
  }

  /** Records what the task's Docker container showed (found by its labels, or inspected after a pause). */
  noteDocker(container: MesosContainer, detail: Partial<TaskAttempt>): void {
    const task = state(container).task;
    if (!task) return;
    Object.assign(task, detail);
    this.#changed(container);
  }

  async remove(container: MesosContainer): Promise<void> {
    this.#changes++;
    this.index.delete(container.id);
    if (container.task) this.#byTask.delete(container.task.taskId);
    await this.#write({ t: 'del', id: container.id });
    this.#event(container, 'destroy');
    this.emit('removed', container);
    this.#watchers.notify(container.id, undefined);
    await this.#maybeCompact();
  }

  /** Emits a Docker event for a container (kill, stop, …) that is not a state change of its own. */
  event(container: MesosContainer, action: string, attributes: Record<string, string> = {}): void {
    this.#event(container, action, attributes);
  }

  /**
   * Calls `check` now and after every change of the container until it returns something other than undefined;
   * resolves with that. `check(undefined)` means the container was removed.
   */
  until<T>(
    id: string,
    check: (container: MesosContainer | undefined) => T | undefined,
    abort?: AbortSignal,
  ): Promise<T> {
    return this.#watchers.until(id, () => this.index.get(id), check, abort);
  }

  #add(container: MesosContainer): void {
    this.#changes++;
    this.index.set(container);
    if (container.task) this.#byTask.set(container.task.taskId, container);
    // A task a reschedule replaced is not an unknown task to adopt if its agent comes back with it.
    for (const stale of container.restart.stale) this.#retire(stale.taskId);
  }

  #retire(taskId: string): void {
    this.#retired.add(taskId);
    if (this.#retired.size > RETIRED_MEMORY) this.#retired.delete(this.#retired.values().next().value!);
  }

  #changed(container: MesosContainer): void {
    this.#changes++;
    container.touch();
    this.emit('changed', container);
    this.#watchers.notify(container.id, container);
  }

  async #writeTask(container: MesosContainer): Promise<void> {
    const task = container.durableTask() ?? null;
    await this.#write({ t: 'task', id: container.id, task, restartCount: container.restartCount });
    void this.#maybeCompact();
  }

  async #write(entry: StateEntry): Promise<void> {
    await this.#log?.append(entry);
  }

  /** Compacts when the journal has grown enough (or `now`). Never rejects: a failed compaction leaves it whole. */
  async #maybeCompact(now = false): Promise<void> {
    const log = this.#log;
    if (!log || this.#compacting) return;
    if (!now && (log.size < 10_000 || log.size < COMPACT_RATIO * this.index.size)) return;
    if (!now && log.size < this.#compactRetryAt) return;
    this.#compacting = true;
    try {
      await log.compact(this.#compactForm(durables(this.index.values())));
    } catch (err) {
      this.#compactRetryAt = log.size * 2;
      this.#logger.error(
        { err: (err as Error).message, lines: log.size, retryAt: this.#compactRetryAt },
        'journal compaction failed; the journal is whole, and compaction is tried again once it has doubled',
      );
    } finally {
      this.#compacting = false;
    }
  }

  *#compactForm(containers: Iterable<DurableContainer>): Iterable<StateEntry> {
    const fw = this.#frameworkId;
    if (fw) yield { t: 'framework', id: fw };
    // What another framework ID learned is not carried over: a new framework starts clean.
    for (const [id, agent] of this.#agents) if (agent.fw === fw) yield { t: 'agent', id, ...agent };
    for (const c of containers) yield { t: 'put', c };
  }

  #event(container: MesosContainer, action: string, extra: Record<string, string> = {}): void {
    const now = Date.now();
    const image = String(container.config.Image ?? '');
    this.#events.publish(
      decorate(
        {
          Type: 'container',
          Action: action,
          status: action,
          id: container.id,
          from: image,
          Actor: { ID: container.id, Attributes: { ...container.labels, image, name: container.name, ...extra } },
          scope: 'local',
          time: Math.floor(now / 1000),
          timeNano: now * 1e6,
        },
        this.#node(container),
      ),
    );
  }
}

/** Each container's durable form, read as the iteration reaches it (a live view for the journal's compaction). */
function* durables(containers: Iterable<MesosContainer>): Iterable<DurableContainer> {
  for (const c of containers) yield c.durable();
}

/** The alias a `--link` value names (`db` for `db`, `db:alias`, or dockerd's `/db:/web/alias`). */
export function linkAlias(link: string): string {
  const [target, alias] = link.split(':');
  return (alias ?? target)!.replace(/^.*\//, '');
}
