// Everything the Mesos driver reads from or does to an agent's Docker daemon, always through the engine's
// health-accounted call path (engine/call.ts, engine/request.ts): finding a task's Docker container by the task
// label the executor gave it, why Docker could not start one, where a container's streams are, a signal other than
// KILL, `docker rm --link`, the sizes prune and `system df` report, and `docker rm` of a container Mesos would
// otherwise keep for hours. Nothing here starts a container: in mesos mode only Mesos does.
import type { ContainerInfo as DockerListed } from 'dockerode';
import type { ContainerDetails, Engine } from '../../engine/engine.js';
import { engineCall } from '../../engine/call.js';
import { engineRequest } from '../../engine/request.js';
import { engineFailed, unhealthyNode } from '../../errors.js';
import type { Logger } from '../../util/logger.js';
import type { ContainerLocation } from '../cluster.js';
import type { AgentRegistry } from './agents.js';
import { dockerDetail, type MesosContainer } from './container.js';
import type { ContainerStore } from './store.js';
import { diskUsage } from '../prune.js';
import { MESOS_TASK_LABEL } from './task-info.js';
import { enginesWithImage } from '../images.js';
import type { DockerHealthcheck } from './health.js';

export interface TaskDocker {
  readonly found: DockerListed;
  readonly inspect: ContainerDetails;
}

/** A location on an unhealthy engine is not used: nothing is sent there, and classic Swarm's words say why. */
export function reachable(ref: string, c: MesosContainer, location: ContainerLocation): ContainerLocation {
  if (!location.engine.isHealthy) throw unhealthyNode(ref, c.nodeName);
  return location;
}

export class DockerSide {
  readonly #agents: AgentRegistry;
  readonly #store: ContainerStore;
  readonly #log: Logger;

  constructor(agents: AgentRegistry, store: ContainerStore, logger: Logger) {
    this.#agents = agents;
    this.#store = store;
    this.#log = logger;
  }

  /** The Docker container that carries a task (by the task label the executor gave it), with its inspect. */
  async ofTask(engine: Engine, taskId: string): Promise<TaskDocker | undefined> {
    const [found] = await engineCall(engine, () =>
      engine.docker.listContainers({ all: true, filters: { label: [`${MESOS_TASK_LABEL}=${taskId}`] } }),
    );
    if (!found) return undefined;
    return { found, inspect: await engineCall(engine, () => engine.docker.getContainer(found.Id).inspect()) };
  }

  /**
   * The HEALTHCHECK of an image, as an engine holding it says (`docker create` merges it into the container's
   * config, as dockerd does): the engines the image cache names first, one answer enough; else every healthy
   * engine. Undefined when none has the image yet (Mesos pulls it at launch; its check is not known then).
   */
  async imageHealthcheck(ref: string): Promise<DockerHealthcheck | undefined> {
    const engines = this.#agents.engines().filter((e) => e.isHealthy);
    const holders = enginesWithImage(engines, ref);
    const ask = async (engine: Engine) => {
      const answer = await engineRequest(engine, 'GET', `/images/${encodeURIComponent(ref)}/json`).catch(
        () => undefined,
      );
      if (answer?.status !== 200) return undefined;
      return { found: (answer.json as { Config?: { Healthcheck?: DockerHealthcheck } }).Config?.Healthcheck };
    };
    for (const engine of holders.slice(0, 1)) {
      const answer = await ask(engine);
      if (answer) return answer.found ?? undefined;
    }
    const answers = await Promise.all(engines.filter((e) => !holders.includes(e)).map(ask));
    return answers.find((a) => a !== undefined)?.found ?? undefined;
  }

