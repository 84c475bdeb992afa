// Placement (the seed's steps 3 and 4): passes over the waiting starts, one at a time, coalesced (a burst of
// starts and offers makes one pass, not one each). A pass brings the board (board.ts) in line with the offers held
// and the agents' snapshots (agent-views.ts), places what it can, and hands the placed starts to the launcher. A
// start the scheduler refuses for a reason no offer can change — a filter no known agent passes, whatever its
// resources — fails now instead of waiting out its task timeout (up to the 10 minutes of the seed's command line).
import type { Scheduler } from '../../scheduler/index.js';
import type { PlacementError } from '../../errors.js';
import type { Logger } from '../../util/logger.js';
import type { Metrics } from '../../metrics/index.js';
import type { NodeView } from '../../scheduler/index.js';
import type { AgentRegistry } from './agents.js';
import type { AgentViews } from './agent-views.js';
import { PlacementBoard, type AgentSnapshot, type PlacementItem } from './board.js';
import type { Launcher, Placed } from './launch.js';
import type { OfferPolicy } from './offers.js';
import type { PendingStart, StartQueue } from './queue.js';

export class Placer {
  readonly #board = new PlacementBoard();
  readonly #scheduler: Scheduler;
  readonly #queue: StartQueue;
  readonly #offers: OfferPolicy;
  readonly #agents: AgentRegistry;
  readonly #views: AgentViews;
  readonly #launcher: Launcher;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  #scheduled = false;
  #running: Promise<void> | undefined;
  #again = false;
  #active = false;

  constructor(
    scheduler: Scheduler,
    queue: StartQueue,
    offers: OfferPolicy,
    agents: AgentRegistry,
    views: AgentViews,
    launcher: Launcher,
    metrics: Metrics,
    logger: Logger,
  ) {
    this.#metrics = metrics;
    this.#scheduler = scheduler;
    this.#queue = queue;
    this.#offers = offers;
    this.#agents = agents;
    this.#views = views;
    this.#launcher = launcher;
    this.#log = logger;
  }

  /** The agents as the last pass saw them (what the dashboard explains the queue against). */
  get views(): readonly NodeView[] {
    return this.#board.views;
  }

  /** Passes run only while subscribed: offers are valid on their stream only. */
  set active(value: boolean) {
    this.#active = value;
  }

  /** Runs a pass soon; one already running is followed by one more. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#running) {
        this.#again = true;
        return;
      }
      const started = performance.now();
      this.#running = this.#pass()
        .then((placed) => this.#metrics.placement.pass((performance.now() - started) / 1000, placed))
        .catch((err) => this.#log.error({ err: (err as Error).message }, 'placement pass failed'))
        .finally(() => {
          this.#running = undefined;
          if (this.#again) {
            this.#again = false;
            this.schedule();
          }
        });
    });
  }

  /** Resolves when no pass runs or is scheduled (for a clean stop, and tests). */
  async settled(): Promise<void> {
    while (this.#running || this.#scheduled) {
      await (this.#running ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  /** One pass; resolves to how many starts it placed. */
  async #pass(): Promise<number> {
    if (!this.#active) return 0;
    const ready = this.#queue.ready();
    if (!ready.length) {
      if (!this.#queue.due) this.#offers.idle();
      return 0;
    }
    const byKey = new Map<string, PendingStart>();
    const items: PlacementItem[] = [];
    for (const start of ready) {
      byKey.set(start.container.id, start);
      items.push({ key: start.container.id, spec: start.spec, name: start.container.name, prefer: start.prefer });
    }
    const book = this.#offers.book;
    this.#board.sync(
      book.agents(),
      (id) => book.agentVersion(id),
      (id) => book.forAgent(id),
      (id) => this.#views.snapshot(id),
    );
    const result = this.#board.pass(this.#scheduler, items);
    for (const [item, why] of result.unplaced) {
      const start = byKey.get(item.key)!;
      this.#queue.rejected(start, why.message);
      this.#failFastIfImpossible(start, why);
    }
    if (result.unplaced.size) this.#offers.unplaced();
    const placed: Placed[] = result.assignments.map(({ item, agentId, allocation }) => ({
      start: byKey.get(item.key)!,
      agentId,
      allocation,
    }));
    await this.#launcher.launch(placed);
    if (!this.#queue.due) this.#offers.idle();
    return placed.length;
  }

  #failFastIfImpossible(start: PendingStart, why: PlacementError): void {
    // A policy's start waits for the cluster to change (its agent back, a new one), as a client's cannot.
    if (why.kind !== 'filter' || start.origin !== 'client') return;
    const everyone = this.#agents
      .all()
      .map((a) => this.#views.snapshot(a.id))
      .filter((s): s is AgentSnapshot => s !== undefined);
    if (!everyone.length) return;
    const unlimited = everyone.map((agent) => ({
      id: agent.id,
      name: agent.name,
      addr: agent.addr,
      labels: agent.labels,
      healthIndicator: 100,
      totalCpus: Number.MAX_SAFE_INTEGER,
      totalMemory: Number.MAX_SAFE_INTEGER,
      usedCpus: 0,
      usedMemory: 0,
      containers: agent.containers,
      images: agent.images,
    }));
    try {
      this.#scheduler.select(unlimited, start.spec.request);
    } catch (err) {
      this.#queue.abandon(start, (err as Error).message);
    }
  }
}
