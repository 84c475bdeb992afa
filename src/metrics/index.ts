// The manager's instruments, as the components that feed them see them. One Metrics is created at start-up (by
// `startManager`) and handed to the API server and the cluster driver; nothing creates instruments anywhere else.
// Hot paths call these small methods (a pre-bound counter or histogram child underneath); what can be read when
// Prometheus scrapes (queue depth, offers held, tasks and engines by state) is read then, through `watch`, and
// costs nothing between scrapes. With `--metrics=false` every method is a no-op and there is no registry.
import { PrometheusMetrics } from './prometheus.js';
import { Recent } from './recent.js';

export { Recent, type RecentSample } from './recent.js';

/** One API route's instruments (the route template is the label, never the raw path). */
export interface RouteMeter {
  observe(method: string, status: number, seconds: number): void;
}

export interface ApiMetrics {
  /** The meter for a route template (`/containers/*name/json`), or `UNMATCHED_ROUTE` for a 404 page. */
  route(template: string): RouteMeter;
}

export interface PlacementMetrics {
  /** A placement pass ended: its duration and how many containers it placed. */
  pass(seconds: number, placed: number): void;
  /** A container left the queue for a node: how long it waited to be placed (the dashboard's latency chart). */
  placed(waitSeconds: number): void;
}

export interface MesosMetrics {
  /** Tasks sent in ACCEPT calls. */
  launched(tasks: number): void;
  statusUpdate(state: string, reason: string | undefined): void;
  acknowledged(): void;
  subscribed(resubscribed: boolean): void;
  disconnected(reason: string): void;
  masterChanged(): void;
  reconciled(kind: string): void;
  /** A restart policy relaunched a container (after its back-off). */
  restarted(): void;
  /** A container was relaunched off an agent that was lost, by why (`unreachable`, `lost`). */
  rescheduled(why: string): void;
}

/** What Prometheus reads at scrape time; each driver supplies what it has. */
export interface GaugeSources {
  /** Containers by Docker state (running, paused, exited, created, …). */
  containers?: () => Iterable<readonly [string, number]>;
  /** Engines by health state (healthy, unhealthy, pending, disconnected). */
  engines?: () => Iterable<readonly [string, number]>;
  /** Containers waiting to be placed. */
  queueDepth?: () => number;
  /** How long the oldest of them has waited, in seconds (0 when none waits). */
  queueOldestSeconds?: () => number;
  /** Offers held now, and what they add up to. */
  offers?: () => { readonly count: number; readonly cpus: number; readonly memoryBytes: number };
  /** Mesos tasks of our containers by phase (queued, launching, running, finished, failed, …). */
  tasks?: () => Iterable<readonly [string, number]>;
  mesosSubscribed?: () => boolean;
}

export interface Metrics {
  readonly enabled: boolean;
  readonly api: ApiMetrics;
  readonly placement: PlacementMetrics;
  readonly mesos: MesosMetrics;
  /** The last minutes of queue depth and placement latency, for the dashboard (kept with metrics off too). */
  readonly recent: Recent;
  /** Adds scrape-time readings; later sources for the same reading replace earlier ones. */
  watch(sources: GaugeSources): void;
  /** The Prometheus text exposition, and its content type. */
  exposition(): Promise<{ readonly contentType: string; readonly text: string }>;
  close(): void;
}

export const UNMATCHED_ROUTE = 'unmatched';

export function createMetrics(options: { enabled: boolean }): Metrics {
  const recent = new Recent();
  return options.enabled ? new PrometheusMetrics(recent) : new NoMetrics(recent);
}

const NOOP_METER: RouteMeter = { observe: () => undefined };

/** `--metrics=false`: every instrument call returns at once; only the dashboard's short history is kept. */
class NoMetrics implements Metrics {
  readonly enabled = false;
  readonly api: ApiMetrics = { route: () => NOOP_METER };
  readonly placement: PlacementMetrics;
  readonly mesos: MesosMetrics = {
    launched: () => undefined,
    statusUpdate: () => undefined,
    acknowledged: () => undefined,
    subscribed: () => undefined,
    disconnected: () => undefined,
    masterChanged: () => undefined,
    reconciled: () => undefined,
    restarted: () => undefined,
    rescheduled: () => undefined,
  };
  readonly recent: Recent;

  constructor(recent: Recent) {
    this.recent = recent;
    this.placement = { pass: () => undefined, placed: (seconds) => recent.placed(seconds) };
  }

  watch(sources: GaugeSources): void {
    if (sources.queueDepth) this.recent.watchQueue(sources.queueDepth);
  }

  exposition(): Promise<never> {
    return Promise.reject(new Error('metrics are off (--metrics=false)'));
  }

  close(): void {
    this.recent.close();
  }
}
