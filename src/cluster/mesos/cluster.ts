// The Mesos driver (`-c mesos-experimental`): Docker's container lifecycle on Mesos tasks. The manager owns each
// container's identity: create records it (nothing is launched), start launches a task and answers once Mesos
// reports it running, stop and kill are Mesos KILLs, start after stop is a new task for the same container, and
// rm forgets it. Nothing runs outside Mesos; the agents' Docker daemons are used to reach what runs (logs, exec,
// attach, files), never to start anything. This file answers the Docker API; the framework (framework.ts) acts.
import { randomHex } from '../../util/random.js';
import type {
  BuildTarget,
  Cluster,
  ClusterInfo,
  ContainerLocation,
  CreateBody,
  ListContainersQuery,
  StreamPurpose,
  StreamTarget,
  WaitCondition,
  WaitResult,
} from '../cluster.js';
import type { Engine } from '../../engine/engine.js';
import { ExecRegistry } from '../execs.js';
import { EventLog } from '../events.js';
import { splitLink, validateContainerName } from '../names.js';
import { prepareCreate } from '../create.js';
import { placementRequest } from '../placement-request.js';
import type { Filters, OwnerLabel } from '../prune.js';
import { refuseUnknownVolumeDrivers } from '../volumes.js';
import type { EngineSettings } from '../engine-pool.js';
import { AgentRegistry } from './agents.js';
import { AgentViews } from './agent-views.js';
import { ContainerStore, linkAlias } from './store.js';
import { localJournal, type StateBackend } from './persistence.js';
import { MesosContainer } from './container.js';
import { DockerSide, reachable } from './docker-side.js';
import { MesosInfo } from './docker-info.js';
import { MesosFramework } from './framework.js';
import { buildTarget } from './build.js';
import { listContainers } from './listing.js';
import { eventNode, nodeSummary } from './node-of.js';
import { pruneStopped } from './prune.js';
import { compileSpec } from './spec.js';
import { withImageHealthcheck } from './health.js';
import { checkedPolicy } from './restart-policy.js';
import { generatedName } from './names.js';
import { mesosClient, type MesosSettings } from './settings.js';
import { Streams } from './streams.js';
import { startOutcome, waitFor } from './waits.js';
import type { Scheduler } from '../../scheduler/index.js';
import { openZooKeeperValue, type ZooKeeperValue } from '../../store/zookeeper-value.js';
import type { Logger } from '../../util/logger.js';
import type { GaugeSources, Metrics } from '../../metrics/index.js';
import type { ClusterOverview, OverviewOptions } from '../overview.js';
import { countClientEvents, mesosGauges, mesosOverview, type MesosObserved } from './overview.js';
import { badParameter, conflict, noSuchContainer, notModified, unavailable, unhealthyNode } from '../../errors.js';

export interface MesosClusterOptions {
  readonly settings: MesosSettings;
  readonly scheduler: Scheduler;
  readonly engine: EngineSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Where the store's log lives; the local journal under mesos.statedir unless given (replication: ZooKeeper). */
  readonly backend?: StateBackend;
}

/** Marks what the manager made on the agents' daemons, with its framework name (see ownerLabel). */
export const MESOS_FRAMEWORK_LABEL = 'com.docker.swarm.mesos.framework';

export class MesosCluster implements Cluster {
  readonly driver = 'mesos-experimental' as const;
  readonly eventLog = new EventLog();
  readonly execs = new ExecRegistry();
  /** On what the manager makes on the agents' shared daemons (builds, networks, volumes): prunes touch only that. */
  readonly ownerLabel: OwnerLabel;
  readonly #settings: MesosSettings;
  readonly #log: Logger;
  readonly #store: ContainerStore;
  readonly #agents: AgentRegistry;
  readonly #docker: DockerSide;
  readonly #streams: Streams;
  readonly #info: MesosInfo;
  readonly #scheduler: Scheduler;
  readonly #metrics: Metrics;
  readonly #views: AgentViews;
  readonly #backend: StateBackend | undefined;
  #framework: MesosFramework | undefined;
  #zookeeper: ZooKeeperValue | undefined;

