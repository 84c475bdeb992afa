// Launching (the seed's steps 5 and 6): the placed starts of a pass become TaskInfos (from each container's compiled
// template, the resources carved for it, and the Docker names of what it depends on on that agent), recorded as
// launching — durable before the ACCEPT, so a manager that dies now finds the task again instead of launching it
// twice — and sent as one ACCEPT per agent, drawing only on the offers the tasks need.
import type { TaskInfo } from '../../mesos/index.js';
import type { Logger } from '../../util/logger.js';
import type { Clock } from '../../util/clock.js';
import type { Metrics } from '../../metrics/index.js';
import type { AgentRegistry } from './agents.js';
import type { Allocation } from './allocation.js';
import type { MesosCalls } from './calls.js';
import type { MesosContainer } from './container.js';
import type { OfferPolicy } from './offers.js';
import type { PendingStart, StartQueue } from './queue.js';
import type { Reconciliation } from './reconcile.js';
import type { ContainerStore } from './store.js';
import { taskInfo } from './task-info.js';

export interface Placed {
  readonly start: PendingStart;
  readonly agentId: string;
  readonly allocation: Allocation;
}

interface AgentLaunch {
  readonly offerIds: Set<string>;
  readonly tasks: TaskInfo[];
}

export class Launcher {
  readonly #mesos: Pick<MesosCalls, 'launch'>;
  readonly #store: ContainerStore;
  readonly #queue: StartQueue;
  readonly #offers: OfferPolicy;
  readonly #agents: AgentRegistry;
  readonly #reconciliation: Reconciliation;
  readonly #clock: Clock;
  readonly #metrics: Metrics;
  readonly #log: Logger;

  constructor(
    mesos: Pick<MesosCalls, 'launch'>,
    store: ContainerStore,
    queue: StartQueue,
    offers: OfferPolicy,
    agents: AgentRegistry,
    reconciliation: Reconciliation,
    clock: Clock,
    metrics: Metrics,
    logger: Logger,
  ) {
    this.#clock = clock;
    this.#metrics = metrics;
    this.#mesos = mesos;
    this.#store = store;
    this.#queue = queue;
    this.#offers = offers;
    this.#agents = agents;
    this.#reconciliation = reconciliation;
    this.#log = logger;
  }

  async launch(placed: readonly Placed[]): Promise<void> {
    const launches = new Map<string, AgentLaunch>();
    const durable: Promise<unknown>[] = [];
    for (const { start, agentId, allocation } of placed) {
      const container = start.container;
      const taskId = start.taskId;
      const agent = this.#agents.get(agentId);
      if (taskId === undefined || !agent) continue;
      let info: TaskInfo;
      try {
        info = taskInfo(start.spec.template, {
          taskId,
          agentId,
          managerId: container.id,
          name: container.name,
          resources: allocation.resources,
          hostPorts: allocation.hostPorts,
          dockerNames: this.#dependencyNames(container, agentId),
        });
      } catch (err) {
        this.#queue.abandon(start, (err as Error).message);
        continue;
      }
      this.#queue.launched(start);
      this.#metrics.placement.placed((this.#clock.now() - start.since) / 1000);
      let launch = launches.get(agentId);
      if (!launch) launches.set(agentId, (launch = { offerIds: new Set(), tasks: [] }));
      for (const id of allocation.offerIds) launch.offerIds.add(id);
      launch.tasks.push(info);
      durable.push(
        this.#store.advance(container, 'launching', {
          agentId,
          engineAddress: agent.engine.address,
          nodeName: agent.engine.name || agent.hostname,
          ports: Object.fromEntries(allocation.hostPorts),
        }),
      );
    }
    await Promise.all(durable);
    await Promise.all(
      [...launches.values()].map(async (launch) => {
        const offerIds = [...launch.offerIds];
        const filters = this.#offers.take(offerIds);
        try {
          await this.#mesos.launch(offerIds, launch.tasks, filters);
          this.#metrics.mesos.launched(launch.tasks.length);
        } catch (err) {
          // Mesos may or may not have the tasks: reconciliation tells, and a task it never got is started again.
          this.#log.warn({ err: (err as Error).message, tasks: launch.tasks.length }, 'ACCEPT failed; reconciling');
          this.#reconciliation.launches(launch.tasks.map((t) => ({ task_id: t.task_id, agent_id: t.agent_id })));
        }
      }),
    );
  }

  /** Docker names of the containers this one links to or shares volumes or a network with, on `agentId`. */
  #dependencyNames(container: MesosContainer, agentId: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const ref of container.spec.dependencies) {
      const dependency = this.#store.index.find(ref);
      if (dependency?.agentId === agentId && dependency.task?.dockerName) out.set(ref, dependency.task.dockerName);
    }
    return out;
  }
}
