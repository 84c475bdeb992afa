// Placement and creation in the native driver: the scheduler ranks the engines' node views (each with the creates
// still in flight on it reserved, so concurrent placements see them), the container is created on the best engine
// (the next ones with `swarm.createretry`), and a create whose image only another node holds is placed again next
// to that image, as classic Swarm does. Builds are placed by the same ranking.
import { randomHex } from '../../util/random.js';
import type { BuildTarget, CreateBody } from '../cluster.js';
import type { Engine } from '../../engine/engine.js';
import { engineCall } from '../../engine/call.js';
import type { EnginePool } from '../engine-pool.js';
import { engineNodeView, cpusToShares } from '../node-view.js';
import { checkFitsSomeNode, placementRequest } from '../placement-request.js';
import type { CpuSharesMeaning } from '../cpu-shares.js';
import type { Metrics } from '../../metrics/index.js';
import { ManagerError, badParameter, placementFailed } from '../../errors.js';
import {
  hasHardNodeConstraint,
  withPending,
  pendingContainer,
  readSchedulingExpressions,
  AFFINITIES_LABEL,
  type NodeView,
  type ContainerOnNode,
  type PlacementRequest,
  type Placement,
  type Scheduler,
} from '../../scheduler/index.js';

export interface PlacerSettings {
  readonly scheduler: Scheduler;
  readonly overcommit: number;
  readonly createRetry: number;
  readonly cpuShares: CpuSharesMeaning;
  readonly metrics: Metrics;
}

export class SwarmPlacer {
  readonly #options: PlacerSettings;
  readonly #pool: EnginePool;
  /** Containers being created, reserved on their node so concurrent placements see them. */
  readonly #pending = new Map<Engine, ContainerOnNode[]>();

  constructor(pool: EnginePool, options: PlacerSettings) {
    this.#pool = pool;
    this.#options = options;
  }

  /** Places a create on the best node and creates it there (steered to the image, retried as configured). */
  async placeAndCreate(config: CreateBody, name: string | undefined, auth: string | undefined): Promise<string> {
    const request = placementRequest(config, this.#options.cpuShares);
    try {
      return await this.#createOnBest(request, config, name, auth);
    } catch (err) {
      // The chosen node lacks the image but another node has it: place again next to it, as classic Swarm does.
      const noImage = err instanceof ManagerError && err.status === 404 && /no such image/i.test(err.message);
      if (!noImage || hasHardNodeConstraint(request.labels)) throw err;
      if (!this.#pool.healthy().some((engine) => hasImage(engine, request.image))) throw err;
      const steered = {
        ...request,
        labels: withAffinity(request.labels, `image==${request.image}`),
      };
      return this.#createOnBest(steered, config, name, auth);
    }
  }

  /** Creates on the best node, then (with `swarm.createretry`) on the next ones while engines fail. */
  async #createOnBest(
    request: PlacementRequest,
    config: CreateBody,
    name: string | undefined,
    auth: string | undefined,
  ): Promise<string> {
    const candidates = this.#select(request).top(1 + this.#options.createRetry);
    let lastError: unknown;
    for (const node of candidates) {
      const engine = this.#pool.all().find((e) => e.id === node.id && e.isHealthy);
      if (!engine) continue;
      try {
        return await this.#createOn(engine, config, name, auth, request);
      } catch (err) {
        lastError = err;
        if (err instanceof ManagerError && err.status < 500) throw err;
      }
    }
    throw lastError ?? placementFailed('no resources available to schedule container', 'resources');
  }

  #select(request: PlacementRequest): Placement {
    const started = performance.now();
    const views = this.#pool.all().map((engine) => this.nodeView(engine));
    checkFitsSomeNode(request, views);
    const placement = this.#options.scheduler.select(views, request);
    this.#options.metrics.placement.placed((performance.now() - started) / 1000);
    return placement;
  }

  async #createOn(
    engine: Engine,
    config: CreateBody,
    name: string | undefined,
    auth: string | undefined,
    request: PlacementRequest,
  ): Promise<string> {
    const host = { ...(config.HostConfig ?? {}) };
    // Swarm's CpuShares is a number of CPUs; the engine wants real shares of its own CPUs. Read as a weight, the
    // shares go to the engine as written.
    if (this.#options.cpuShares === 'cpus' && !(Number(host.NanoCpus ?? 0) > 0) && request.cpus > 0) {
      host.CpuShares = cpusToShares(request.cpus, engine.cpus);
    }
    const reservation = pendingContainer(request, { id: `pending-${randomHex(8)}`, name });
    const list = this.#pending.get(engine) ?? [];
    list.push(reservation);
    this.#pending.set(engine, list);
    try {
      const container = await engineCall(engine, () =>
        engine.docker.createContainer({
          ...config,
          HostConfig: host,
          name,
          authconfig: auth ? decodeAuth(auth) : undefined,
        } as never),
      ).catch((err: unknown) => {
        throw notFoundBesidesImage(err);
      });
      await engine.refreshContainer(container.id);
      return container.id;
    } finally {
      const rest = (this.#pending.get(engine) ?? []).filter((p) => p !== reservation);
      if (rest.length) this.#pending.set(engine, rest);
      else this.#pending.delete(engine);
    }
  }

  /** The engine a build runs on: placed as a container of the build's placement body would be. */
  async buildTarget(placement: CreateBody): Promise<BuildTarget> {
    for (const node of this.#select(placementRequest(placement, this.#options.cpuShares)).top(1)) {
      const engine = this.#pool.all().find((e) => e.id === node.id && e.isHealthy);
      if (engine) return { engine, node: engine.name };
    }
    throw placementFailed('no resources available to schedule container');
  }

  /** An engine as placement sees it, with the creates in flight on it. */
  nodeView(engine: Engine): NodeView {
    let view = engineNodeView(engine, this.#options.overcommit, this.#options.cpuShares);
    for (const pending of this.#pending.get(engine) ?? []) view = withPending(view, pending);
    return view;
  }
}

function hasImage(engine: Engine, image: string): boolean {
  const withTag = /:[^/]+$/.test(image) || image.includes('@') ? image : `${image}:latest`;
  return engine.images.some(
    (i) => i.Id === image || i.Id.replace(/^sha256:/, '').startsWith(image) || (i.RepoTags ?? []).includes(withTag),
  );
}

/** Labels with one more affinity, for steering one placement without changing the container. */
function withAffinity(labels: Readonly<Record<string, string>>, expression: string): Record<string, string> {
  const current = readSchedulingExpressions(labels);
  return { ...labels, [AFFINITIES_LABEL]: JSON.stringify([...current.affinities, expression]) };
}

/**
 * An engine's 404 to a create that is not about the image (a volume driver that does not exist: "error looking up
 * volume plugin x: plugin "x" not found") is the request's fault: a 400. Passed on as a 404, the docker CLI takes
 * any 404 from create for a missing image, pulls it, and shows the registry's error instead of this one (classic
 * Swarm answered these with a 500, so the CLI showed the message).
 */
function notFoundBesidesImage(err: unknown): unknown {
  if (!(err instanceof ManagerError) || err.status !== 404 || /no such image/i.test(err.message)) return err;
  return badParameter(err.message);
}

function decodeAuth(header: string): unknown {
  try {
    return JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