  /** After a restart Mesos' reconciliation carries no inspect data: find the Docker container by its task label. */
  async find(container: MesosContainer): Promise<void> {
    const task = container.task;
    const agent = task?.agentId ? this.#agents.get(task.agentId) : undefined;
    if (!task || !agent) return;
    try {
      const docker = await this.ofTask(agent.engine, task.taskId);
      if (!docker || container.task !== task) return;
      const { found, inspect } = docker;
      this.#store.noteDocker(container, {
        dockerId: found.Id,
        dockerName: (found.Names?.[0] ?? '').replace(/^\//, ''),
        ...dockerDetail(inspect),
        startedAt: task.startedAt ?? inspect.State?.StartedAt,
      });
    } catch (err) {
      this.#log.debug({ err: (err as Error).message, task: task.taskId }, 'Docker container not found yet');
    }
  }

  /** Why Docker could not start the task's container (the engine keeps it, created, with State.Error). */
  async startError(container: MesosContainer): Promise<string | undefined> {
    const task = container.task;
    const agent = task?.agentId ? this.#agents.get(task.agentId) : undefined;
    if (!task || !agent?.engine.isHealthy) return undefined;
    try {
      const docker = await this.ofTask(agent.engine, task.taskId);
      return docker?.inspect.State?.Error || undefined;
    } catch {
      return undefined;
    }
  }

  /** Where the container's Docker container is, when its engine and Docker ID are known. */
  location(c: MesosContainer): ContainerLocation | undefined {
    const task = c.task;
    if (!task?.dockerId || !task.engineAddress) return undefined;
    const engine = this.#agents.engine(task.engineAddress);
    if (!engine) return undefined;
    return { id: c.id, engineContainerId: task.dockerId, engine };
  }

  /** Sends a signal Mesos cannot (it can only end a task); Mesos sees whatever follows. */
  async signal(location: ContainerLocation, signal: string): Promise<void> {
    const answer = await engineRequest(
      location.engine,
      'POST',
      `/containers/${encodeURIComponent(location.engineContainerId)}/kill?signal=${encodeURIComponent(signal)}`,
    );
    if (answer.status >= 300) throw engineFailed(answer.status, answer.message);
  }

  /** Drops a link from the running Docker container (registered under its Docker name, shown as the container's). */
  async unlink(location: ContainerLocation, dockerName: string, alias: string, name: string): Promise<void> {
    const answer = await engineRequest(
      location.engine,
      'DELETE',
      `/containers/${encodeURIComponent(dockerName)}/${encodeURIComponent(alias)}?link=1`,
    );
    if (answer.status >= 300) throw engineFailed(answer.status, answer.message.split(dockerName).join(name));
    await this.refresh(location);
  }

  /** The writable layer of a container's Docker container, as prune counts it (0 when its engine is away). */
  async sizeRw(c: MesosContainer): Promise<number> {
    const location = this.location(c);
    if (!location?.engine.isHealthy) return 0;
    const answer = await engineRequest(location.engine, 'GET', `/containers/${location.engineContainerId}/json?size=1`);
    return answer.status === 200 ? Number((answer.json as { SizeRw?: number }).SizeRw ?? 0) : 0;
  }

  /** The agents' `system df`, their containers narrowed to ours and named as `docker ps` names them. */
  diskUsage(): Promise<Record<string, unknown>> {
    return diskUsage(this.#agents.engines(), (engine, listed) =>
      listed.flatMap((entry) => {
        const c = this.#store.byTask(entry.Labels?.[MESOS_TASK_LABEL] ?? '');
        if (!c || c.task?.engineAddress !== engine.address) return [];
        return [{ ...entry, Id: c.id, Names: c.names }];
      }),
    );
  }

  /** Re-reads the container after a proxied request changed it (pause, update, …). */
  async refresh(location: ContainerLocation): Promise<void> {
    const c = this.#store.index.get(location.id);
    if (!c) return;
    const answer = await engineRequest(location.engine, 'GET', `/containers/${location.engineContainerId}/json`);
    if (answer.status === 200) this.#store.noteDocker(c, dockerDetail(answer.json as ContainerDetails));
  }

  /** `docker rm` means now: Mesos would remove the Docker container only after its docker_remove_delay (6 hours). */
  async remove(c: MesosContainer, volumes: boolean): Promise<void> {
    const task = c.task;
    const engine = task?.engineAddress ? this.#agents.engine(task.engineAddress) : undefined;
    if (!task?.dockerId || !engine?.isHealthy) return;
    await engineRequest(engine, 'DELETE', `/containers/${task.dockerId}?force=1${volumes ? '&v=1' : ''}`).catch((err) =>
      this.#log.warn({ err: (err as Error).message }, 'Docker container not removed'),
    );
  }
}
