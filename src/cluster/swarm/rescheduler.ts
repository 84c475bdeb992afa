// Classic Swarm's `reschedule:on-node-failure` (its cluster/watchdog.go): an engine that stays Unhealthy (or is
// removed) for `swarm.rescheduletimeout` gets its rescheduleable containers recreated elsewhere, placed by the
// scheduler with the same name and config (the `com.docker.swarm.id` label included, so the Swarm ID moves with it)
// and started if they were running; when the engine returns, the stale copies are removed. Classic moved them at
// the first engine_disconnect; the timeout lets a daemon restart or a short partition pass without a move.
//
//   down ──(timeout, still down)──▶ move each container: place + create (placer.ts) ──▶ start ──▶ `reschedule` event
//                                          │ no node can take it
//                                          ▼
//                                   stays where it was; the reason in the log, `docker info` and a
//                                   `reschedule_failed` event; tried again when an engine comes up, never in a loop
//   up ──▶ remove the copies that are no longer the container (containers.ts decides which copy that is)
import type { Engine, ContainerDetails } from '../../engine/engine.js';
import { engineCall } from '../../engine/call.js';
import type { EnginePool } from '../engine-pool.js';
import { containerEvent, nodeOf, type EventLog } from '../events.js';
import type { NameReservations } from '../names.js';
import type { StatusLine } from '../info.js';
import type { Logger } from '../../util/logger.js';
import { formatDuration } from '../../util/duration.js';
import { SWARM_ID_LABEL } from '../../scheduler/index.js';
import { isRescheduleable, type SwarmContainers } from './containers.js';
import { recreateConfig } from './recreate-config.js';
import type { SwarmPlacer } from './placer.js';
import type { CpuSharesMeaning } from '../cpu-shares.js';

/** Moves in flight at once off one lost node. */
const MOVES_AT_ONCE = 8;

export interface ReschedulerOptions {
  readonly pool: EnginePool;
  readonly containers: SwarmContainers;
  readonly placer: SwarmPlacer;
  readonly names: NameReservations;
  readonly events: EventLog;
  readonly timeoutMs: number;
  readonly cpuShares: CpuSharesMeaning;
  readonly logger: Logger;
}

/** A container that could not be moved off its lost engine, and why. */
interface Stuck {
  readonly engine: Engine;
  readonly name: string;
  readonly reason: string;
}

export class Rescheduler {
  readonly #o: ReschedulerOptions;
  readonly #log: Logger;
  readonly #timers = new Map<Engine, NodeJS.Timeout>();
  /** Container ID (of the copy left behind) → why it was not moved. */
  readonly #stuck = new Map<string, Stuck>();
  /** Swarm IDs being moved or cleaned up right now. */
  readonly #busy = new Set<string>();
  /**
   * Between start() and stop(): with `--replication`, while this manager leads. A move under way when it stops ends
   * before its next placement (a create already made is still started: half a move would leave it stopped).
   */
  #acting = false;
  readonly #onDown = (engine: Engine) => this.#lost(engine);
  readonly #onUp = (engine: Engine) => this.#returned(engine);

