// Tasks Mesos reports that the manager has no record of (its journal lost them: a crash before the write, a
// deleted state directory): the container is rebuilt from its Docker container's labels, which carry the manager
// ID and name. Until the agent's daemon answers, the task is an orphan, tried again when the agent offers and every
// few seconds.
import type { TaskStatus } from '../../mesos/index.js';
import { SWARM_ID_LABEL } from '../../scheduler/index.js';
import type { ContainerDetails } from '../../engine/engine.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { AgentRegistry } from './agents.js';
import type { MesosContainer } from './container.js';
import type { DockerSide } from './docker-side.js';
import type { ContainerStore } from './store.js';
import { MESOS_NAME_LABEL } from './task-info.js';
import { phaseOf } from './task-phase.js';

const ORPHAN_RETRY_MS = 10_000;

export class Adoption {
  readonly #orphans = new Map<string, TaskStatus>();
  readonly #store: ContainerStore;
  readonly #agents: AgentRegistry;
  readonly #docker: DockerSide;
  readonly #clock: Clock;
  readonly #log: Logger;
  #timer: TimerHandle | undefined;

  constructor(store: ContainerStore, agents: AgentRegistry, docker: DockerSide, clock: Clock, logger: Logger) {
    this.#store = store;
    this.#agents = agents;
    this.#docker = docker;
    this.#clock = clock;
    this.#log = logger;
  }

  get orphans(): number {
    return this.#orphans.size;
  }

  start(): void {
    this.#timer ??= this.#clock.setInterval(() => {
      for (const agentId of new Set([...this.#orphans.values()].map((s) => s.agent_id?.value ?? ''))) {
        this.retry(agentId);
      }
    }, ORPHAN_RETRY_MS);
  }

  stop(): void {
    this.#clock.clear(this.#timer);
    this.#timer = undefined;
  }

  /** A running task without a record: rebuilt from its Docker container, or kept as an orphan until it can be. */
  async adopt(status: TaskStatus): Promise<void> {
    const taskId = status.task_id.value;
    const agent = status.agent_id ? this.#agents.get(status.agent_id.value) : undefined;
    if (agent && !agent.engine.isHealthy) await agent.engine.connect();
    if (!agent || !agent.engine.isHealthy) {
      this.#orphans.set(taskId, status);
      return;
    }
    const docker = await this.#docker.ofTask(agent.engine, taskId);
    if (!docker) {
      this.#orphans.set(taskId, status);
      return;
    }
    this.#orphans.delete(taskId);
    const { found, inspect } = docker;
    const labels = inspect.Config?.Labels ?? {};
    const id = labels[SWARM_ID_LABEL];
    if (!id || this.#store.index.get(id)) return;
    const container = this.#store.rebuilt({
      id,
      name: labels[MESOS_NAME_LABEL] || id.slice(0, 12),
      config: adoptedConfig(inspect),
      created: inspect.Created,
      restartCount: 0,
      task: {
        taskId,
        phase: phaseOf(status.state),
        agentId: agent.id,
        engineAddress: agent.engine.address,
        nodeName: agent.engine.name || agent.hostname,
        dockerId: found.Id,
        dockerName: inspect.Name.replace(/^\//, ''),
        startedAt: inspect.State?.StartedAt,
      },
    });
    await this.#store.create(container);
    this.#log.warn({ container: id, task: taskId }, 'adopted a running task the manager had no record of');
  }

  /** The agent offers (or a retry is due): its daemon may answer now. */
  retry(agentId: string): void {
    for (const status of this.#orphans.values()) {
      if (status.agent_id?.value === agentId) void this.adopt(status).catch(() => undefined);
    }
  }
}

/** A create config read back from a Mesos-launched container, without what the Docker containerizer added. */
function adoptedConfig(inspect: ContainerDetails): MesosContainer['config'] {
  const config = inspect.Config as unknown as Record<string, unknown> & { Env?: string[] };
  const host = inspect.HostConfig as unknown as Record<string, unknown> & { Binds?: string[] | null };
  return {
    ...config,
    Env: (config.Env ?? []).filter((e) => !/^MESOS_(SANDBOX|CONTAINER_NAME|ALLOCATION_ROLE)=/.test(e)),
    HostConfig: { ...host, Binds: (host.Binds ?? []).filter((b) => !b.includes(':/mnt/mesos/sandbox')) },
  } as MesosContainer['config'];
}
