// Every write to the shared state, fenced and applied at most once. A write is one multi-op that starts with a check
// of the leader's own election znode (ephemeral: gone once its session expired or it was deposed), so a deposed
// leader's write is refused whole, never half-applied. A write whose answer was lost with the connection may or may not
// have landed: it is read back (`landed`) and sent again only when it did not, and since every write creates a node
// of a name chosen before, or sets a node at a version read before, a second copy can never land beside the first.
// The first refusal ends writing for good: this manager is being demoted, and every later write fails the same way.
import { notLeading, type ManagerError } from '../errors.js';
import { Exception, MultiRefused, SessionLost, zkCode, type ZkOp, type ZooKeeperSession } from './zookeeper-session.js';

export class FencedWriter {
  readonly #session: ZooKeeperSession;
  readonly #fence: () => string | undefined;
  #stopped: ManagerError | undefined;
  readonly #onStop: ((err: ManagerError) => void)[] = [];

  constructor(session: ZooKeeperSession, fence: () => string | undefined) {
    this.#session = session;
    this.#fence = fence;
    session.onLost((err) => this.stop(err.message));
  }

  /** Why writing stopped, once it has. */
  get stopped(): ManagerError | undefined {
    return this.#stopped;
  }

  onStop(listener: (err: ManagerError) => void): void {
    this.#onStop.push(listener);
  }

  /** Stops writing (the first reason stands) and returns the error every write now fails with. */
  stop(reason: string, cause?: unknown): ManagerError {
    if (!this.#stopped) {
      this.#stopped = notLeading(reason, cause);
      for (const listener of this.#onStop.splice(0)) listener(this.#stopped);
    }
    return this.#stopped;
  }

  /** Throws (and stops) when this manager does not lead now; returns its election znode. */
  fence(): string {
    if (this.#stopped) throw this.#stopped;
    const fence = this.#fence();
    if (!fence) throw this.stop('this manager holds no election znode: it is not the leader');
    return fence;
  }

  /**
   * Applies `ops` behind the fence. `landed` says whether they are in ZooKeeper already (read back after a lost
   * answer, or after a refusal that a first, answered-too-late copy would explain).
   */
  async write(ops: readonly ZkOp[], landed: () => Promise<boolean>, what: string): Promise<void> {
    for (;;) {
      const fence = this.fence();
      try {
        await this.#session.multi([{ op: 'check', path: fence, version: -1 }, ...ops]);
        return;
      } catch (err) {
        if (err instanceof SessionLost) throw this.stop(err.message, err);
        if (err instanceof MultiRefused) {
          if (err.index === 0) throw this.stop(`its election znode ${fence} is gone`, err);
          if (await this.#readBack(landed)) return;
          throw this.stop(refusal(err, ops[err.index - 1]!, what), err);
        }
        if (zkCode(err) !== Exception.CONNECTION_LOSS) throw err;
        if (await this.#readBack(landed)) return;
        // Not there: the first copy never reached the server (or was dropped); sending it again is safe.
      }
    }
  }

  /** Runs `landed` until it gets an answer through a connection that held. */
  async #readBack(landed: () => Promise<boolean>): Promise<boolean> {
    for (;;) {
      try {
        return await landed();
      } catch (err) {
        if (err instanceof SessionLost) throw this.stop(err.message, err);
        if (zkCode(err) !== Exception.CONNECTION_LOSS) throw err;
      }
    }
  }
}

function refusal(err: MultiRefused, op: ZkOp, what: string): string {
  if (err.code === Exception.BAD_VERSION) {
    return `another manager took the shared state over: ${op.path} is past the version this one read (${what})`;
  }
  if (err.code === Exception.NODE_EXISTS) return `another manager wrote ${op.path} first (${what})`;
  if (err.code === Exception.NO_NODE) return `${op.path} was removed by another manager (${what})`;
  if (err.code === Exception.NO_AUTH) return `${op.path} belongs to other ZooKeeper credentials (${what})`;
  return `ZooKeeper refused ${what} at ${op.path} with code ${err.code}`;
}
