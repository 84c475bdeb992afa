// What the Mesos driver shows observers, read through narrow accessors and never written: the dashboard's overview
// (agents with resources offered, reserved and free; the queue with the scheduler's per-agent reasons; containers),
// the gauges Prometheus reads at scrape time, and the subscription's events counted. The driver's hot paths carry
// only one-line instrument calls (framework.ts); everything else observers need is derived here, on request.
import type { SchedulerClientEvents } from '../../mesos/index.js';
import type { EventEmitter } from 'node:events';
import { explanationOf, type Scheduler } from '../../scheduler/index.js';
import type { GaugeSources, Metrics } from '../../metrics/index.js';
import { statusText } from '../container-format.js';
import {
  EXPLAINED_QUEUE_LIMIT,
  countBy,
  newest,
  type ClusterOverview,
  type ContainerOverview,
  type NodeOverview,
  type NodeRejection,
  type QueuedOverview,
  type OverviewOptions,
} from '../overview.js';
import type { AgentRegistry } from './agents.js';
import type { AgentViews } from './agent-views.js';
import type { MesosFramework } from './framework.js';
import type { PendingStart } from './queue.js';
import type { ContainerStore } from './store.js';

const MIB = 1024 * 1024;

export interface MesosObserved {
  /** Read each time: the framework exists only once the driver started. */
  readonly framework: () => MesosFramework | undefined;
  readonly store: ContainerStore;
  readonly agents: AgentRegistry;
  readonly views: AgentViews;
  readonly scheduler: Scheduler;
  /** The master as the operator gave it, its credentials masked. */
  readonly master: string;
}

export function mesosOverview(src: MesosObserved, options: OverviewOptions): ClusterOverview {
  const framework = src.framework();
  const reserved = new Map<string, { cpus: number; memMb: number; containers: number }>();
  for (const c of src.store.values()) {
    if (!c.agentId || !c.isRunning) continue;
    const need = c.reserves;
    const r = reserved.get(c.agentId) ?? { cpus: 0, memMb: 0, containers: 0 };
    r.cpus += need.cpus;
    r.memMb += need.memMb;
    r.containers++;
    reserved.set(c.agentId, r);
  }
  // The nodes of the current cluster, as `docker info` lists them (see docker-info.ts).
  const current = src.agents.all().filter((a) => a.offered || src.views.carriesOurs(a.id));
  const nodes = current.map((agent): NodeOverview => {
    const engine = agent.engine;
    const held = framework?.offers.book.totals(agent.id) ?? { cpus: 0, memMb: 0 };
    const offered = { cpus: held.cpus, memory: held.memMb * MIB };
    const used = reserved.get(agent.id) ?? { cpus: 0, memMb: 0, containers: 0 };
    const taken = { cpus: used.cpus, memory: used.memMb * MIB };
    return {
      id: agent.id,
      name: engine.name || agent.hostname,
      addr: engine.addr,
      host: agent.hostname,
      status: agent.active ? 'active' : 'inactive',
      engine: { state: engine.state, error: engine.lastError, version: engine.serverVersion },
      labels: { ...(engine.isHealthy ? engine.labels : {}), ...agent.attributeLabels },
      attributes: agent.attributeLabels,
      containers: used.containers,
      // Mesos tells a framework what it offers, not an agent's size: what we hold plus what we use is what we see.
      resources: {
        total: { cpus: offered.cpus + taken.cpus, memory: offered.memory + taken.memory },
        reserved: taken,
        offered,
        free: offered,
      },
    };
  });
  const queue: QueuedOverview[] = [];
  let explained = 0;
  for (const q of framework?.queued() ?? []) {
    const rejections = explained++ < EXPLAINED_QUEUE_LIMIT ? explain(src, q) : [];
    queue.push({
      id: q.container.id,
      name: q.container.name,
      image: String(q.container.config.Image ?? ''),
      since: new Date(q.since).toISOString(),
      attempts: q.attempts,
      reason: q.lastRejection || 'waiting for the next placement pass',
      rejections,
    });
  }
  const now = Date.now();
  const containers = newest(src.store.values(), (c) => c.created, options.containerLimit).map(
    (c): ContainerOverview => ({
      id: c.id,
      name: c.name,
      image: String(c.config.Image ?? ''),
      state: c.dockerStatus,
      status: statusText(c.details.State, now, c.task?.phase === 'unreachable'),
      node: c.nodeName,
      created: c.created,
      labels: c.config.Labels ?? {},
      ...(c.lastError ? { error: c.lastError } : {}),
      ...(c.task ? { task: { id: c.task.taskId, phase: c.task.phase, message: c.task.message ?? '' } } : {}),
    }),
  );
  return {
    driver: 'mesos-experimental',
    scheduler: { strategy: src.scheduler.strategy, filters: src.scheduler.filters },
    mesos: {
      master: framework?.client.masterUrl ?? src.master,
      subscribed: framework?.subscribed ?? false,
      frameworkId: framework?.frameworkId ?? '',
      lastError: framework?.lastError ?? '',
      offersHeld: framework?.offers.book.size ?? 0,
    },
    nodes,
    queue,
    containers,
    containersTotal: src.store.size,
  };
}

/** Why each agent cannot take the container now: the scheduler's explanation against the agents it last saw. */
function explain(src: MesosObserved, q: PendingStart): NodeRejection[] {
  const views = src.framework()?.placementViews ?? [];
  if (!views.length) return [];
  let rejections;
  try {
    rejections = src.scheduler.select(views, q.spec.request, { explain: true }).explanation?.rejections;
  } catch (err) {
    rejections = explanationOf(err)?.rejections;
  }
  return (rejections ?? []).map((r) => ({ node: r.nodeName || r.nodeId, stage: r.stage, reason: r.reason }));
}

export function mesosGauges(src: MesosObserved): GaugeSources {
  return {
    containers: () => countBy(src.store.values(), (c) => c.dockerStatus),
    tasks: () => countBy(src.store.values(), (c) => c.task?.phase ?? 'none'),
    engines: () => countBy(src.agents.engines(), (e) => e.state),
    queueDepth: () => src.framework()?.queue.size ?? 0,
    queueOldestSeconds: () => {
      // The queue keeps its starts in the order they began to wait: the first waited longest.
      const first = src.framework()?.queued().next();
      return first && !first.done ? (Date.now() - first.value.since) / 1000 : 0;
    },
    offers: () => {
      const book = src.framework()?.offers.book;
      const { cpus, memMb } = book?.totals() ?? { cpus: 0, memMb: 0 };
      return { count: book?.size ?? 0, cpus, memoryBytes: memMb * MIB };
    },
    mesosSubscribed: () => src.framework()?.subscribed ?? false,
  };
}

/** Counts the subscription's life and every status update, from the client's own events. */
export function countClientEvents(client: EventEmitter<SchedulerClientEvents>, metrics: Metrics): void {
  client.on('subscribed', (s) => metrics.mesos.subscribed(s.resubscribed));
  client.on('disconnected', (d) => metrics.mesos.disconnected(d.reason));
  client.on('update', (status) => metrics.mesos.statusUpdate(status.state, status.reason));
  let leader: string | undefined;
  client.on('leader', (detected) => {
    if (!detected) return; // no leader for a moment is not a change of master; the next one may be the same
    const next = detected.url.toString();
    if (leader !== undefined && next !== leader) metrics.mesos.masterChanged();
    leader = next;
  });
}