  constructor(options: ReschedulerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'rescheduler' });
  }

  start(): void {
    this.#acting = true;
    this.#o.pool.on('down', this.#onDown);
    this.#o.pool.on('up', this.#onUp);
  }

  stop(): void {
    this.#acting = false;
    this.#o.pool.off('down', this.#onDown);
    this.#o.pool.off('up', this.#onUp);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** `docker info` lines: the timeout, and each container left on a lost node with the reason. */
  statusLines(): StatusLine[] {
    const lines: StatusLine[] = [['Reschedule Timeout', formatDuration(this.#o.timeoutMs)]];
    if (this.#stuck.size === 0) return lines;
    lines.push(['Not Rescheduled', String(this.#stuck.size)]);
    for (const stuck of this.#stuck.values()) lines.push([`  └ ${stuck.engine.name}/${stuck.name}`, stuck.reason]);
    return lines;
  }

  /** Why a container on a lost node is still there, if it tried to move and could not. */
  stuckReason(containerId: string): string | undefined {
    return this.#stuck.get(containerId)?.reason;
  }

  #lost(engine: Engine): void {
    if (this.#timers.has(engine)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(engine);
      void this.#moveOff(engine);
    }, this.#o.timeoutMs);
    this.#timers.set(engine, timer);
  }

  #returned(engine: Engine): void {
    clearTimeout(this.#timers.get(engine));
    this.#timers.delete(engine);
    for (const [id, stuck] of this.#stuck) if (stuck.engine === engine) this.#stuck.delete(id);
    void this.#removeStale(engine);
    // A node that comes up may take what no node could before: one more try each, on this event only.
    const stillLost = new Set([...this.#stuck.values()].map((s) => s.engine));
    for (const lost of stillLost) if (!lost.isHealthy && !this.#timers.has(lost)) void this.#moveOff(lost);
  }

  async #moveOff(engine: Engine): Promise<void> {
    if (engine.isHealthy || !this.#acting) return;
    const movable = [...engine.containers.values()].filter((d) => isRescheduleable(d.Config?.Labels ?? {}));
    if (!movable.length) return;
    this.#log.info({ node: engine.name, containers: movable.length }, 'node lost: rescheduling its containers');
    // A few at a time (classic moved one at a time): the placer reserves each placement in flight, so the others
    // see it, as with concurrent creates from clients.
    let next = 0;
    const worker = async () => {
      while (this.#acting && next < movable.length) await this.#move(engine, movable[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(MOVES_AT_ONCE, movable.length) }, worker));
  }

  async #move(engine: Engine, details: ContainerDetails): Promise<void> {
    const swarmId = details.Config.Labels[SWARM_ID_LABEL]!;
    // Moved already (an earlier loss of this node), or back meanwhile.
    const elsewhere = this.#o.containers.copiesOf(swarmId).some((c) => c.engine !== engine && c.engine.isHealthy);
    if (elsewhere || engine.isHealthy || this.#busy.has(swarmId) || !this.#acting) return;
    this.#busy.add(swarmId);
    const name = details.Name.replace(/^\//, '');
    const container = { id: details.Id, name, image: details.Config.Image };
    const copies = new Set(this.#o.containers.copiesOf(swarmId).map((c) => c.id));
    let release = () => {};
    try {
      // The copy left behind holds the name until it is gone: it is no other container's.
      release = this.#o.names.reserve(name, (n) => this.#holder(n, copies), 'a container being rescheduled');
      const config = recreateConfig(details, engine.cpus, this.#o.cpuShares);
      const id = await this.#o.placer.placeAndCreate(config, name, undefined);
      const placed = this.#o.containers.index.get(id)?.engine;
      this.#stuck.delete(details.Id);
      this.#log.info(
        { container: details.Id, from: engine.name, to: placed?.name, as: id },
        `Rescheduled container ${details.Id} from ${engine.name} to ${placed?.name ?? '?'} as ${id}`,
      );
      if (placed) {
        this.#o.events.publish(
          containerEvent(
            'reschedule',
            nodeOf(placed),
            { ...container, id },
            {
              'from.id': details.Id,
              'from.node': engine.name,
            },
          ),
        );
      }
      if (details.State?.Running && placed) {
        this.#log.info(
          { container: details.Id, as: id },
          `Container ${details.Id} was running, starting container ${id}`,
        );
        await engineCall(placed, () => placed.docker.getContainer(id).start()).catch((err: unknown) => {
          this.#log.error(
            { container: id, err: (err as Error).message },
            `Failed to start rescheduled container ${id}`,
          );
        });
        await placed.refreshContainer(id).catch(() => undefined);
      }
    } catch (err) {
      // On one line: placement's explanation lists each filter on a line of its own.
      const reason = (err as Error).message.replace(/\s*\n\s*/g, ' ').trim();
      this.#stuck.set(details.Id, { engine, name, reason });
      this.#log.error(
        { container: details.Id, node: engine.name, reason },
        `Failed to reschedule container ${details.Id}`,
      );
      this.#o.events.publish(containerEvent('reschedule_failed', nodeOf(engine), container, { reason }));
    } finally {
      release();
      this.#busy.delete(swarmId);
    }
    // Came back while the copy was made: the one left there is stale now.
    if (engine.isHealthy) await this.#removeStale(engine);
  }

  /** Removes, for the rescheduleable containers on `engine`, every copy on a healthy engine that is not the one shown. */
  async #removeStale(engine: Engine): Promise<void> {
    const swarmIds = new Set<string>();
    for (const details of engine.containers.values()) {
      const labels = details.Config?.Labels ?? {};
      if (isRescheduleable(labels)) swarmIds.add(labels[SWARM_ID_LABEL]!);
    }
    for (const swarmId of swarmIds) {
      if (!this.#acting) return;
      if (this.#busy.has(swarmId)) continue;
      const shown = this.#o.containers.shownCopy(swarmId);
      if (!shown?.engine.isHealthy) continue;
      const stale = this.#o.containers.copiesOf(swarmId).filter((c) => c !== shown && c.engine.isHealthy);
      if (!stale.length) continue;
      this.#busy.add(swarmId);
      try {
        for (const copy of stale) {
          this.#log.info(
            { container: copy.id, node: copy.engine.name, kept: shown.id, keptOn: shown.engine.name },
            `container ${copy.id} was rescheduled on node ${shown.engine.name}, removing it`,
          );
          await engineCall(copy.engine, () => copy.engine.docker.getContainer(copy.id).remove({ force: true, v: true }))
            .catch((err: unknown) =>
              this.#log.error(
                { container: copy.id, err: (err as Error).message },
                'Failed to remove duplicate container',
              ),
            )
            .finally(() => copy.engine.refreshContainer(copy.id).catch(() => undefined));
        }
      } finally {
        this.#busy.delete(swarmId);
      }
    }
  }

  #holder(name: string, except: ReadonlySet<string>): string | undefined {
    return this.#o.containers.index.named(name).find((c) => !except.has(c.id))?.id;
  }
}
