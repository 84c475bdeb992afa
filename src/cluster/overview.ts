// The read-only picture of a cluster an operator looks at (the dashboard): its nodes with their resources, the queue
// with why each container waits, and the containers. Each driver builds it from its own state (Cluster.overview), so
// nothing outside a driver reaches into it. Built on request, never on a hot path.
import type { ClusterDriverName } from './options.js';

/** CPUs, and memory in bytes. */
export interface Resources {
  readonly cpus: number;
  readonly memory: number;
}

export interface NodeOverview {
  readonly id: string;
  readonly name: string;
  /** The node's Docker engine, `host:port`. */
  readonly addr: string;
  /** The Mesos agent's hostname, or the engine's IP. */
  readonly host: string;
  /** Native driver: the engine's health state; mesos mode: `active`, or `inactive` once Mesos reported it lost. */
  readonly status: string;
  readonly engine: { readonly state: string; readonly error: string; readonly version: string };
  /** Engine labels (and, in mesos mode, agent attributes as labels, as placement sees them). */
  readonly labels: Readonly<Record<string, string>>;
  /** Mesos agent attributes (empty for the native driver). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly containers: number;
  /**
   * `total` is what the node can give us; `reserved` what our running containers ask; `offered` what Mesos offers
   * us now (mesos mode only); `free` what a new container could get.
   */
  readonly resources: {
    readonly total: Resources;
    readonly reserved: Resources;
    readonly offered?: Resources;
    readonly free: Resources;
  };
}

export interface NodeRejection {
  readonly node: string;
  /** The filter (or `resources`) that turned the node away. */
  readonly stage: string;
  readonly reason: string;
}

export interface QueuedOverview {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** When it joined the queue (ISO time). */
  readonly since: string;
  readonly attempts: number;
  /** Why the last placement pass left it waiting (the scheduler's message). */
  readonly reason: string;
  /** Per node, why it cannot go there now (the scheduler's explanation against the nodes it can see). */
  readonly rejections: readonly NodeRejection[];
}

export interface ContainerOverview {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** Docker's state word (created, running, paused, exited, …). */
  readonly state: string;
  /** Docker's Status column ("Up 5 seconds"). */
  readonly status: string;
  readonly node: string;
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Why its last start failed (mesos mode: a placement that timed out, a launch Mesos refused). */
  readonly error?: string;
  /** Mesos mode: the task carrying it now. */
  readonly task?: { readonly id: string; readonly phase: string; readonly message: string };
}

export interface ClusterOverview {
  readonly driver: ClusterDriverName;
  readonly scheduler: { readonly strategy: string; readonly filters: readonly string[] };
  /** Mesos mode: the framework's subscription. */
  readonly mesos?: {
    readonly master: string;
    readonly subscribed: boolean;
    readonly frameworkId: string;
    readonly lastError: string;
    readonly offersHeld: number;
  };
  readonly nodes: readonly NodeOverview[];
  readonly queue: readonly QueuedOverview[];
  /** Newest first, at most `containerLimit`; `containersTotal` says how many there are. */
  readonly containers: readonly ContainerOverview[];
  readonly containersTotal: number;
}

export interface OverviewOptions {
  readonly containerLimit: number;
}

/** How many queued containers get a per-node explanation in one overview (each costs a scheduler run). */
export const EXPLAINED_QUEUE_LIMIT = 50;

/** Counts by a key (engine states, container states), for the by-state gauges. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** The newest `limit` of `items` by their creation time (ISO strings compare in time order). */
export function newest<T>(items: Iterable<T>, created: (item: T) => string, limit: number): T[] {
  const all = [...items].sort((a, b) => {
    const x = created(a);
    const y = created(b);
    return x < y ? 1 : x > y ? -1 : 0;
  });
  return all.slice(0, limit);
}
