// The native driver (`-c swarm`, the embedded default): Docker engines from discovery, containers created on the
// engine the scheduler picks, as classic Swarm did. Container IDs are the engines' own; every container is indexed
// from the engines' caches (kept current by their event streams), so lookups and listings never fan out.
import type Dockerode from 'dockerode';
import { randomHex } from '../../util/random.js';
import type {
  BuildTarget,
  Cluster,
  ClusterInfo,
  ContainerLocation,
  CreateBody,
  ListContainersQuery,
  NodeSummary,
  StreamTarget,
  WaitCondition,
  WaitResult,
} from '../cluster.js';
import type { Engine } from '../../engine/engine.js';
import { engineCall } from '../../engine/call.js';
import { engineRequest } from '../../engine/request.js';
import { EnginePool, type EngineSettings } from '../engine-pool.js';
import { ExecRegistry } from '../execs.js';
import { EventLog } from '../events.js';
import { containerPredicate, impliesAll } from '../container-filters.js';
import { SwarmContainers, type SwarmContainer } from './containers.js';
import { containerSummary, inspectWithNode } from '../container-format.js';
import type { CpuSharesMeaning } from '../cpu-shares.js';
import { infoHeader, nodeStatusLines } from '../info.js';
import { validateContainerName, NameReservations, splitLink } from '../names.js';
import { countBy, type ClusterOverview, type OverviewOptions } from '../overview.js';
import { swarmOverview } from './overview.js';
import { SwarmPlacer } from './placer.js';
import { Rescheduler } from './rescheduler.js';
import { HealthRestarts } from './health-restarts.js';
import type { GaugeSources, Metrics } from '../../metrics/index.js';
import { prepareCreate } from '../create.js';
import type { Discovery } from '../../discovery/discovery.js';
import type { Logger } from '../../util/logger.js';
import { aborted, engineFailed, unhealthyNode } from '../../errors.js';
import { diskUsage, pruneEngines, type Filters } from '../prune.js';
import type { Scheduler } from '../../scheduler/index.js';
import { SWARM_ID_LABEL } from '../../scheduler/index.js';

