// Attach and log streams in mesos mode, where a container has no Docker container until Mesos starts it: a client
// that attaches before `docker start` (as `docker run` does) is handed the Docker container once its task runs,
// with the output so far replayed; a stream is told when the container stops. Streams still open are counted per
// container, so a `--rm` container is removed only once they have read its last output.
import type { ContainerLocation, StreamPurpose, StreamTarget } from '../cluster.js';
import type { MesosContainer } from './container.js';
import { reachable, type DockerSide } from './docker-side.js';
import type { ContainerStore } from './store.js';

/** How long a `--rm` container is kept after it ended for attach streams still reading its output. */
const AUTO_REMOVE_GRACE_MS = 30_000;

export class Streams {
  readonly #store: ContainerStore;
  readonly #docker: DockerSide;
  readonly #open = new Map<string, number>();

  constructor(store: ContainerStore, docker: DockerSide) {
    this.#store = store;
    this.#docker = docker;
  }

  /** `ref` is the container as the client named it (for the unhealthy-node error). */
  target(c: MesosContainer, ref: string, purpose: StreamPurpose, until: AbortSignal): StreamTarget {
    this.#count(c.id, until);
    const ended = this.#store
      .until(c.id, (x) => (!x || x.hasExited ? true : undefined), until)
      .then(() => undefined)
      .catch(() => undefined);
    const now = this.#docker.location(c);
    if (now && (purpose !== 'attach' || c.isRunning)) {
      return { now: reachable(ref, c, now), ended: purpose === 'attach' ? ended : undefined };
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
            const location = this.#docker.location(x);
            if (location) return { location, exited: x.hasExited };
            if (x.hasExited && !x.task?.dockerId) return null;
            void this.#docker.find(x);
          }
          return undefined;
        },
        until,
      )
      .then((l) => l ?? undefined)
      .catch(() => undefined);
    return { later, replay: startedTask === undefined, ended };
  }

  /** Resolves once no stream of the container is open, or after a grace period. */
  async drained(containerId: string): Promise<void> {
    const deadline = Date.now() + AUTO_REMOVE_GRACE_MS;
    while ((this.#open.get(containerId) ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #count(id: string, until: AbortSignal): void {
    this.#open.set(id, (this.#open.get(id) ?? 0) + 1);
    const done = () => {
      const left = (this.#open.get(id) ?? 1) - 1;
      if (left > 0) this.#open.set(id, left);
      else this.#open.delete(id);
    };
    if (until.aborted) done();
    else until.addEventListener('abort', done, { once: true });
  }
}
