// The agent's task status update manager: one FIFO stream of updates per task, only the oldest unacknowledged update
// in flight, retried after 10 s, 20 s, 40 s … capped at 10 min (both configurable), the next one released only by an
// ACK carrying the in-flight uuid, and everything in flight resent at once when the master asks (framework
// re-subscribed, agent re-registered). The agent's "latest state" of a task is the newest update it has queued.
import type { TaskState } from './messages.js';
import { isTerminal } from './messages.js';

/** An update as the agent holds it: wire fields already in order, minus nothing (the master forwards it as is). */
export interface QueuedUpdate {
  frameworkId: string;
  taskId: string;
  state: TaskState;
  uuid: Buffer;
  /** The TaskStatus object for the UPDATE event. */
  status: Record<string, unknown>;
}

interface TaskStream {
  frameworkId: string;
  taskId: string;
  queue: QueuedUpdate[];
  timer?: NodeJS.Timeout;
  backoffMs: number;
  attempts: number;
  terminated: boolean;
}

export interface StatusUpdateOptions {
  retryMs: number;
  retryMaxMs: number;
  /** Hand the update to the master (which may drop it); `latestState` is the newest state queued for the task. */
  forward: (update: QueuedUpdate, latestState: TaskState) => void;
}

export class StatusUpdateManager {
  private readonly streams = new Map<string, TaskStream>();
  private readonly opts: StatusUpdateOptions;

  constructor(opts: StatusUpdateOptions) {
    this.opts = opts;
  }

  private static key(frameworkId: string, taskId: string): string {
    return `${frameworkId}\0${taskId}`;
  }

  update(u: QueuedUpdate): void {
    const key = StatusUpdateManager.key(u.frameworkId, u.taskId);
    let s = this.streams.get(key);
    if (!s) {
      s = {
        frameworkId: u.frameworkId,
        taskId: u.taskId,
        queue: [],
        backoffMs: this.opts.retryMs,
        attempts: 0,
        terminated: false,
      };
      this.streams.set(key, s);
    }
    if (s.terminated) return; // nothing follows a terminal update
    if (isTerminal(u.state)) s.terminated = true;
    s.queue.push(u);
    if (s.queue.length === 1) this.send(s, true);
  }

  /** Returns the acknowledged update, or undefined when the uuid is not the one in flight (the agent only logs it). */
  acknowledge(frameworkId: string, taskId: string, uuid: Buffer): QueuedUpdate | undefined {
    const key = StatusUpdateManager.key(frameworkId, taskId);
    const s = this.streams.get(key);
    const head = s?.queue[0];
    if (!s || !head || !head.uuid.equals(uuid)) return undefined;
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    s.queue.shift();
    s.backoffMs = this.opts.retryMs;
    s.attempts = 0;
    // An empty stream is dropped (there may be 100,000 idle tasks); nothing follows a terminal update anyway.
    if (s.queue.length > 0) this.send(s, true);
    else this.streams.delete(key);
    return head;
  }

  /** Resend every in-flight update now (optionally only one framework's), restarting the back-off. */
  flush(frameworkId?: string): void {
    for (const s of this.streams.values()) {
      if (frameworkId !== undefined && s.frameworkId !== frameworkId) continue;
      if (s.queue.length === 0) continue;
      s.backoffMs = this.opts.retryMs;
      this.send(s, true);
    }
  }

  /** The framework is gone from this agent: its streams are dropped without further retries. */
  removeFramework(frameworkId: string): void {
    for (const [key, s] of this.streams) {
      if (s.frameworkId !== frameworkId) continue;
      if (s.timer) clearTimeout(s.timer);
      this.streams.delete(key);
    }
  }

  /** Updates still waiting for an ACK, head first per task. */
  pending(): Array<{ update: QueuedUpdate; inFlight: boolean; attempts: number }> {
    const out: Array<{ update: QueuedUpdate; inFlight: boolean; attempts: number }> = [];
    for (const s of this.streams.values()) {
      s.queue.forEach((update, i) => out.push({ update, inFlight: i === 0, attempts: i === 0 ? s.attempts : 0 }));
    }
    return out;
  }

  /** Number of updates not yet acknowledged. */
  pendingCount(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.queue.length;
    return n;
  }

  close(): void {
    for (const s of this.streams.values()) if (s.timer) clearTimeout(s.timer);
    this.streams.clear();
  }

  private send(s: TaskStream, resetTimer: boolean): void {
    const head = s.queue[0];
    if (!head) return;
    if (resetTimer && s.timer) clearTimeout(s.timer);
    s.attempts++;
    const delay = s.backoffMs;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.backoffMs = Math.min(s.backoffMs * 2, this.opts.retryMaxMs);
      this.send(s, false);
    }, delay);
    s.timer.unref();
    this.opts.forward(head, s.queue[s.queue.length - 1]!.state);
  }
}
