// The mesos driver's containers: the one module that owns them. It indexes them for lookup (ID, name, prefix) and
// by task ID, makes every durable change durable (the journal) before callers rely on it, wakes whoever waits on a
// container, and turns task transitions into Docker events. Nothing else mutates a MesosContainer.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Journal } from '../../store/journal.js';
import { ContainerIndex } from '../lookup.js';
import { MesosContainer, type DurableContainer, type DurableTask, type TaskAttempt } from './container.js';
import { canAdvance, isTerminal, type TaskPhase } from './task-phase.js';
import { decorate, type EventLog, type EventNode } from '../events.js';
import { NameReservations } from '../names.js';
import { silentLogger, type Logger } from '../../util/logger.js';

export type JournalEntry =
  | { t: 'framework'; id: string }
  | { t: 'agent'; id: string; hostname: string; address: string }
  | { t: 'put'; c: DurableContainer }
  | { t: 'task'; id: string; task: DurableTask | null; restartCount: number }
  | { t: 'name'; id: string; name: string }
  | { t: 'del'; id: string };

export interface RestoredAgent {
  readonly hostname: string;
  readonly address: string;
}

type Watcher = (container: MesosContainer | undefined) => void;

/** Lines of journal per live container above which the journal is compacted while running. */
const COMPACT_RATIO = 8;

export class ContainerStore extends EventEmitter<{ changed: [MesosContainer] }> {
  readonly index = new ContainerIndex<MesosContainer>();
  readonly names = new NameReservations();
  readonly #byTask = new Map<string, MesosContainer>();
  readonly #watchers = new Map<string, Set<Watcher>>();
  readonly #events: EventLog;
  readonly #node: (container: MesosContainer) => EventNode;
  #journal: Journal<JournalEntry> | undefined;
  #frameworkId: string | undefined;
  readonly #agents = new Map<string, RestoredAgent>();
  #compacting = false;
  /** After a failed compaction, the journal size before the next try (a failure is not retried on every write). */
  #compactRetryAt = 0;
  #changes = 0;
  readonly #log: Logger;

  constructor(events: EventLog, node: (container: MesosContainer) => EventNode, log: Logger = silentLogger) {
    super();
    this.setMaxListeners(0);
    this.#events = events;
    this.#node = node;
    this.#log = log;
  }

