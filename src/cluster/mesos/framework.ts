// The manager as a Mesos framework: the acting stations wired to the Mesos client and to each other, started and
// stopped as one unit (see README.md for the flow). It decides nothing itself: the queue, the offer policy, the
// placement pass, the launcher, the updates station, reconciliation, adoption and the killer do; this file only
// carries events between them. The store is outside it: it outlives the framework (and would be read by a manager
// that does not lead).
import type { Offer, SchedulerClientEvents } from '../../mesos/index.js';
import type { Scheduler } from '../../scheduler/index.js';
import { systemClock, type Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { Metrics } from '../../metrics/index.js';
import type { NodeView } from '../../scheduler/index.js';
import type { PendingStart } from './queue.js';
import { Adoption } from './adoption.js';
import type { AgentRegistry } from './agents.js';
import type { AgentViews } from './agent-views.js';
import type { FrameworkClient } from './calls.js';
import type { MesosContainer } from './container.js';
import type { ContainerSpec } from './spec.js';
import type { DockerSide } from './docker-side.js';
import { Killer } from './kill.js';
import { Launcher } from './launch.js';
import { OfferPolicy, type OfferSettings } from './offers.js';
import { Placer } from './placement.js';
import { StartQueue, type QueueSettings } from './queue.js';
import { Reconciliation } from './reconcile.js';
import { Rescheduler, type RescheduleSettings } from './reschedule.js';
import { Restarts } from './restarts.js';
import type { ContainerStore } from './store.js';
import { Updates } from './updates.js';

export type FrameworkSettings = OfferSettings & QueueSettings & RescheduleSettings;

export interface FrameworkParts {
  readonly store: ContainerStore;
  readonly agents: AgentRegistry;
  readonly views: AgentViews;
  readonly docker: DockerSide;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export class MesosFramework {
  readonly client: FrameworkClient;
  readonly queue: StartQueue;
  readonly offers: OfferPolicy;
  readonly updates: Updates;
  /** The restart policies (the user's verbs mark and clear their stop through it). */
  readonly restarts: Restarts;
  readonly #rescheduler: Rescheduler;
  readonly #parts: FrameworkParts;
  readonly #placer: Placer;
  readonly #killer: Killer;
  readonly #adoption: Adoption;
  readonly #reconciliation: Reconciliation;
  readonly #log: Logger;
  readonly #detach: (() => void)[] = [];
  #subscribed = false;
  #lastError = '';

  constructor(client: FrameworkClient, settings: FrameworkSettings, parts: FrameworkParts) {
    const clock = parts.clock ?? systemClock;
    const { store, agents, views, docker } = parts;
    const log = parts.logger.child({ component: 'framework' });
    this.client = client;
    this.#parts = parts;
    this.#log = log;
    this.queue = new StartQueue(store, clock, settings);
    this.offers = new OfferPolicy(client, clock, settings, () => this.queue.due, log);
    const metrics = parts.metrics;
    this.#reconciliation = new Reconciliation(client, store, views, clock, metrics, log);
    this.#adoption = new Adoption(store, agents, docker, clock, log);
    const launcher = new Launcher(
      client,
      store,
      this.queue,
      this.offers,
      agents,
      this.#reconciliation,
      clock,
      metrics,
      log,
    );
    this.#placer = new Placer(parts.scheduler, this.queue, this.offers, agents, views, launcher, metrics, log);
    this.updates = new Updates(client, store, this.queue, docker, this.#adoption, metrics, log);
    this.#killer = new Killer(client, store, this.queue, clock, log);
    this.restarts = new Restarts(store, this.queue, clock, metrics, log);
    this.#rescheduler = new Rescheduler(client, store, this.queue, this.restarts, clock, settings, metrics, log);
    this.#rescheduler.reapply = (status) => this.updates.received(status);
    const acted = (work: Promise<void>) =>
      work.catch((err: Error) => log.error({ err: err.message }, 'restart or reschedule not recorded'));
    this.updates.on('ended', (c, task) => {
      // A task lost with its agent is the rescheduler's (it may not come back); any other end is the policy's.
      acted(task.phase === 'lost' ? this.#rescheduler.lost(c, task) : this.restarts.ended(c, task));
    });
    this.updates.on('unreachable', (c, task) => this.#rescheduler.unreachable(c, task));
    this.updates.on('retired', (status) => acted(this.#rescheduler.retired(status)));

    this.queue.on('waiting', () => {
      this.offers.wantOffers();
      this.#placer.schedule();
    });
    this.queue.on('drained', () => this.offers.idle());
    store.on('removed', (c) => this.queue.forget(c.id));
  }

  get subscribed(): boolean {
    return this.#subscribed;
  }
  get lastError(): string {
    return this.#lastError || (this.#subscribed ? '' : (this.client.lastSubscribeError ?? ''));
  }
  get frameworkId(): string | undefined {
    return this.client.frameworkId;
  }
  /** The waiting starts, longest waiting first (read-only: for the overview and the gauges). */
  queued(): IterableIterator<PendingStart> {
    return this.queue.waiting();
  }
  /** The agents as the last placement pass saw them (what the queue's per-node explanations are made against). */
  get placementViews(): readonly NodeView[] {
    return this.#placer.views;
  }

  /** Subscribes and begins acting: offers, launches, kills, reconciliation. */
  start(): void {
    const agents = this.#parts.agents;
    this.#reconciliation.start(this.client);
    this.#listen('subscribed', (s) => this.#onSubscribed(s.frameworkId, s.master, s.resubscribed));
    this.#listen('disconnected', (d) => this.#onDisconnected(d.reason, d.detail));
    this.#listen('offers', (offers) => this.#onOffers(offers));
    this.#listen('rescind', (id) => this.offers.rescinded(id));
    this.#listen('update', (status) => void this.updates.received(status));
    this.#listen('failure', (f) => {
      if (f.agent_id && !f.executor_id) agents.lost(f.agent_id.value);
    });
    this.#listen('masterError', (message) => (this.#lastError = message));
    this.#listen('fatal', (err) => {
      this.#lastError = err.message;
      this.#log.error({ err: err.message }, 'Mesos refused the framework for good');
    });
    this.#adoption.start();
    this.#rescheduler.start();
    this.client.start();
    void this.restarts
      .recover()
      .then(() => this.#rescheduler.recover())
      .catch((err: Error) => this.#log.error({ err: err.message }, 'restart state not recovered'));
  }

  /** Stops acting and leaves Mesos' stream; the store and what it holds stay. */
  async stop(): Promise<void> {
    for (const detach of this.#detach.splice(0)) detach();
    this.#placer.active = false;
    this.#reconciliation.stop();
    this.#adoption.stop();
    this.#rescheduler.stop();
    this.queue.stop();
    this.offers.stop();
    await this.client.stop();
  }

  /** Queues a new task for the container; resolves once it runs (or ran), rejects with why it could not start. */
  async launch(container: MesosContainer, spec: ContainerSpec): Promise<void> {
    const start = await this.queue.enqueue(container, spec);
    await start.outcome;
  }

  /** The outcome of the start under way for the container, if this manager is running one. */
  starting(containerId: string): Promise<void> | undefined {
    return this.queue.get(containerId)?.outcome;
  }

  /** Takes a container out of the queue (stop or removal before it was placed). */
  cancel(container: MesosContainer, why: string): boolean {
    return this.queue.cancel(container.id, why);
  }

  kill(container: MesosContainer, graceSeconds: number): Promise<void> {
    return this.#killer.kill(container, graceSeconds);
  }

  #listen<K extends keyof SchedulerClientEvents>(
    event: K,
    listener: (...args: SchedulerClientEvents[K]) => void,
  ): void {
    this.client.on(event, listener as never); // TS cannot resolve the listener type for a generic K
    this.#detach.push(() => this.client.off(event, listener as never));
  }

  #onSubscribed(frameworkId: string, master: string, resubscribed: boolean): void {
    this.#subscribed = true;
    this.#lastError = '';
    this.#log.info({ framework: frameworkId, master, resubscribed }, 'subscribed to Mesos');
    this.offers.subscribed();
    this.#placer.active = true;
    this.#reconciliation.subscribed = true;
    this.#placer.schedule();
  }

  #onDisconnected(reason: string, detail: string): void {
    this.#subscribed = false;
    this.#lastError = detail;
    this.#placer.active = false;
    this.#reconciliation.subscribed = false;
    this.offers.disconnected();
    this.#log.warn({ reason, detail }, 'Mesos subscription lost; re-subscribing');
  }

  #onOffers(offers: readonly Offer[]): void {
    const { agents, store } = this.#parts;
    for (const offer of offers) {
      const returning = agents.get(offer.agent_id.value)?.active === false;
      const agent = agents.observe(offer);
      this.#reconciliation.offered(agent.id, returning);
      void store.rememberAgent(agent.id, agent.hostname, agent.engine.address).catch(() => undefined);
      if (this.#adoption.orphans) this.#adoption.retry(agent.id);
      this.#rescheduler.offered(agent.id);
    }
    this.offers.received(offers);
    if (this.queue.size) this.#placer.schedule();
  }
}