export interface SwarmClusterOptions {
  readonly discovery: Discovery;
  readonly engine: EngineSettings;
  readonly scheduler: Scheduler;
  readonly overcommit: number;
  readonly createRetry: number;
  /** What CpuShares means (`swarm.cpushares`). */
  readonly cpuShares: CpuSharesMeaning;
  /** How long a node stays Unhealthy before its rescheduleable containers move (`swarm.rescheduletimeout`). */
  readonly rescheduleTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export class SwarmCluster implements Cluster {
  readonly driver = 'swarm' as const;
  readonly eventLog = new EventLog();
  readonly #options: SwarmClusterOptions;
  readonly #log: Logger;
  readonly #pool: EnginePool;
  readonly #containers = new SwarmContainers();
  readonly #index = this.#containers.index;
  readonly #names = new NameReservations();
  readonly #placer: SwarmPlacer;
  readonly #rescheduler: Rescheduler;
  readonly #healthRestarts: HealthRestarts;
  readonly execs = new ExecRegistry();
  #stopDiscovery: (() => void) | undefined;

  constructor(options: SwarmClusterOptions) {
    this.#options = options;
    this.#log = options.logger.child({ driver: 'swarm' });
    this.#pool = new EnginePool(options.engine, this.eventLog, this.#log);
    this.#placer = new SwarmPlacer(this.#pool, options);
    this.#rescheduler = new Rescheduler({
      pool: this.#pool,
      containers: this.#containers,
      placer: this.#placer,
      names: this.#names,
      events: this.eventLog,
      timeoutMs: options.rescheduleTimeoutMs,
      cpuShares: options.cpuShares,
      logger: this.#log,
    });
    this.#healthRestarts = new HealthRestarts(this.#pool, this.eventLog, this.#log);
    this.#pool.on('containers', (engine, id) => this.#containers.reindex(engine, id));
    this.#pool.on('engines', (engine) => this.#containers.reindex(engine, undefined));
  }

  get pool(): EnginePool {
    return this.#pool;
  }

  async start(): Promise<void> {
    this.#rescheduler.start();
    this.#healthRestarts.start();
    this.#stopDiscovery = this.#options.discovery.watch(
      (addresses) => this.#pool.sync(addresses),
      (err) => this.#log.error({ err: err.message }, 'discovery failed'),
    );
    // Give engines their first connection attempt so the manager answers with real nodes from the start.
    await Promise.all(this.#pool.all().map((engine) => engine.connect()));
  }

  async stop(): Promise<void> {
    this.#stopDiscovery?.();
    this.#rescheduler.stop();
    this.#healthRestarts.stop();
    this.#pool.close();
  }

  engines(): readonly Engine[] {
    return this.#pool.all();
  }

  info(): ClusterInfo {
    let running = 0;
    let paused = 0;
    let stopped = 0;
    for (const c of this.#index.values()) {
      if (c.details.State?.Paused) paused++;
      else if (c.details.State?.Running) running++;
      else stopped++;
    }
    const engines = this.#pool.all();
    const healthy = engines.filter((e) => e.isHealthy);
    const imageIds = new Set(healthy.flatMap((e) => e.images.map((i) => i.Id)));
    const scheduler = this.#options.scheduler;
    return {
      containers: this.#index.size,
      running,
      paused,
      stopped,
      images: imageIds.size,
      cpus: healthy.reduce((sum, e) => sum + e.cpus, 0),
      memory: healthy.reduce((sum, e) => sum + e.memory, 0),
      systemStatus: [
        ...infoHeader(scheduler),
        ['Nodes', String(engines.length)],
        ...nodeStatusLines(engines, (engine) => this.#placer.nodeView(engine)),
        ...this.#rescheduler.statusLines(),
      ],
    };
  }

  overview(options: OverviewOptions): ClusterOverview {
    return swarmOverview(
      {
        engines: this.#pool.all(),
        containers: [...this.#index.values()],
        containerCount: this.#index.size,
        view: (engine) => this.#placer.nodeView(engine),
        scheduler: this.#options.scheduler,
      },
      options,
    );
  }

  gauges(): GaugeSources {
    return {
      containers: () => countBy(this.#index.values(), (c) => c.details.State?.Status ?? 'created'),
      engines: () => countBy(this.#pool.all(), (e) => e.state),
    };
  }

  // --- containers --------------------------------------------------------------------------------------------

  async createContainer(body: CreateBody, name: string | undefined, registryAuth: string | undefined): Promise<string> {
    const prepared = await prepareCreate(
      body,
      name,
      () => this.#pool.all(),
      () => this.#pool.healthy(),
    );
    const config: CreateBody = { ...prepared, Labels: { ...prepared.Labels, [SWARM_ID_LABEL]: randomHex(32) } };
    const release = name ? this.#names.reserve(name, (n) => this.#nameHolder(n)) : () => {};
    try {
      return await this.#placer.placeAndCreate(config, name, registryAuth);
    } finally {
      release();
    }
  }

  async startContainer(ref: string): Promise<void> {
    const c = this.#reachable(ref);
    await this.#act(c, (container) => container.start());
  }

  async stopContainer(ref: string, timeoutSeconds: number | undefined, signal: string | undefined): Promise<void> {
    const c = this.#reachable(ref);
    await this.#act(c, (container) => container.stop(definedOnly({ t: timeoutSeconds, signal })));
  }

  async killContainer(ref: string, signal: string | undefined): Promise<void> {
    const c = this.#reachable(ref);
    await this.#act(c, (container) => container.kill(definedOnly({ signal })));
  }

  async restartContainer(ref: string, timeoutSeconds: number | undefined, signal: string | undefined): Promise<void> {
    const c = this.#reachable(ref);
    await this.#act(c, (container) => container.restart(definedOnly({ t: timeoutSeconds, signal })));
  }

  async removeContainer(ref: string, options: { force: boolean; volumes: boolean; link: boolean }): Promise<void> {
    if (options.link) {
      await this.#removeLink(ref);
      return;
    }
    const c = this.#reachable(ref);
    await this.#act(c, (container) =>
      container.remove({ force: options.force, v: options.volumes, link: options.link }),
    );
  }

  /**
   * `docker rm --link parent/alias`: the parent may be `node/name` here, so the reference is split at its last slash
   * and the engine is asked with the parent's own name, which is what the link is registered under.
   */
  async #removeLink(ref: string): Promise<void> {
    const { parent: parentRef, alias } = splitLink(ref);
    const parent = this.#reachable(parentRef);
    try {
      const answer = await engineRequest(
        parent.engine,
        'DELETE',
        `/containers/${encodeURIComponent(parent.name)}/${encodeURIComponent(alias)}?link=1`,
      );
      if (answer.status >= 300) {
        const message = answer.message.split(`${parent.name}/${alias}`).join(ref);
        throw engineFailed(answer.status, message);
      }
    } finally {
      await parent.engine.refreshContainer(parent.id).catch(() => undefined);
    }
  }

  async renameContainer(ref: string, newName: string): Promise<void> {
    validateContainerName(newName);
    const c = this.#reachable(ref);
    const release = this.#names.reserve(newName, (n) => this.#nameHolder(n, c.id));
    try {
      await this.#act(c, (container) => container.rename({ name: newName }));
    } finally {
      release();
    }
  }

  async waitContainer(ref: string, condition: WaitCondition, abort: AbortSignal): Promise<WaitResult> {
    const c = this.#reachable(ref);
    const result = await waitOnEngine(c.engine, c.id, condition, abort);
    // The client acts on the answer at once (`docker run --rm` then `docker ps -a`): the cache must already show the
    // exit or the removal, not wait for the engine's event to arrive.
    await c.engine.refreshContainer(c.id).catch(() => undefined);
    return result;
  }

  async listContainers(query: ListContainersQuery): Promise<readonly Buffer[]> {
    const predicate = containerPredicate(query.filters, (r) => this.#index.find(r));
    const all = query.all || impliesAll(query.filters);
    const out: SwarmContainer[] = [];
    for (const c of this.#index.values()) {
      if (!all && !(c.details.State?.Running && c.engine.isHealthy)) continue;
      if (predicate(c)) out.push(c);
    }
    out.sort((a, b) => Date.parse(b.details.Created) - Date.parse(a.details.Created));
    const limited = query.limit > 0 ? out.slice(0, query.limit) : out;
    const sizes = query.size ? await this.#sizes(limited) : undefined;
    const summaries = limited.map((c) => {
      const summary = containerSummary(c.details, {
        id: c.id,
        names: c.names as string[],
        nodeIp: c.engine.ip,
        nodeDown: !c.engine.isHealthy,
      });
      const size = sizes?.get(c.id);
      return size ? { ...summary, ...size } : summary;
    });
    return [Buffer.from(JSON.stringify(summaries), 'utf8')];
  }

  async #sizes(containers: SwarmContainer[]): Promise<Map<string, { SizeRw?: number; SizeRootFs?: number }>> {
    const out = new Map<string, { SizeRw?: number; SizeRootFs?: number }>();
    const engines = new Set(containers.map((c) => c.engine));
    await Promise.all(
      [...engines].map(async (engine) => {
        const listed = await engineCall(engine, () => engine.docker.listContainers({ all: true, size: true }));
        for (const item of listed as ((typeof listed)[number] & { SizeRw?: number; SizeRootFs?: number })[]) {
          out.set(item.Id, { SizeRw: item.SizeRw, SizeRootFs: item.SizeRootFs });
        }
      }),
    );
    return out;
  }

  async inspectContainer(ref: string, size: boolean): Promise<Record<string, unknown>> {
    const c = this.#reachable(ref);
    const details = await engineCall(c.engine, () =>
      c.engine.docker.getContainer(c.id).inspect({ size } as Dockerode.ContainerInspectOptions),
    );
    return inspectWithNode(details as unknown as Record<string, unknown>, nodeSummary(c.engine));
  }

  containerId(ref: string): string {
    return this.#index.resolve(ref).id;
  }

  async locateContainer(ref: string): Promise<ContainerLocation> {
    const c = this.#reachable(ref);
    return { id: c.id, engineContainerId: c.id, engine: c.engine };
  }

  /** Containers here exist on their engine from create on: the engine answers every stream itself. */
  streamTarget(ref: string): StreamTarget {
    const c = this.#reachable(ref);
    return { now: { id: c.id, engineContainerId: c.id, engine: c.engine } };
  }

  async containerChanged(location: ContainerLocation): Promise<void> {
    await location.engine.refreshContainer(location.engineContainerId).catch(() => undefined);
  }

  /** The engines are the cluster's: prunes act on all they hold. */
  readonly ownerLabel = undefined;

  async pruneContainers(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    return (await pruneEngines(this.#pool.all(), 'containers', filters, undefined)) as {
      ContainersDeleted: string[];
      SpaceReclaimed: number;
    };
  }

  diskUsage(): Promise<Record<string, unknown>> {
    // Named as `docker ps` names them.
    return diskUsage(this.#pool.all(), (engine, listed) =>
      listed.map((c) => ({ ...c, Names: (c.Names ?? []).map((n) => `/${engine.name}${n}`) })),
    );
  }

  buildTarget(placement: CreateBody): Promise<BuildTarget> {
    return this.#placer.buildTarget(placement);
  }

  // --- internals -----------------------------------------------------------------------------------------------

  /** The container, unless its node is unhealthy: then nothing is sent there, and classic Swarm's words say why. */
  #reachable(ref: string): SwarmContainer {
    const c = this.#index.resolve(ref);
    if (!c.engine.isHealthy) throw unhealthyNode(ref, c.engine.name, this.#rescheduler.stuckReason(c.id));
    return c;
  }

  async #act(c: SwarmContainer, action: (container: ReturnType<Engine['docker']['getContainer']>) => Promise<unknown>) {
    try {
      await engineCall(c.engine, () => action(c.engine.docker.getContainer(c.id)));
    } finally {
      await c.engine.refreshContainer(c.id).catch(() => undefined);
    }
  }

  /** Who holds `name` cluster-wide (ignoring `except`), for the 409 message. */
  #nameHolder(name: string, except?: string): string | undefined {
    const holder = this.#index.named(name).find((c) => c.id !== except);
    return holder?.id;
  }
}

