// Restarts, on its own engine, a container with a restart policy (`always`, `unless-stopped`, `on-failure`) whose
// health check reports it unhealthy, as swarm mode replaces an unhealthy task; dockerd itself leaves it running,
// unhealthy. A container without a policy stays as it is, shown unhealthy (Docker's behaviour). The restart is
// dockerd's own (`POST /restart`, with the container's stop timeout), announced first by a `health_restart` container
// event. Restarts that follow one another without a healthy report in between wait Docker's back-off (100 ms
// doubling up to 1 minute), and `on-failure:N` gives up after N of them; dockerd's RestartCount counts only its
// own policy restarts, so it does not count these. Only containers made through the manager are touched
// (containers.ts, keptByManager).
import type { DockerEvent, Engine } from '../../engine/engine.js';
import { engineCall } from '../../engine/call.js';
import type { EnginePool } from '../engine-pool.js';
import { containerEvent, nodeOf, type EventLog } from '../events.js';
import type { Logger } from '../../util/logger.js';
import { keptByManager } from './containers.js';

const POLICIES = new Set(['always', 'unless-stopped', 'on-failure']);
const BACKOFF_START_MS = 100;
const BACKOFF_CAP_MS = 60_000;

export class HealthRestarts {
  readonly #pool: EnginePool;
  readonly #events: EventLog;
  readonly #log: Logger;
  /** Container ID → restarts made since its last healthy report. */
  readonly #streak = new Map<string, number>();
  readonly #inFlight = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #onEvent = (event: DockerEvent, engine: Engine) => this.#handle(event, engine);
  /** Between start() and stop(): with `--replication`, while this manager leads; a restart waiting then is dropped. */
  #acting = false;

  constructor(pool: EnginePool, events: EventLog, logger: Logger) {
    this.#pool = pool;
    this.#events = events;
    this.#log = logger.child({ component: 'health-restarts' });
  }

  start(): void {
    this.#acting = true;
    this.#pool.on('event', this.#onEvent);
  }

  stop(): void {
    this.#acting = false;
    this.#pool.off('event', this.#onEvent);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #handle(event: DockerEvent, engine: Engine): void {
    const id = event.Actor?.ID ?? event.id;
    if (event.Type !== 'container' || !id) return;
    const action = event.Action ?? event.status ?? '';
    if (action === 'health_status: healthy' || action === 'destroy') this.#streak.delete(id);
    else if (action === 'health_status: unhealthy') void this.#restart(engine, id);
  }

  async #restart(engine: Engine, id: string): Promise<void> {
    if (this.#inFlight.has(id)) return;
    this.#inFlight.add(id);
    try {
      const restarts = this.#streak.get(id) ?? 0;
      const first = this.#due(engine, id);
      if (!first) return;
      const { MaximumRetryCount: limit = 0, Name: policy } = first.HostConfig?.RestartPolicy ?? {};
      if (policy === 'on-failure' && limit > 0 && restarts >= limit) {
        this.#log.warn({ container: id, restarts }, 'still unhealthy after on-failure restarts; left as it is');
        return;
      }
      if (restarts > 0) await this.#wait(Math.min(BACKOFF_START_MS * 2 ** (restarts - 1), BACKOFF_CAP_MS));
      // The wait may have seen it stopped, removed or healthy again, or its engine lost.
      const details = await engine.refreshContainer(id).then(
        () => this.#due(engine, id),
        () => undefined,
      );
      if (!details || !this.#acting) return;
      this.#streak.set(id, restarts + 1);
      const name = details.Name.replace(/^\//, '');
      this.#log.info({ container: id, name, node: engine.name }, 'restarting an unhealthy container');
      this.#events.publish(
        containerEvent(
          'health_restart',
          nodeOf(engine),
          { id, name, image: details.Config?.Image ?? '' },
          {
            restarts: String(restarts + 1),
          },
        ),
      );
      await engineCall(engine, () => engine.docker.getContainer(id).restart());
    } catch (err) {
      this.#log.warn({ container: id, err: (err as Error).message }, 'restarting an unhealthy container failed');
    } finally {
      this.#inFlight.delete(id);
      await engine.refreshContainer(id).catch(() => undefined);
    }
  }

  /** The container's details when it is still to be restarted: running, unhealthy, under a policy, ours. */
  #due(engine: Engine, id: string) {
    const details = engine.containers.get(id);
    if (!engine.isHealthy || !details?.State?.Running || details.State.Health?.Status !== 'unhealthy') return undefined;
    if (!POLICIES.has(details.HostConfig?.RestartPolicy?.Name ?? '')) return undefined;
    return keptByManager(details.Config?.Labels ?? {}) ? details : undefined;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}
