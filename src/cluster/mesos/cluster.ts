// The Mesos driver (`-c mesos-experimental`): Docker's container lifecycle on Mesos tasks. The manager owns each
// container's identity: create records it (nothing is launched), start launches a task and answers once Mesos
// reports it running, stop and kill are Mesos KILLs, start after stop is a new task for the same container, and
// rm forgets it. Nothing runs outside Mesos; the agents' Docker daemons are used to reach what runs (logs, exec,
// attach, files), never to start anything.
import { randomHex } from '../../util/random.js';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { readFileSync } from 'node:fs';
import type {
  BuildTarget,
  Cluster,
  ClusterInfo,
  ContainerLocation,
  CreateBody,
  ListContainersQuery,
  NodeSummary,
  StreamPurpose,
  StreamTarget,
  WaitCondition,
  WaitResult,
} from '../cluster.js';
import type { ContainerDetails, Engine } from '../../engine/engine.js';
import { engineRequest } from '../../engine/request.js';
import { ExecRegistry } from '../execs.js';
import { EventLog, type EventNode } from '../events.js';
import { containerPredicate, impliesAll } from '../container-filters.js';
import { validateContainerName } from '../names.js';
import { placementRequest } from '../placement-request.js';
import type { CpuSharesMeaning } from '../cpu-shares.js';
import { pinToNetworkNode } from '../networks.js';
import type { EngineSettings } from '../engine-pool.js';
import type { ClusterOptionKey } from '../options.js';
import { labelsLine, naturalCompare } from '../info.js';
import { AgentRegistry } from './agents.js';
import { ContainerStore, linkAlias } from './store.js';
import { MesosContainer, dockerDetail } from './container.js';
import { MesosFramework } from './framework.js';
import { buildTarget } from './build.js';
import { pruneStopped } from './prune.js';
import { diskUsage, type Filters, type OwnerLabel } from '../prune.js';
import { splitLink } from '../names.js';
import { resourceNeed, portNeeds, type NeedDefaults } from './allocation.js';
import { MESOS_TASK_LABEL, buildTaskInfo, stopSeconds } from './task-info.js';
import { generatedName } from './names.js';
import { extractSchedulingExpressions, validateSchedulingLabels, type Scheduler } from '../../scheduler/index.js';
import { formatRanges, formatScalar, redactMasterAddress, scalarTotals } from '../../mesos/index.js';
import { openZooKeeperValue, type ZooKeeperValue } from '../../store/zookeeper-value.js';
import { mesosLink, type MesosLink } from './mesos-link.js';
import { humanBytes } from '../../util/bytes.js';
import type { Logger } from '../../util/logger.js';
import type { GaugeSources, Metrics } from '../../metrics/index.js';
import type { ClusterOverview, OverviewOptions } from '../overview.js';
import { countClientEvents, mesosGauges, mesosOverview, type MesosObserved } from './overview.js';
import {
  ManagerError,
  badParameter,
  conflict,
  noSuchContainer,
  notModified,
  serverError,
  unavailable,
  unhealthyNode,
} from '../../errors.js';
import { refuseHexImageName } from '../images.js';
import { refuseUnknownVolumeDrivers } from '../volumes.js';

export interface MesosClusterOptions {
  /** The manager's positional argument: `host:port`, `zk://…/mesos`, `http(s)://…`, `file:///path`. */
  readonly master: string;
  readonly scheduler: Scheduler;
  readonly options: ReadonlyMap<ClusterOptionKey, number | boolean | string>;
  readonly engine: EngineSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** A `docker info` that takes longer than this to build is rebuilt at most every INFO_STALE_MS. */
const INFO_CHEAP_MS = 5;
const INFO_STALE_MS = 1000;
/** How long a `--rm` container is kept after it ended for attach streams still reading its output. */
const AUTO_REMOVE_GRACE_MS = 30_000;

/**
 * FrameworkInfo.user when `mesos.user` is unset: the user the manager runs as, as Mesos' own scheduler drivers (C++,
 * and mesos-go under classic Swarm) fill it in. Sent empty, agents fail every task: they cannot chown the sandbox to
 * user "".
 */
function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return ''; // no passwd entry for this uid: leave it to the master, as before
  }
}

/** Marks what the manager made on the agents' daemons, with its framework name (see ownerLabel). */
export const MESOS_FRAMEWORK_LABEL = 'com.docker.swarm.mesos.framework';