export function nodeSummary(engine: Engine): NodeSummary {
  return {
    ID: engine.id,
    IP: engine.ip,
    Addr: engine.addr,
    Name: engine.name,
    Cpus: engine.cpus,
    Memory: engine.memory,
    Labels: engine.labels,
  };
}

function definedOnly<T extends Record<string, unknown>>(query: T): Partial<T> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `POST /containers/{id}/wait` on the engine, abandoned when the client goes away. */
function waitOnEngine(engine: Engine, id: string, condition: WaitCondition, abort: AbortSignal): Promise<WaitResult> {
  return new Promise((resolve, reject) => {
    const request = engine.transport.request({
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/wait?condition=${condition}`,
    });
    const onAbort = () => request.destroy();
    abort.addEventListener('abort', onAbort, { once: true });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        abort.removeEventListener('abort', onAbort);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          /* an empty or broken body is reported below */
        }
        if (res.statusCode !== 200) {
          reject(engineFailed(res.statusCode ?? 500, String(body.message ?? text)));
          return;
        }
        resolve(body as unknown as WaitResult);
      });
      res.on('error', reject);
    });
    request.on('error', (err) => {
      abort.removeEventListener('abort', onAbort);
      if (abort.aborted) reject(aborted());
      else {
        engine.noteCallFailure(err);
        reject(err);
      }
    });
    request.end();
  });
}
