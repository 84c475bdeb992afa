// Status updates (the seed's steps 7 and 8): each UPDATE is applied to its container's task through the store,
// which makes it durable, and only then acknowledged (an update acknowledged before it is recorded would be lost to
// a crash in between; unacknowledged ones are sent again, so duplicates are normal and change nothing). A task
// without a record is handed to adoption. What an update means for a waiting `docker start` is settled here, by the
// one rule of task-phase.ts (`outcomeOf`); a launch Mesos dropped before it reached an agent goes back to the queue.
// Every task that ends is reported as an `ended` event, for whoever acts on ends (`--rm`, restart policies), one
// that goes unreachable as `unreachable` and an update of a task the manager replaced as `retired` (rescheduling).
import { EventEmitter } from 'node:events';
import type { ContainerDetails } from '../../engine/engine.js';
import type { TaskStatus } from '../../mesos/index.js';
import type { Logger } from '../../util/logger.js';
import type { Metrics } from '../../metrics/index.js';
import type { Adoption } from './adoption.js';
import type { MesosCalls } from './calls.js';
import { dockerDetail, type MesosContainer, type TaskAttempt } from './container.js';
import type { DockerSide } from './docker-side.js';
import type { StartQueue } from './queue.js';
import { healthAfter, healthRecalled } from './health.js';
import type { ContainerStore } from './store.js';
import { dockerCouldNotStart, exitCodeOf, isTerminal, outcomeOf, phaseAfter, phaseOf } from './task-phase.js';

export interface UpdateEvents {
  /** A task of the container reached a terminal phase (recorded and durable). */
  ended: [MesosContainer, Readonly<TaskAttempt>];
  /** A task of the container went unreachable with its agent (recorded and durable). */
  unreachable: [MesosContainer, Readonly<TaskAttempt>];
  /** An update for a task the manager replaced (a stale copy, say, whose agent came back); acknowledged. */
  retired: [TaskStatus];
}

export class Updates extends EventEmitter<UpdateEvents> {
  readonly #mesos: Pick<MesosCalls, 'acknowledge'>;
  readonly #store: ContainerStore;
  readonly #queue: StartQueue;
  readonly #docker: DockerSide;
  readonly #adoption: Adoption;
  readonly #metrics: Metrics;
  readonly #log: Logger;

  constructor(
    mesos: Pick<MesosCalls, 'acknowledge'>,
    store: ContainerStore,
    queue: StartQueue,
    docker: DockerSide,
    adoption: Adoption,
    metrics: Metrics,
    logger: Logger,
  ) {
    super();
    this.#metrics = metrics;
    this.#mesos = mesos;
    this.#store = store;
    this.#queue = queue;
    this.#docker = docker;
    this.#adoption = adoption;
    this.#log = logger;
  }

  /** Applies one update, then acknowledges it; an update that could not be applied is left for Mesos to resend. */
  async received(status: TaskStatus): Promise<void> {
    const taskId = status.task_id.value;
    const container = this.#store.byTask(taskId);
    try {
      if (container) await this.#apply(container, status);
      else if (this.#store.isRetired(taskId)) this.emit('retired', status);
      else if (!isTerminal(phaseOf(status.state))) await this.#adoption.adopt(status);
    } catch (err) {
      this.#log.error({ err: (err as Error).message, task: taskId }, 'status update not applied');
      return; // not acknowledged: Mesos sends it again
    }
    await this.#mesos.acknowledge(status).then(
      () => this.#metrics.mesos.acknowledged(),
      () => undefined,
    );
  }

  async #apply(container: MesosContainer, status: TaskStatus): Promise<void> {
    const task = container.task!;
    const phase = phaseAfter(task.phase, status.state);
    const start = this.#queue.get(container.id);
    const ours = start?.taskIds.has(task.taskId) ? start : undefined;
    const detail: Partial<TaskAttempt> = { message: status.message, reason: status.reason };
    if (status.agent_id) detail.agentId = status.agent_id.value;
    if (status.state === 'TASK_RUNNING' && status.data) {
      const inspect = parseInspect(status.data);
      if (inspect) {
        Object.assign(detail, dockerDetail(inspect));
        detail.dockerId = inspect.Id;
        detail.dockerName = String(inspect.Name ?? '').replace(/^\//, '');
        const started = (inspect.State as { StartedAt?: string } | undefined)?.StartedAt;
        if (started && !started.startsWith('0001-')) detail.startedAt = started;
      }
    }
    if (isTerminal(phase)) {
      detail.exitCode = exitCodeOf(phase, status.message);
      if (status.timestamp) detail.finishedAt = new Date(status.timestamp * 1000).toISOString();
      if (!task.startedAt && ours && neverReachedAnAgent(status) && this.#queue.requeue(ours, task.taskId)) {
        this.#log.info({ container: container.id, dropped: task.taskId }, 'launch dropped by Mesos; placing again');
        return;
      }
      if (!task.startedAt && dockerCouldNotStart(status.message)) {
        const why = await this.#docker.startError(container);
        if (why) detail.message = `${status.message}: ${why}`;
      }
    }
    if (phase === 'running' && !detail.dockerId && !task.dockerId) void this.#docker.find(container);
    const moved = await this.#store.advance(container, phase, detail);
    if (status.healthy !== undefined && container.task?.phase === 'running') await this.#health(container, status);
    if (ours) this.#queue.settle(ours, outcomeOf(container.task!));
    if (moved && isTerminal(phase)) this.emit('ended', container, container.task!);
    else if (moved && phase === 'unreachable') this.emit('unreachable', container, container.task!);
  }

  /**
   * The docker executor's health report (its own reason) moves the task's health; any other update carrying
   * `healthy` (reconciliation repeats the last one) only fills in a health the manager does not know.
   */
  async #health(container: MesosContainer, status: TaskStatus): Promise<void> {
    const spec = container.compiled instanceof Error ? undefined : container.compiled.template.health;
    const task = container.task!;
    if (!spec) return;
    const healthy = status.healthy!;
    const health =
      status.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
        ? healthAfter(task.health, healthy, spec.retries, reportTime(status), status.uuid)
        : healthRecalled(task.health, healthy, spec.retries);
    if (health !== task.health) await this.#store.setHealth(container, task.taskId, health);
  }
}

function reportTime(status: TaskStatus): string {
  return new Date(status.timestamp ? status.timestamp * 1000 : Date.now()).toISOString();
}

/**
 * A launch Mesos dropped before any agent ran it — its offers were no longer valid, or the agent went away under
 * the ACCEPT — can be placed again. An agent that refused the executor (REASON_EXECUTOR_TERMINATED: the sandbox
 * could not be made for the framework's user, say) would refuse it again.
 */
function neverReachedAnAgent(status: TaskStatus): boolean {
  if (status.reason === 'REASON_INVALID_OFFERS') return true;
  return status.state === 'TASK_DROPPED' && status.reason !== 'REASON_EXECUTOR_TERMINATED';
}

/** The docker executor's TASK_RUNNING data: base64 of `docker inspect` output, a JSON array of one container. */
function parseInspect(data: string): ContainerDetails | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as unknown;
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return first && typeof first === 'object' && 'Id' in first ? (first as ContainerDetails) : undefined;
  } catch {
    return undefined;
  }
}