const OPEN_LIST = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']');

export class MesosCluster implements Cluster {
  readonly driver = 'mesos-experimental' as const;
  readonly eventLog = new EventLog();
  readonly #options: MesosClusterOptions;
  readonly #log: Logger;
  readonly #store: ContainerStore;
  readonly #agents: AgentRegistry;
  readonly #defaults: NeedDefaults;
  readonly #execs = new ExecRegistry();
  /** Attach and log streams open per container, so `--rm` waits for them before removing. */
  readonly #streams = new Map<string, number>();
  /** Each container's resource need, for `docker info` (resourceNeed per container per call was most of its cost). */
  readonly #needs = new WeakMap<MesosContainer, { readonly cpus: number; readonly memMb: number }>();
  /** On what the manager makes on the agents' shared daemons (builds, networks, volumes): prunes touch only that. */
  readonly ownerLabel: OwnerLabel;
  #framework: MesosFramework | undefined;
  #infoCache: { stamp: string; at: number; costMs: number; value: ClusterInfo } | undefined;
  #zookeeper: ZooKeeperValue | undefined;
  #link: MesosLink | undefined;

  constructor(options: MesosClusterOptions) {
    this.#options = options;
    this.#log = options.logger.child({ driver: 'mesos' });
    this.#store = new ContainerStore(this.eventLog, (c) => this.#eventNode(c), this.#log);
    this.#agents = new AgentRegistry(options.engine, this.#log);
    const opt = (key: ClusterOptionKey) => options.options.get(key);
    this.ownerLabel = [MESOS_FRAMEWORK_LABEL, String(opt('mesos.name') ?? 'swarm')];
    this.#defaults = {
      defaultCpus: opt('mesos.defaultcpus') as number | undefined,
      defaultMemMb: opt('mesos.defaultmem') as number | undefined,
      cpuShares: (opt('mesos.cpushares') as CpuSharesMeaning | undefined) ?? 'cpus',
    };
  }

  get framework(): MesosFramework {
    if (!this.#framework) throw unavailable('the Mesos driver is not started');
    return this.#framework;
  }

  async start(): Promise<void> {
    const opt = (key: ClusterOptionKey) => this.#options.options.get(key);
    const name = String(opt('mesos.name') ?? 'swarm');
    if (opt('mesos.address') !== undefined || opt('mesos.port') !== undefined) {
      this.#log.warn(
        'mesos.address and mesos.port are accepted for compatibility but unused: the Mesos v1 HTTP API needs no callback address',
      );
    }
    await this.#store.open(join(String(opt('mesos.statedir') ?? '.mesoswarm'), name));
    let frameworkId = this.#store.frameworkId;
    const link = mesosLink(this.#options.master, this.#options.options, this.#options.engine.tls);
    this.#link = link;
    if (link.zookeeper) {
      this.#zookeeper = await openZooKeeperValue(link.zookeeper.servers, `/mesoswarm/${name}/framework_id`, {
        auth: link.zookeeper.auth,
      });
      frameworkId = (await this.#zookeeper.get()) ?? frameworkId;
    }
    for (const [id, agent] of this.#store.restoredAgents()) this.#agents.restore(id, agent.hostname, agent.address);
    const credentials = this.#credentials();
    this.#framework = new MesosFramework(
      {
        master: this.#options.master,
        name,
        user: String(opt('mesos.user') || currentUser()),
        role: String(opt('mesos.role') ?? '*'),
        checkpoint: Boolean(opt('mesos.checkpointfailover')),
        failoverTimeoutMs: Number(opt('mesos.failovertimeout')),
        offerTimeoutMs: Number(opt('mesos.offertimeout')),
        refuseMs: Number(opt('mesos.offerrefusetimeout')),
        taskTimeoutMs: Number(opt('mesos.tasktimeout')),
        credentials,
        scheme: link.scheme,
        tls: link.tls,
        frameworkId,
        persistFrameworkId: async (id) => {
          await this.#store.setFrameworkId(id);
          await this.#zookeeper?.set(id);
        },
        onAutoRemove: (c) => void this.#autoRemove(c),
        metrics: this.#options.metrics,
      },
      this.#store,
      this.#agents,
      this.#options.scheduler,
      this.#log,
    );
    countClientEvents(this.#framework.client, this.#options.metrics);
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
      scheduler: this.#options.scheduler,
      master: redactMasterAddress(this.#options.master),
      need: (c) => this.#need(c),
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

  // --- create and start -----------------------------------------------------------------------------------------

  async createContainer(body: CreateBody, name: string | undefined, _auth: string | undefined): Promise<string> {
    if (name) validateContainerName(name);
    if (!body.Image) throw badParameter('Config cannot be empty in order to create a container');
    refuseHexImageName(body.Image, undefined);
    const moved = extractSchedulingExpressions({ Env: body.Env, Labels: body.Labels });
    validateSchedulingLabels(moved.Labels);
    const config = await this.#pinToNetwork({ ...body, Env: moved.Env ?? body.Env, Labels: moved.Labels });
    refuseUnknownVolumeDrivers(config, this.#agents.engines());
    resourceNeed(config, this.#defaults);
    this.#checkTranslatable(config);
    const chosen = name?.replace(/^\//, '') || generatedName((n) => this.#nameTaken(n));
    const release = this.#store.names.reserve(chosen, (n) => this.#store.index.named(n)[0]?.id);
    try {
      const container = new MesosContainer({
        id: randomHex(32),
        name: chosen,
        config,
        created: new Date().toISOString(),
        restartCount: 0,
      });
      await this.#store.create(container);
      return container.id;
    } finally {
      release();
    }
  }

  /**
   * A node-local network (`--network name` or `node/name`) exists on one engine only: the container may run only on
   * that node's agents (a `node==` constraint, as the native driver adds), and the engine gets the network's plain
   * name. Without this, placement picked any agent and `docker run` failed there with "network not found".
   */
  async #pinToNetwork(config: CreateBody): Promise<CreateBody> {
    const { config: pinned, node } = await pinToNetworkNode(() => this.#agents.engines(), config);
    if (!node) return pinned;
    const { Labels } = extractSchedulingExpressions({ Env: [`constraint:node==${node}`], Labels: pinned.Labels });
    return { ...pinned, Labels };
  }

  /** Builds a TaskInfo with stand-in resources, so what Mesos cannot do is refused at create, not at start. */
  #checkTranslatable(config: CreateBody): void {
    const host = config.HostConfig ?? {};
    const dependencies = [
      ...((host.Links ?? []) as string[]).map((l) => l.split(':')[0]!.replace(/^\//, '')),
      ...((host.VolumesFrom ?? []) as string[]).map((v) => v.split(':')[0]!),
      ...(String(host.NetworkMode ?? '').startsWith('container:') ? [String(host.NetworkMode).slice(10)] : []),
    ];
    for (const ref of dependencies) this.#store.index.resolve(ref);
    buildTaskInfo({
      taskId: 'check',
      agentId: 'check',
      managerId: 'check',
      name: 'check',
      config,
      resources: [],
      hostPorts: new Map(portNeeds(config).map(([key], i) => [key, 31000 + i])),
      dockerNames: new Map(dependencies.map((ref) => [ref, 'check'])),
    });
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
      await this.#store.until(c.id, (now) => {
        if (!now) throw conflict(`container ${c.id} was removed while starting`);
        if (now.isRunning) return true;
        if (now.isStarting) return undefined;
        if (now.hasExited && now.task?.startedAt) return true;
        throw new ManagerError('START_FAILED', 500, now.lastError || now.task?.message || 'start failed');
      });
      return;
    }
    const need = resourceNeed(c.config, this.#defaults);
    try {
      await this.framework.launch(c, placementRequest(c.config, this.#defaults.cpuShares), need);
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
    this.#store.event(c, 'kill', { signal: 'SIGTERM' });
    await this.framework.kill(c, timeoutSeconds ?? stopSeconds(c.config));
    this.#store.event(c, 'stop');
  }

  async killContainer(ref: string, signal: string | undefined): Promise<void> {
    const c = this.#resolve(ref);
    if (!c.isRunning && !c.isStarting)
      throw conflict(`Cannot kill container: ${c.id}: Container ${c.id} is not running`);
    if (!signal || /^(SIG)?KILL$|^9$/i.test(signal)) {
      this.#store.event(c, 'kill', { signal: 'SIGKILL' });
      await this.framework.kill(c, 0);
      return;
    }
    // Mesos can only end a task; any other signal goes to the process, and Mesos sees whatever follows.
    const location = await this.locateContainer(ref);
    const answer = await engineRequest(
      location.engine,
      'POST',
      `/containers/${encodeURIComponent(location.engineContainerId)}/kill?signal=${encodeURIComponent(signal)}`,
    );
    if (answer.status >= 300) throw new ManagerError('ENGINE', answer.status, answer.message);
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
      c.removing = true;
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
    if (!((parent.config.HostConfig?.Links ?? []) as string[]).some((link) => linkAlias(link) === alias)) {
      throw noSuchContainer(ref);
    }
    const dockerName = parent.task?.dockerName;
    if (parent.isRunning && dockerName) {
      const location = await this.locateContainer(parentRef);
      const answer = await engineRequest(
        location.engine,
        'DELETE',
        `/containers/${encodeURIComponent(dockerName)}/${encodeURIComponent(alias)}?link=1`,
      );
      if (answer.status >= 300) {
        throw new ManagerError('ENGINE', answer.status, answer.message.split(dockerName).join(parent.name));
      }
      await this.containerChanged(location);
    }
    await this.#store.unlink(parent, alias);
  }

  async #forget(c: MesosContainer, volumes: boolean): Promise<void> {
    if (!this.#store.index.get(c.id)) return;
    c.removing = true;
    const task = c.task;
    const engine = task?.engineAddress ? this.#agents.engine(task.engineAddress) : undefined;
    if (task?.dockerId && engine?.isHealthy) {
      // Mesos would remove it after its docker_remove_delay (6 hours); `docker rm` means now.
      await engineRequest(engine, 'DELETE', `/containers/${task.dockerId}?force=1${volumes ? '&v=1' : ''}`).catch(
        (err) => this.#log.warn({ err: (err as Error).message }, 'Docker container not removed'),
      );
    }
    await this.#store.remove(c);
  }

  async #autoRemove(c: MesosContainer): Promise<void> {
    const deadline = Date.now() + AUTO_REMOVE_GRACE_MS;
    while ((this.#streams.get(c.id) ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (c.hasExited) await this.#forget(c, true).catch((err) => this.#log.warn({ err: (err as Error).message }, 'rm'));
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
    const c = this.#resolve(ref);
    const result = (x: MesosContainer): WaitResult => ({
      StatusCode: x.exitCode(),
      Error:
        x.task?.phase === 'error' ||
        x.task?.phase === 'lost' ||
        (x.hasExited && !x.task?.startedAt && x.task?.message && !/exited with status/.test(x.task.message))
          ? { Message: x.task?.message ?? '' }
          : null,
    });
    let last: WaitResult = result(c);
    const initialTask = c.task?.taskId;
    const initiallyEnded = c.hasExited;
    try {
      return await this.#store.until(
        c.id,
        (now) => {
          if (!now) return last;
          last = result(now);
          if (condition === 'removed') return undefined;
          if (condition === 'not-running') return now.isRunning || now.isStarting ? undefined : last;
          // next-exit: an end that happens after the wait began.
          const ended = now.hasExited && !(initiallyEnded && now.task?.taskId === initialTask);
          return ended ? last : undefined;
        },
        abort,
      );
    } catch (err) {
      if (abort.aborted) throw new ManagerError('ABORTED', 499, 'client went away');
      throw err;
    }
  }

  // --- reading ----------------------------------------------------------------------------------------------------

  async listContainers(query: ListContainersQuery): Promise<readonly Buffer[]> {
    const predicate = containerPredicate(query.filters, (r) => this.#store.index.find(r));
    const all = query.all || impliesAll(query.filters);
    const hasFilters = query.filters.size > 0;
    const out: MesosContainer[] = [];
    for (const c of this.#store.values()) {
      if (!all && !c.isRunning) continue;
      if (!hasFilters || predicate(c)) out.push(c);
    }
    out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    const limited = query.limit > 0 ? out.slice(0, query.limit) : out;
    const now = Date.now();
    const parts: Buffer[] = [OPEN_LIST];
    for (const c of limited) {
      const agent = c.agentId ? this.#agents.get(c.agentId) : undefined;
      if (parts.length > 1) parts.push(COMMA);
      c.summaryParts(parts, agent?.hostname ?? '', c.task?.phase === 'unreachable', now);
    }
    parts.push(CLOSE_LIST);
    return parts;
  }

  async inspectContainer(ref: string): Promise<Record<string, unknown>> {
    const c = this.#resolve(ref);
    return c.inspect(this.#nodeSummary(c));
  }

  containerId(ref: string): string {
    return this.#resolve(ref).id;
  }

  async locateContainer(ref: string): Promise<ContainerLocation> {
    const c = this.#resolve(ref);
    const location = this.#location(c);
    if (location) return this.#reachable(ref, c, location);
    if (c.task?.engineAddress && (c.isRunning || c.hasExited)) {
      await this.framework.findDocker(c);
      const found = this.#location(c);
      if (found) return this.#reachable(ref, c, found);
    }
    if (c.task?.dockerId && c.task.engineAddress) throw unhealthyNode(ref, c.nodeName);
    throw conflict(`Container ${c.id} is not running`);
  }

  /** A location on an unhealthy engine is not used: nothing is sent there, and classic Swarm's words say why. */
  #reachable(ref: string, c: MesosContainer, location: ContainerLocation): ContainerLocation {
    if (!location.engine.isHealthy) throw unhealthyNode(ref, c.nodeName);
    return location;
  }

  #location(c: MesosContainer): ContainerLocation | undefined {
    const task = c.task;
    if (!task?.dockerId || !task.engineAddress) return undefined;
    const engine = this.#agents.engine(task.engineAddress);
    if (!engine) return undefined;
    return { id: c.id, engineContainerId: task.dockerId, engine };
  }

  streamTarget(ref: string, purpose: StreamPurpose, until: AbortSignal): StreamTarget {
    const c = this.#resolve(ref);
    this.#streams.set(c.id, (this.#streams.get(c.id) ?? 0) + 1);
    const done = () => {
      const left = (this.#streams.get(c.id) ?? 1) - 1;
      if (left > 0) this.#streams.set(c.id, left);
      else this.#streams.delete(c.id);
    };
    if (until.aborted) done();
    else until.addEventListener('abort', done, { once: true });
    const ended = this.#store
      .until(c.id, (x) => (!x || x.hasExited ? true : undefined), until)
      .then(() => undefined)
      .catch(() => undefined);
    const now = this.#location(c);
    if (now && (purpose !== 'attach' || c.isRunning)) {
      return { now: this.#reachable(ref, c, now), ended: purpose === 'attach' ? ended : undefined };
    }
    if (purpose === 'logs' && !c.isStarting && !c.isRunning) return { none: true };
    // Attach before start (docker run), or follow a container still starting: wait for its Docker container.
    const startedTask = c.isRunning ? c.task?.taskId : undefined;
    const later = this.#store
      .until<{ location: ContainerLocation; exited: boolean } | null>(
        c.id,
        (x) => {
          if (!x) return null;
          if (x.isRunning || x.hasExited) {
            const location = this.#location(x);
            if (location) return { location, exited: x.hasExited };
            if (x.hasExited && !x.task?.dockerId) return null;
            void this.framework.findDocker(x);
            return undefined;
          }
          return undefined;
        },
        until,
      )
      .then((l) => l ?? undefined)
      .catch(() => undefined);
    return { later, replay: startedTask === undefined, ended };
  }

  async containerChanged(location: ContainerLocation): Promise<void> {
    const c = this.#store.index.get(location.id);
    if (!c) return;
    const answer = await engineRequest(location.engine, 'GET', `/containers/${location.engineContainerId}/json`);
    if (answer.status === 200) this.#store.noteDocker(c, dockerDetail(answer.json as ContainerDetails));
  }

  async pruneContainers(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    return pruneStopped(
      this.#store.values(),
      filters,
      async (c) => {
        const location = this.#location(c);
        if (!location?.engine.isHealthy) return 0;
        const answer = await engineRequest(
          location.engine,
          'GET',
          `/containers/${location.engineContainerId}/json?size=1`,
        );
        return answer.status === 200 ? Number((answer.json as { SizeRw?: number }).SizeRw ?? 0) : 0;
      },
      (c) => this.#forget(c, false),
    );
  }

  /** The agents' usage, with their containers narrowed to ours and named as `docker ps` names them. */
  diskUsage(): Promise<Record<string, unknown>> {
    return diskUsage(this.#agents.engines(), (engine, listed) =>
      listed.flatMap((entry) => {
        const c = this.#store.byTask(entry.Labels?.[MESOS_TASK_LABEL] ?? '');
        if (!c || c.task?.engineAddress !== engine.address) return [];
        return [{ ...entry, Id: c.id, Names: c.names }];
      }),
    );
  }

  buildTarget(placement: CreateBody): Promise<BuildTarget> {
    return buildTarget(
      () => this.#agents.all(),
      (id) => this.framework.agentSnapshot(id),
      this.#options.scheduler,
      placementRequest(placement, this.#defaults.cpuShares),
    );
  }

  rememberExec(execId: string, location: ContainerLocation): void {
    this.#execs.remember(execId, location);
  }

  locateExec(execId: string): ContainerLocation {
    return this.#execs.locate(execId);
  }

  // --- docker info ------------------------------------------------------------------------------------------------

  /**
   * `docker info`. Its node list is large in a large cluster (thousands of lines), so it is kept, with its JSON, and
   * rebuilt only when something it shows changed; when rebuilding is costly it happens at most once a second.
   */
  info(): ClusterInfo {
    const stamp = this.#infoStamp();
    const cache = this.#infoCache;
    const now = Date.now();
    if (cache && (cache.stamp === stamp || (cache.costMs > INFO_CHEAP_MS && now - cache.at < INFO_STALE_MS))) {
      return cache.value;
    }
    const started = performance.now();
    const fresh = this.#buildInfo();
    const value = { ...fresh, systemStatusJson: JSON.stringify(fresh.systemStatus) };
    this.#infoCache = { stamp, at: now, costMs: performance.now() - started, value };
    return value;
  }

  #infoStamp(): string {
    const framework = this.#framework;
    let engines = 0;
    for (const engine of this.#agents.engines()) engines += engine.revision;
    return [
      this.#store.changes,
      framework?.offers.version ?? 0,
      this.#agents.version,
      engines,
      framework?.subscribed,
      framework?.queueSize,
      framework?.frameworkId,
      framework?.lastError,
    ].join('|');
  }

  #buildInfo(): ClusterInfo {
    const framework = this.#framework;
    let running = 0;
    let paused = 0;
    let stopped = 0;
    for (const c of this.#store.values()) {
      if (!c.isRunning) stopped++;
      else if (c.dockerStatus === 'paused') paused++;
      else running++;
    }
    const totals = framework?.offerTotals() ?? { cpus: 0, memory: 0 };
    const scheduler = this.#options.scheduler;
    const lines: (readonly [string, string])[] = [
      ['Role', 'primary'],
      ['Strategy', scheduler.strategy],
      ['Filters', scheduler.filters.join(', ')],
      [
        'Mesos',
        framework?.subscribed
          ? 'subscribed'
          : `not subscribed${framework?.lastError ? ` (${framework.lastError})` : ''}`,
      ],
      ['Framework', framework?.frameworkId ?? ''],
      ['Master', framework?.client.masterUrl ?? this.#link?.masterForDisplay ?? ''],
      ['Queued', String(framework?.queueSize ?? 0)],
    ];
    const offers = [...(framework?.offers.all() ?? [])].sort((a, b) => naturalCompare(a.id.value, b.id.value));
    lines.push(['Offers', String(offers.length)]);
    for (const offer of offers) {
      lines.push(['  Offer', offer.id.value]);
      for (const resource of offer.resources ?? []) {
        lines.push([`   └ ${resource.name}`, formatResource(resource)]);
      }
    }
    const agents = this.#agents.all().sort((a, b) => naturalCompare(this.#agentName(a.id), this.#agentName(b.id)));
    lines.push(['Nodes', String(agents.length)]);
    const containersOn = new Map<string, number>();
    const usedOn = new Map<string, { cpus: number; memMb: number }>();
    for (const c of this.#store.values()) {
      if (!c.agentId || !c.isRunning) continue;
      containersOn.set(c.agentId, (containersOn.get(c.agentId) ?? 0) + 1);
      const need = this.#need(c);
      const used = usedOn.get(c.agentId);
      if (used) {
        used.cpus += need.cpus;
        used.memMb += need.memMb;
      } else usedOn.set(c.agentId, { cpus: need.cpus, memMb: need.memMb });
    }
    for (const agent of agents) {
      const engine = agent.engine;
      const held = framework?.offers.forAgent(agent.id) ?? [];
      const offered = held.reduce(
        (sum, o) => {
          const t = scalarTotals(o.resources);
          return { cpus: sum.cpus + (t.cpus ?? 0), mem: sum.mem + (t.mem ?? 0) };
        },
        { cpus: 0, mem: 0 },
      );
      lines.push([` ${this.#agentName(agent.id)}`, agent.hostname]);
      lines.push(['  └ ID', agent.id]);
      lines.push(['  └ Status', agent.active ? 'Healthy' : 'Unhealthy']);
      lines.push([
        '  └ Engine',
        `${engine.addr} (${capitalize(engine.state)}${engine.lastError ? `: ${engine.lastError}` : ''})`,
      ]);
      lines.push(['  └ Containers', String(containersOn.get(agent.id) ?? 0)]);
      const used = usedOn.get(agent.id) ?? { cpus: 0, memMb: 0 };
      lines.push(['  └ Reserved', `${formatScalar(used.cpus)} CPUs, ${humanBytes(used.memMb * 1024 * 1024)}`]);
      lines.push(['  └ Offered', `${formatScalar(offered.cpus)} CPUs, ${humanBytes(offered.mem * 1024 * 1024)}`]);
      lines.push(labelsLine({ ...(engine.isHealthy ? engine.labels : {}), ...agent.attributeLabels }));
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
      memory: totals.memory,
      systemStatus: lines,
    };
  }

  // --- helpers ----------------------------------------------------------------------------------------------------

  #resolve(ref: string): MesosContainer {
    return this.#store.index.resolve(ref);
  }

  /** What a container reserves, read from its create config once (the config never changes). */
  #need(c: MesosContainer): { readonly cpus: number; readonly memMb: number } {
    let need = this.#needs.get(c);
    if (!need) {
      need = safeNeed(c, this.#defaults);
      this.#needs.set(c, need);
    }
    return need;
  }

  #agentName(agentId: string): string {
    const agent = this.#agents.get(agentId);
    return agent ? agent.engine.name || agent.hostname : agentId;
  }

  #nodeSummary(c: MesosContainer): NodeSummary | undefined {
    const agent = c.agentId ? this.#agents.get(c.agentId) : undefined;
    if (!agent) return undefined;
    return {
      ID: agent.id,
      IP: agent.hostname,
      Addr: agent.engine.addr,
      Name: c.nodeName || agent.engine.name || agent.hostname,
      Cpus: agent.engine.cpus,
      Memory: agent.engine.memory,
      Labels: { ...(agent.engine.isHealthy ? agent.engine.labels : {}), ...agent.attributeLabels },
    };
  }

  #eventNode(c: MesosContainer): EventNode {
    const agent = c.agentId ? this.#agents.get(c.agentId) : undefined;
    return {
      Name: c.nodeName || (agent ? agent.engine.name || agent.hostname : ''),
      Id: c.agentId ?? '',
      Addr: agent?.engine.addr ?? '',
      Ip: agent?.hostname ?? '',
    };
  }

  #credentials(): { principal: string; secret: string } | undefined {
    const opt = (key: ClusterOptionKey) => this.#options.options.get(key);
    const principal = opt('mesos.principal') as string | undefined;
    if (!principal) return undefined;
    let secret = opt('mesos.secret') as string | undefined;
    const file = opt('mesos.secretfile') as string | undefined;
    if (secret === undefined && file) {
      try {
        secret = readFileSync(file, 'utf8').trim();
      } catch (err) {
        throw serverError(`cannot read mesos.secretfile ${file}: ${(err as Error).message}`);
      }
    }
    if (secret === undefined) throw badParameter('mesos.principal needs mesos.secret or mesos.secretfile');
    return { principal, secret };
  }
}

/** How classic Swarm's `docker info` prints an offered resource: integers for CPUs, sizes for mem and disk. */
function formatResource(resource: {
  name: string;
  type: string;
  scalar?: { value: number };
  ranges?: { range?: { begin: number; end: number }[] };
  set?: { item?: string[] };
}): string {
  if (resource.type === 'RANGES') return formatRanges(resource.ranges?.range).replace(/^\[|\]$/g, '');
  if (resource.type === 'SET') return (resource.set?.item ?? []).join(', ');
  const value = resource.scalar?.value ?? 0;
  if (resource.name === 'mem' || resource.name === 'disk') return humanBytes(value * 1024 * 1024);
  return formatScalar(value);
}

/** What a running container reserves on its agent (zero for one adopted without resource settings). */
function safeNeed(c: MesosContainer, defaults: NeedDefaults): { cpus: number; memMb: number } {
  try {
    return resourceNeed(c.config, defaults);
  } catch {
    return { cpus: 0, memMb: 0 };
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
