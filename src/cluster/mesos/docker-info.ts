// `docker info` in mesos mode: the shared header, the framework's state (subscription, framework ID, master, queue),
// the offers held with their resources, and one entry per agent — only agents the current master offered since
// this manager started, or that carry our tasks: agents remembered from another master or cluster are not nodes
// of this one. In a large cluster the node list is thousands of lines, so it is kept, with its JSON, and rebuilt
// only when something it shows changed; when rebuilding is costly it happens at most once a second.
import type { ClusterInfo } from '../cluster.js';
import type { Scheduler } from '../../scheduler/index.js';
import { formatRanges, formatScalar, type Resource } from '../../mesos/index.js';
import { humanBytes } from '../../util/bytes.js';
import { infoHeader, labelsLine, naturalCompare, type StatusLine } from '../info.js';
import type { Agent, AgentRegistry } from './agents.js';
import type { AgentViews } from './agent-views.js';
import type { MesosFramework } from './framework.js';
import type { ContainerStore } from './store.js';

/** A `docker info` that takes longer than this to build is rebuilt at most every INFO_STALE_MS. */
const INFO_CHEAP_MS = 5;
const INFO_STALE_MS = 1000;

/** Restarts and reschedules listed with why they wait. */
const WAITING_SHOWN = 10;

export class MesosInfo {
  readonly #store: ContainerStore;
  readonly #agents: AgentRegistry;
  readonly #views: AgentViews;
  readonly #scheduler: Scheduler;
  readonly #master: string;
  #cache: { stamp: string; at: number; costMs: number; value: ClusterInfo } | undefined;

  constructor(store: ContainerStore, agents: AgentRegistry, views: AgentViews, scheduler: Scheduler, master: string) {
    this.#store = store;
    this.#agents = agents;
    this.#views = views;
    this.#scheduler = scheduler;
    this.#master = master;
  }

  info(framework: MesosFramework | undefined): ClusterInfo {
    const stamp = this.#stamp(framework);
    const cache = this.#cache;
    const now = Date.now();
    if (cache && (cache.stamp === stamp || (cache.costMs > INFO_CHEAP_MS && now - cache.at < INFO_STALE_MS))) {
      return cache.value;
    }
    const started = performance.now();
    const fresh = this.#build(framework);
    const value = { ...fresh, systemStatusJson: JSON.stringify(fresh.systemStatus) };
    this.#cache = { stamp, at: now, costMs: performance.now() - started, value };
    return value;
  }

  #stamp(framework: MesosFramework | undefined): string {
    let engines = 0;
    for (const engine of this.#agents.engines()) engines += engine.revision;
    return [
      this.#store.changes,
      framework?.offers.book.version ?? 0,
      this.#agents.version,
      engines,
      framework?.subscribed,
      framework?.queue.size,
      framework?.frameworkId,
      framework?.lastError,
    ].join('|');
  }

  #build(framework: MesosFramework | undefined): ClusterInfo {
    let running = 0;
    let paused = 0;
    let stopped = 0;
    const containersOn = new Map<string, number>();
    const usedOn = new Map<string, { cpus: number; memMb: number }>();
    for (const c of this.#store.values()) {
      if (!c.isRunning) stopped++;
      else if (c.dockerStatus === 'paused') paused++;
      else running++;
      if (!c.agentId || !c.isRunning) continue;
      containersOn.set(c.agentId, (containersOn.get(c.agentId) ?? 0) + 1);
      const need = c.reserves;
      const used = usedOn.get(c.agentId);
      if (used) {
        used.cpus += need.cpus;
        used.memMb += need.memMb;
      } else usedOn.set(c.agentId, { cpus: need.cpus, memMb: need.memMb });
    }
    const book = framework?.offers.book;
    const totals = book?.totals() ?? { cpus: 0, memMb: 0 };
    const lines: StatusLine[] = [
      ...infoHeader(this.#scheduler),
      [
        'Mesos',
        framework?.subscribed
          ? 'subscribed'
          : `not subscribed${framework?.lastError ? ` (${framework.lastError})` : ''}`,
      ],
      ['Framework', framework?.frameworkId ?? ''],
      ['Master', framework?.client.masterUrl ?? this.#master],
      ['Queued', String(framework?.queue.size ?? 0)],
    ];
    // Restarts and reschedules wait as long as they must: the ones no pass could place say why.
    let shown = 0;
    for (const start of framework?.queue.waiting() ?? []) {
      if (start.origin === 'client' || !start.lastRejection) continue;
      if (++shown > WAITING_SHOWN) break;
      lines.push([
        `  └ ${start.container.name}`,
        `waiting to be ${start.origin === 'restart' ? 'restarted' : 'rescheduled'}: ${start.lastRejection}`,
      ]);
    }
    const offers = [...(book?.all() ?? [])].sort((a, b) => naturalCompare(a.id.value, b.id.value));
    lines.push(['Offers', String(offers.length)]);
    for (const offer of offers) {
      lines.push(['  Offer', offer.id.value]);
      for (const resource of offer.resources ?? []) lines.push([`   └ ${resource.name}`, formatResource(resource)]);
    }
    const agents = this.#agents
      .all()
      .filter((a) => a.offered || this.#views.carriesOurs(a.id))
      .sort((a, b) => naturalCompare(nodeName(a), nodeName(b)));
    lines.push(['Nodes', String(agents.length)]);
    for (const agent of agents) {
      const engine = agent.engine;
      const offered = book?.totals(agent.id) ?? { cpus: 0, memMb: 0 };
      const used = usedOn.get(agent.id) ?? { cpus: 0, memMb: 0 };
      lines.push(
        [` ${nodeName(agent)}`, agent.hostname],
        ['  └ ID', agent.id],
        ['  └ Status', agent.active ? 'Healthy' : 'Unhealthy'],
        [
          '  └ Engine',
          `${engine.addr} (${capitalize(engine.state)}${engine.lastError ? `: ${engine.lastError}` : ''})`,
        ],
        ['  └ Containers', String(containersOn.get(agent.id) ?? 0)],
        ['  └ Reserved', `${formatScalar(used.cpus)} CPUs, ${humanBytes(used.memMb * 1024 * 1024)}`],
        ['  └ Offered', `${formatScalar(offered.cpus)} CPUs, ${humanBytes(offered.memMb * 1024 * 1024)}`],
        labelsLine({ ...(engine.isHealthy ? engine.labels : {}), ...agent.attributeLabels }),
      );
      if (engine.serverVersion) lines.push(['  └ ServerVersion', engine.serverVersion]);
    }
    const imageIds = new Set(this.#agents.engines().flatMap((e) => e.images.map((i) => i.Id)));
    return {
      containers: this.#store.size,
      running,
      paused,
      stopped,
      images: imageIds.size,
      cpus: totals.cpus,
      memory: totals.memMb * 1024 * 1024,
      systemStatus: lines,
    };
  }
}

function nodeName(agent: Agent): string {
  return agent.engine.name || agent.hostname;
}

/** How classic Swarm's `docker info` prints an offered resource: integers for CPUs, sizes for mem and disk. */
function formatResource(resource: Resource): string {
  if (resource.type === 'RANGES') return formatRanges(resource.ranges?.range).replace(/^\[|\]$/g, '');
  if (resource.type === 'SET') return (resource.set?.item ?? []).join(', ');
  const value = resource.scalar?.value ?? 0;
  if (resource.name === 'mem' || resource.name === 'disk') return humanBytes(value * 1024 * 1024);
  return formatScalar(value);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