  /** Loads the journal in `dir` (creating it) and rebuilds every container from it. */
  async open(dir: string): Promise<void> {
    const durable = new Map<string, DurableContainer>();
    this.#journal = await Journal.open<JournalEntry>(
      join(dir, 'state.jsonl'),
      (entry) => {
        switch (entry.t) {
          case 'framework':
            this.#frameworkId = entry.id;
            break;
          case 'agent':
            this.#agents.set(entry.id, { hostname: entry.hostname, address: entry.address });
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
      this.#add(new MesosContainer(c));
    }
  }

  async close(): Promise<void> {
    await this.#journal?.close();
  }

  get frameworkId(): string | undefined {
    return this.#frameworkId;
  }

  async setFrameworkId(id: string): Promise<void> {
    this.#frameworkId = id;
    await this.#write({ t: 'framework', id });
  }

  restoredAgents(): ReadonlyMap<string, RestoredAgent> {
    return this.#agents;
  }

  async rememberAgent(id: string, hostname: string, address: string): Promise<void> {
    const known = this.#agents.get(id);
    if (known?.address === address && known.hostname === hostname) return;
    this.#agents.set(id, { hostname, address });
    await this.#write({ t: 'agent', id, hostname, address });
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

  /**
   * Records a new container; resolves once it is durable. Its entry is encoded first: one the journal cannot take
   * leaves no record at all, and one it cannot write (a disk error) is taken back before the caller hears of it.
   */
  async create(container: MesosContainer): Promise<void> {
    const written = this.#journal?.append({ t: 'put', c: container.durable() });
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
    container.name = name;
    this.index.set(container);
    this.#changed(container);
    await this.#write({ t: 'name', id: container.id, name });
    this.#event(container, 'rename', { oldName: `/${old}` });
  }

  /** Drops the links named `alias` from a container's config (`docker rm --link`), so a later start links no more. */
  async unlink(container: MesosContainer, alias: string): Promise<void> {
    const host = container.config.HostConfig;
    if (!host?.Links) return;
    host.Links = host.Links.filter((link) => linkAlias(link) !== alias);
    this.#changed(container);
    await this.#write({ t: 'put', c: container.durable() });
  }

  /** Starts a new task attempt (a start or a restart); durable before it resolves. */
  async beginTask(container: MesosContainer, task: TaskAttempt, durable: boolean): Promise<void> {
    if (container.task) this.#byTask.delete(container.task.taskId);
    if (container.task?.startedAt) container.restartCount++;
    container.task = task;
    this.#byTask.set(task.taskId, container);
    this.#changed(container);
    if (durable) await this.#writeTask(container);
  }

  /** Puts back the attempt a failed start replaced (the container never left the state it was in). */
  abandonTask(container: MesosContainer, previous: TaskAttempt | undefined, error: string): void {
    if (container.task) this.#byTask.delete(container.task.taskId);
    container.task = previous;
    if (previous) this.#byTask.set(previous.taskId, container);
    container.lastError = error;
    this.#changed(container);
  }

  /**
   * Moves a task forward (never back). Returns false for an update that changes nothing (a duplicate, or stale).
   * `detail` is merged into the attempt; durable changes are journaled before the promise resolves.
   */
  async advance(container: MesosContainer, phase: TaskPhase, detail: Partial<TaskAttempt>): Promise<boolean> {
    const task = container.task;
    if (!task) return false;
    const moved = canAdvance(task.phase, phase);
    if (!moved && !(phase === task.phase && detail.inspectPacked && !task.inspectPacked)) return false;
    const before = task.phase;
    Object.assign(task, detail);
    if (moved) task.phase = phase;
    if (phase === 'running' && before !== 'running') {
      task.startedAt ??= new Date().toISOString();
      container.lastError = '';
    }
    if (isTerminal(phase)) task.finishedAt ??= new Date().toISOString();
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

  /** Records the Docker container found for a task (after a restart, by its labels). */
  noteDocker(container: MesosContainer, detail: Partial<TaskAttempt>): void {
    if (!container.task) return;
    Object.assign(container.task, detail);
    this.#changed(container);
  }

  async remove(container: MesosContainer): Promise<void> {
    this.#changes++;
    this.index.delete(container.id);
    if (container.task) this.#byTask.delete(container.task.taskId);
    await this.#write({ t: 'del', id: container.id });
    this.#event(container, 'destroy');
    this.#notify(container.id, undefined);
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
    const now = check(this.index.get(id));
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const set = this.#watchers.get(id) ?? new Set<Watcher>();
      this.#watchers.set(id, set);
      const done = () => {
        set.delete(watcher);
        if (!set.size) this.#watchers.delete(id);
        abort?.removeEventListener('abort', onAbort);
      };
      const watcher: Watcher = (container) => {
        let result: T | undefined;
        try {
          result = check(container);
        } catch (err) {
          done();
          reject(err);
          return;
        }
        if (result === undefined) return;
        done();
        resolve(result);
      };
      const onAbort = () => {
        done();
        reject(new Error('aborted'));
      };
      abort?.addEventListener('abort', onAbort, { once: true });
      set.add(watcher);
    });
  }

  #add(container: MesosContainer): void {
    this.#changes++;
    this.index.set(container);
    if (container.task) this.#byTask.set(container.task.taskId, container);
  }

  #changed(container: MesosContainer): void {
    this.#changes++;
    container.touch();
    this.emit('changed', container);
    this.#notify(container.id, container);
  }

  #notify(id: string, container: MesosContainer | undefined): void {
    const set = this.#watchers.get(id);
    if (set) for (const watcher of [...set]) watcher(container);
  }

  async #writeTask(container: MesosContainer): Promise<void> {
    const task = container.durableTask() ?? null;
    await this.#write({ t: 'task', id: container.id, task, restartCount: container.restartCount });
    void this.#maybeCompact();
  }

  async #write(entry: JournalEntry): Promise<void> {
    await this.#journal?.append(entry);
  }

  /** Compacts when the journal has grown enough. Never rejects: a failed compaction leaves the journal whole. */
  async #maybeCompact(): Promise<void> {
    const journal = this.#journal;
    if (!journal || this.#compacting || journal.size < 10_000 || journal.size < COMPACT_RATIO * this.index.size) return;
    if (journal.size < this.#compactRetryAt) return;
    this.#compacting = true;
    try {
      await journal.compact(this.#compactForm(durables(this.index.values())));
    } catch (err) {
      this.#compactRetryAt = journal.size * 2;
      this.#log.error(
        { err: (err as Error).message, lines: journal.size, retryAt: this.#compactRetryAt },
        'journal compaction failed; the journal is whole, and compaction is tried again once it has doubled',
      );
    } finally {
      this.#compacting = false;
    }
  }

  *#compactForm(containers: Iterable<DurableContainer>): Iterable<JournalEntry> {
    if (this.#frameworkId) yield { t: 'framework', id: this.#frameworkId };
    for (const [id, agent] of this.#agents) yield { t: 'agent', id, ...agent };
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
