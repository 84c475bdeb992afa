// Every Prometheus instrument of the manager, in one registry (prom-client). Names follow Prometheus' conventions
// (`mesoswarm_` prefix, `_total` counters, base units); labels are bounded: route templates, HTTP methods from a
// fixed list, status codes, Mesos task states and reasons (enums), engine and task states. Children are bound once
// and kept, so an instrumented call is a map look-up and an add. Process metrics (heap, GC, event-loop lag, CPU,
// file descriptors) are prom-client's defaults.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiMetrics, GaugeSources, MesosMetrics, Metrics, PlacementMetrics, RouteMeter } from './index.js';
import type { Recent } from './recent.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']);
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const PASS_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000];

type Child<T extends { labels: (...a: never[]) => unknown }> = ReturnType<T['labels']>;

export class PrometheusMetrics implements Metrics {
  readonly enabled = true;
  readonly registry = new Registry();
  readonly api: ApiMetrics;
  readonly placement: PlacementMetrics;
  readonly mesos: MesosMetrics;
  readonly recent: Recent;
  readonly #sources: GaugeSources = {};

  constructor(recent: Recent) {
    this.recent = recent;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const sources = this.#sources;

    // --- API ---------------------------------------------------------------------------------------------------
    const requests = new Counter({
      name: 'mesoswarm_api_requests_total',
      help: 'Docker API requests answered, by route template, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    });
    const duration = new Histogram({
      name: 'mesoswarm_api_request_duration_seconds',
      help: 'Time from a Docker API request to its answer (to the end of the handler for streams), by route template and method',
      labelNames: ['route', 'method'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const meters = new Map<string, RouteMeter>();
    this.api = {
      route(template) {
        let meter = meters.get(template);
        if (!meter) {
          meter = routeMeter(template, requests, duration);
          meters.set(template, meter);
        }
        return meter;
      },
    };

    // --- placement -------------------------------------------------------------------------------------------
    const passSeconds = new Histogram({
      name: 'mesoswarm_placement_pass_duration_seconds',
      help: 'Duration of a placement pass over the queue',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const passPlaced = new Histogram({
      name: 'mesoswarm_placement_pass_containers',
      help: 'Containers placed by one placement pass',
      buckets: PASS_SIZE_BUCKETS,
      registers,
    });
    const wait = new Histogram({
      name: 'mesoswarm_placement_wait_seconds',
      help: 'Time a container waited from its start request until it was placed on a node',
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.placement = {
      pass(seconds, placed) {
        passSeconds.observe(seconds);
        passPlaced.observe(placed);
      },
      placed(seconds) {
        wait.observe(seconds);
        recent.placed(seconds);
      },
    };
    new Gauge({
      name: 'mesoswarm_queue_depth',
      help: 'Containers waiting to be placed',
      registers,
      collect() {
        this.set(sources.queueDepth?.() ?? 0);
      },
    });
    new Gauge({
      name: 'mesoswarm_queue_oldest_wait_seconds',
      help: 'How long the oldest waiting container has waited (0 when none waits)',
      registers,
      collect() {
        this.set(sources.queueOldestSeconds?.() ?? 0);
      },
    });

    // --- cluster state, read at scrape time ------------------------------------------------------------------
    byState('mesoswarm_containers', 'Containers by Docker state', () => sources.containers?.(), registers);
    byState('mesoswarm_engines', 'Docker engines by health state', () => sources.engines?.(), registers);
    byState('mesoswarm_mesos_tasks', 'Mesos tasks of the containers, by phase', () => sources.tasks?.(), registers);
    new Gauge({
      name: 'mesoswarm_mesos_offers_held',
      help: 'Mesos offers held by the manager',
      registers,
      collect() {
        this.set(sources.offers?.().count ?? 0);
      },
    });
    new Gauge({
      name: 'mesoswarm_mesos_offered_cpus',
      help: 'CPUs in the offers held',
      registers,
      collect() {
        this.set(sources.offers?.().cpus ?? 0);
      },
    });
    new Gauge({
      name: 'mesoswarm_mesos_offered_memory_bytes',
      help: 'Memory in the offers held',
      registers,
      collect() {
        this.set(sources.offers?.().memoryBytes ?? 0);
      },
    });
    new Gauge({
      name: 'mesoswarm_mesos_subscribed',
      help: '1 while the framework is subscribed to a Mesos master',
      registers,
      collect() {
        this.set(sources.mesosSubscribed?.() ? 1 : 0);
      },
    });

    // --- Mesos events ----------------------------------------------------------------------------------------
    const launches = new Counter({
      name: 'mesoswarm_mesos_task_launches_total',
      help: 'Tasks sent to Mesos in ACCEPT calls',
      registers,
    });
    const restarts = new Counter({
      name: 'mesoswarm_container_restarts_total',
      help: 'Containers relaunched by their restart policy',
      registers,
    });
    const reschedules = new Counter({
      name: 'mesoswarm_container_reschedules_total',
      help: 'Containers relaunched off a lost agent, by why (unreachable, lost)',
      labelNames: ['why'] as const,
      registers,
    });
    const updates = new Counter({
      name: 'mesoswarm_mesos_status_updates_total',
      help: 'Task status updates received, by state and reason',
      labelNames: ['state', 'reason'] as const,
      registers,
    });
    const acks = new Counter({
      name: 'mesoswarm_mesos_acknowledgements_total',
      help: 'Status updates acknowledged to Mesos (after they were applied and made durable)',
      registers,
    });
    const subscriptions = new Counter({
      name: 'mesoswarm_mesos_subscriptions_total',
      help: 'SUBSCRIBED events: first registrations (resubscribed="false") and re-subscriptions',
      labelNames: ['resubscribed'] as const,
      registers,
    });
    const disconnects = new Counter({
      name: 'mesoswarm_mesos_disconnects_total',
      help: 'Subscription streams lost, by how they ended',
      labelNames: ['reason'] as const,
      registers,
    });
    const masterChanges = new Counter({
      name: 'mesoswarm_mesos_master_changes_total',
      help: 'Changes of the detected leading Mesos master',
      registers,
    });
    const rounds = new Counter({
      name: 'mesoswarm_mesos_reconciliation_rounds_total',
      help: 'Reconciliation rounds completed, by kind (explicit, implicit)',
      labelNames: ['kind'] as const,
      registers,
    });
    const byStateReason = new Map<string, Map<string, Child<typeof updates>>>();
    const first = subscriptions.labels('false');
    const again = subscriptions.labels('true');
    this.mesos = {
      launched: (tasks) => launches.inc(tasks),
      statusUpdate(state, reason = '') {
        let reasons = byStateReason.get(state);
        if (!reasons) byStateReason.set(state, (reasons = new Map()));
        let child = reasons.get(reason);
        if (!child) reasons.set(reason, (child = updates.labels(state, reason)));
        child.inc();
      },
      acknowledged: () => acks.inc(),
      subscribed: (resubscribed) => (resubscribed ? again : first).inc(),
      disconnected: (reason) => disconnects.labels(reason).inc(),
      masterChanged: () => masterChanges.inc(),
      reconciled: (kind) => rounds.labels(kind).inc(),
      restarted: () => restarts.inc(),
      rescheduled: (why) => reschedules.labels(why).inc(),
    };
  }

  watch(sources: GaugeSources): void {
    Object.assign(this.#sources, sources);
    if (sources.queueDepth) this.recent.watchQueue(sources.queueDepth);
  }

  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  close(): void {
    this.recent.close();
    this.registry.clear();
  }
}

function routeMeter(
  template: string,
  requests: Counter<'route' | 'method' | 'status'>,
  duration: Histogram<'route' | 'method'>,
): RouteMeter {
  const byMethod = new Map<string, { hist: Child<typeof duration>; byStatus: Map<number, Child<typeof requests>> }>();
  return {
    observe(rawMethod, status, seconds) {
      const method = METHODS.has(rawMethod) ? rawMethod : 'OTHER';
      let m = byMethod.get(method);
      if (!m) byMethod.set(method, (m = { hist: duration.labels(template, method), byStatus: new Map() }));
      let counter = m.byStatus.get(status);
      if (!counter) m.byStatus.set(status, (counter = requests.labels(template, method, String(status))));
      counter.inc();
      m.hist.observe(seconds);
    },
  };
}

/** A gauge with one series per state, every state the reading gives; states that emptied read 0, not stale. */
function byState(
  name: string,
  help: string,
  read: () => Iterable<readonly [string, number]> | undefined,
  registers: Registry[],
): void {
  const seen = new Set<string>();
  new Gauge({
    name,
    help,
    labelNames: ['state'] as const,
    registers,
    collect() {
      const now = new Map(read() ?? []);
      for (const state of seen) if (!now.has(state)) this.labels(state).set(0);
      for (const [state, count] of now) {
        seen.add(state);
        this.labels(state).set(count);
      }
    },
  });
}
