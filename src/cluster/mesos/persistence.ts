// How the container store's state is made durable: an ordered log of entries, replayed on open, that can be
// rewritten in compact form. The store knows only this interface; today the log is a local journal file
// (src/store/journal.ts, one per framework name under mesos.statedir). Another backend (ZooKeeper, shared by several
// managers) needs only to keep the same entries in the same order.
import { join } from 'node:path';
import { Journal } from '../../store/journal.js';
import type { DurableContainer, DurableTask, RestartState } from './container.js';

export type StateEntry =
  | { t: 'framework'; id: string }
  /** An agent learned under framework `fw` (absent in journals written before agents were keyed). */
  | { t: 'agent'; id: string; hostname: string; address: string; fw?: string }
  | { t: 'put'; c: DurableContainer }
  | { t: 'task'; id: string; task: DurableTask | null; restartCount: number }
  | { t: 'name'; id: string; name: string }
  /** A container's restart state and count (restart policies, rescheduling, the user's stop). */
  | { t: 'restart'; id: string; restartCount: number; restart: RestartState }
  /** A container's config changed after create (`docker update --restart`). */
  | { t: 'policy'; id: string; restartPolicy: { Name: string; MaximumRetryCount: number } }
  | { t: 'del'; id: string };

export interface StateLog {
  /** Resolves once the entry is durable. */
  append(entry: StateEntry): Promise<void>;
  /** Replaces the log with `entries` (read as the rewrite reaches them); appends made meanwhile are kept after. */
  compact(entries: Iterable<StateEntry>): Promise<void>;
  /**
   * How long the log is to replay, in entries (the last compaction's and those appended since). A backend whose
   * replay costs more than its entries (a read per znode) counts that cost as entries too.
   */
  readonly size: number;
  close(): Promise<void>;
}

export interface StateBackend {
  /** Hands every stored entry to `replay` in order, then rewrites the log as `compactForm` returns it. */
  open(replay: (entry: StateEntry) => void, compactForm: () => Iterable<StateEntry>): Promise<StateLog>;
}

/** The journal file `state.jsonl` in `dir`. */
export function localJournal(dir: string): StateBackend {
  return { open: (replay, compactForm) => Journal.open<StateEntry>(join(dir, 'state.jsonl'), replay, compactForm) };
}