  constructor(options: MesosClusterOptions) {
    this.#settings = options.settings;
    this.#backend = options.backend;
    this.#scheduler = options.scheduler;
    this.#metrics = options.metrics;
    this.#log = options.logger.child({ driver: 'mesos' });
    this.ownerLabel = [MESOS_FRAMEWORK_LABEL, options.settings.name];
    this.#store = new ContainerStore(
      this.eventLog,
      (c) => eventNode(this.#agents, c),
      options.settings.defaults,
      this.#log,
    );
    this.#agents = new AgentRegistry(options.engine, this.#log);
    this.#docker = new DockerSide(this.#agents, this.#store, this.#log);
    this.#streams = new Streams(this.#store, this.#docker);
    this.#views = new AgentViews(this.#agents, this.#store);
    const master = options.settings.link.masterForDisplay;
    this.#info = new MesosInfo(this.#store, this.#agents, this.#views, options.scheduler, master);
  }

  get framework(): MesosFramework {
    if (!this.#framework) throw unavailable('the Mesos driver is not started');
    return this.#framework;
  }

  async start(): Promise<void> {
    const settings = this.#settings;
    if (settings.callbackGiven) {
      this.#log.warn(
        'mesos.address and mesos.port are accepted for compatibility but unused: the Mesos v1 HTTP API needs no callback address',
      );
    }
    await this.#store.open(this.#backend ?? localJournal(settings.stateDir));
    let frameworkId = this.#store.frameworkId;
    const zk = settings.link.zookeeper;
    if (zk) {
      this.#zookeeper = await openZooKeeperValue(zk.servers, `/mesoswarm/${settings.name}/framework_id`, {
        auth: zk.auth,
      });
      frameworkId = (await this.#zookeeper.get()) ?? frameworkId;
      // The ensemble knows the framework under another ID: what the journal learned under the old one is not ours.
      if (frameworkId && frameworkId !== this.#store.frameworkId) await this.#store.setFrameworkId(frameworkId);
    }
    for (const [id, agent] of this.#store.restoredAgents()) this.#agents.restore(id, agent.hostname, agent.address);
    this.#views.track(this.#store.values());
    const persist = async (id: string) => {
      await this.#store.setFrameworkId(id);
      await this.#zookeeper?.set(id);
    };
    const client = mesosClient(settings, frameworkId, persist, this.#log.child({ component: 'framework' }));
    this.#framework = new MesosFramework(client, settings, {
      store: this.#store,
      agents: this.#agents,
      views: this.#views,
      docker: this.#docker,
      scheduler: this.#scheduler,
      metrics: this.#metrics,
      logger: this.#log,
    });
    this.#framework.updates.on('ended', (c) => {
      if (c.config.HostConfig?.AutoRemove) void this.#autoRemove(c);
    });
    countClientEvents(client, this.#metrics);
    this.#framework.start();
  }

  overview(options: OverviewOptions): ClusterOverview {
    return mesosOverview(this.#observed(), options);
  }

  gauges(): GaugeSources {
    return mesosGauges(this.#observed());
  }

  #observed(): MesosObserved {
    return {
      framework: () => this.#framework,
      store: this.#store,
      agents: this.#agents,
      views: this.#views,
      scheduler: this.#scheduler,
      master: this.#settings.link.masterForDisplay,
    };
  }

  async stop(): Promise<void> {
    await this.#framework?.stop();
    this.#agents.close();
    this.#zookeeper?.close();
    await this.#store.close();
  }

  engines(): readonly Engine[] {
    return this.#agents.engines();
  }

  info(): ClusterInfo {
    return this.#info.info(this.#framework);
  }

  // --- create and start -----------------------------------------------------------------------------------------

  async createContainer(body: CreateBody, name: string | undefined, _auth: string | undefined): Promise<string> {
    const prepared = await prepareCreate(body, name, () => this.#agents.engines(), undefined);
    refuseUnknownVolumeDrivers(prepared, this.#agents.engines());
    const config = prepared.Healthcheck?.Test?.length
      ? prepared
      : withImageHealthcheck(prepared, await this.#docker.imageHealthcheck(String(prepared.Image)));
    const spec = compileSpec(config, this.#settings.defaults);
    for (const ref of spec.dependencies) this.#store.index.resolve(ref);
    const chosen = name?.replace(/^\//, '') || generatedName((n) => this.#nameTaken(n));
    const release = this.#store.names.reserve(chosen, (n) => this.#store.index.named(n)[0]?.id);
    try {
      const durable = { id: randomHex(32), name: chosen, config, created: new Date().toISOString(), restartCount: 0 };
      const container = new MesosContainer(durable, spec);
      await this.#store.create(container);
      return container.id;
    } finally {
      release();
    }
  }

  #nameTaken(name: string): boolean {
    return this.#store.index.named(name).length > 0 || this.#store.names.isHeld(name);
  }

  async startContainer(ref: string): Promise<void> {
    const c = this.#resolve(ref);
    if (c.removing) throw conflict(`container ${c.id} is being removed`);
    if (c.isRunning) throw notModified('container already started');
    if (c.isStarting) {
      // Another start is under way: this one answers with its outcome.
      await (this.framework.starting(c.id) ?? startOutcome(this.#store, c));
      return;
    }
    const spec = c.spec; // a config that no longer compiles is the client's 400, before anything is queued
    try {
      await this.framework.restarts.startedByUser(c);
      await this.framework.launch(c, spec);
    } catch (err) {
      // As dockerd does: a `--rm` container that cannot start is removed (its client waits for that).
      if (c.config.HostConfig?.AutoRemove && !c.isRunning) await this.#forget(c, true).catch(() => undefined);
      throw err;
    }
  }

  // --- stop, kill, restart, remove --------------------------------------------------------------------------------

  async stopContainer(ref: string, timeoutSeconds: number | undefined, _signal: string | undefined): Promise<void> {
    const c = this.#resolve(ref);
    if (!c.isRunning && !c.isStarting) throw notModified('container already stopped');
    await this.framework.restarts.stoppedByUser(c);
    this.#store.event(c, 'kill', { signal: 'SIGTERM' });
    await this.framework.kill(c, timeoutSeconds ?? c.stopSeconds);
    this.#store.event(c, 'stop');
  }

  async killContainer(ref: string, signal: string | undefined): Promise<void> {
    const c = this.#resolve(ref);
    if (!c.isRunning && !c.isStarting)
      throw conflict(`Cannot kill container: ${c.id}: Container ${c.id} is not running`);
    await this.framework.restarts.stoppedByUser(c);
    if (!signal || /^(SIG)?KILL$|^9$/i.test(signal)) {
      this.#store.event(c, 'kill', { signal: 'SIGKILL' });
      await this.framework.kill(c, 0);
      return;
    }
    await this.#docker.signal(await this.locateContainer(ref), signal);
    this.#store.event(c, 'kill', { signal });
  }

  async restartContainer(ref: string, timeoutSeconds: number | undefined, signal: string | undefined): Promise<void> {
    const c = this.#resolve(ref);
    if (c.isRunning || c.isStarting) await this.stopContainer(ref, timeoutSeconds, signal);
    await this.startContainer(ref);
    this.#store.event(c, 'restart');
  }

  async removeContainer(ref: string, options: { force: boolean; volumes: boolean; link: boolean }): Promise<void> {
    if (options.link) return this.#removeLink(ref);
    const c = this.#resolve(ref);
    if (c.isRunning || c.isStarting) {
      if (!options.force) {
        throw conflict(
          `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`,
        );
      }
      this.#store.markRemoving(c);
      await this.framework.restarts.stoppedByUser(c);
      if (!this.framework.cancel(c, 'removed')) await this.framework.kill(c, 0);
    }
    await this.#forget(c, options.volumes);
  }

  /**
   * `docker rm --link parent/alias`: the link goes from the parent's Docker container (named by its Mesos name on its
   * agent, which is what the link is registered under) and from its config, so a later start does not link again.
   */
  async #removeLink(ref: string): Promise<void> {
    const { parent: parentRef, alias } = splitLink(ref);
    const parent = this.#resolve(parentRef);
    if (!(parent.config.HostConfig?.Links ?? []).some((link) => linkAlias(link) === alias)) throw noSuchContainer(ref);
    const dockerName = parent.task?.dockerName;
    if (parent.isRunning && dockerName) {
      await this.#docker.unlink(await this.locateContainer(parentRef), dockerName, alias, parent.name);
    }
    await this.#store.unlink(parent, alias);
  }

  async #forget(c: MesosContainer, volumes: boolean): Promise<void> {
    if (!this.#store.index.get(c.id)) return;
    this.#store.markRemoving(c);
    await this.#docker.remove(c, volumes);
    await this.#store.remove(c);
  }

  async #autoRemove(c: MesosContainer): Promise<void> {
    await this.#streams.drained(c.id);
    if (c.hasExited) await this.#forget(c, true).catch((err) => this.#log.warn({ err: (err as Error).message }, 'rm'));
  }

  /**
   * `docker update --restart`: the manager keeps the policy (the agent's Docker never sees it), durable; the next
   * end of the container follows it.
   */
  async updateRestartPolicy(ref: string, policy: { Name?: string; MaximumRetryCount?: number }): Promise<void> {
    const c = this.#resolve(ref);
    const name = policy.Name ?? '';
    const retries = Number(policy.MaximumRetryCount ?? 0);
    const checked = checkedPolicy(name, retries, Boolean(c.config.HostConfig?.AutoRemove));
    await this.#store.setRestartPolicy(c, { Name: checked.name, MaximumRetryCount: checked.maxRetries });
  }

  async renameContainer(ref: string, newName: string): Promise<void> {
    validateContainerName(newName);
    const c = this.#resolve(ref);
    const name = newName.replace(/^\//, '');
    // dockerd's answer, word for word (the rename would otherwise emit a rename event for nothing).
    if (name === c.name) throw badParameter('Renaming a container with the same name as its current name');
    const release = this.#store.names.reserve(name, (n) => this.#store.index.named(n).find((o) => o !== c)?.id);
    try {
      await this.#store.rename(c, name);
    } finally {
      release();
    }
  }

  // --- wait -----------------------------------------------------------------------------------------------------

  async waitContainer(ref: string, condition: WaitCondition, abort: AbortSignal): Promise<WaitResult> {
    return waitFor(this.#store, this.#resolve(ref), condition, abort);
  }

  // --- reading ----------------------------------------------------------------------------------------------------

  async listContainers(query: ListContainersQuery): Promise<readonly Buffer[]> {
    return listContainers(this.#store, this.#agents, query);
  }

  async inspectContainer(ref: string): Promise<Record<string, unknown>> {
    const c = this.#resolve(ref);
    return c.inspect(nodeSummary(this.#agents, c));
  }

  containerId(ref: string): string {
    return this.#resolve(ref).id;
  }

  async locateContainer(ref: string): Promise<ContainerLocation> {
    const c = this.#resolve(ref);
    const location = this.#docker.location(c);
    if (location) return reachable(ref, c, location);
    if (c.task?.engineAddress && (c.isRunning || c.hasExited)) {
      await this.#docker.find(c);
      const found = this.#docker.location(c);
      if (found) return reachable(ref, c, found);
    }
    if (c.task?.dockerId && c.task.engineAddress) throw unhealthyNode(ref, c.nodeName);
    throw conflict(`Container ${c.id} is not running`);
  }

  streamTarget(ref: string, purpose: StreamPurpose, until: AbortSignal): StreamTarget {
    return this.#streams.target(this.#resolve(ref), ref, purpose, until);
  }

  async containerChanged(location: ContainerLocation): Promise<void> {
    await this.#docker.refresh(location);
  }

  // --- builds, prunes, disk usage ------------------------------------------------------------------------------

  pruneContainers(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    return pruneStopped(
      this.#store.values(),
      filters,
      (c) => this.#docker.sizeRw(c),
      (c) => this.#forget(c, false),
    );
  }

  diskUsage(): Promise<Record<string, unknown>> {
    return this.#docker.diskUsage();
  }

  buildTarget(placement: CreateBody): Promise<BuildTarget> {
    return buildTarget(
      () => this.#agents.all(),
      (id) => this.#views.snapshot(id)!,
      this.#scheduler,
      placementRequest(placement, this.#settings.defaults.cpuShares),
    );
  }

  // --- helpers ----------------------------------------------------------------------------------------------------

  #resolve(ref: string): MesosContainer {
    return this.#store.index.resolve(ref);
  }
}
