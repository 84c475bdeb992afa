// Benchmark `state`: the two StateBackends the store can run on, the local journal (the baseline) and the shared
// state in ZooKeeper (real ZooKeeper, .ci/services.sh), at M containers made through the mesos driver's own store
// (test/helpers/state-entries.ts: the docker CLI's create body, each container started and running, ~2.7 KB of
// entry). For each backend and size, in the same run:
//   compact     the store's compact form (one `put` a container) written as the new log, and its stored bytes
//   open        a new opening of that state until it resolves (replay of every entry, plus whatever rewrite the
//               backend does on open): what a failover or restart waits for before `docker ps` can be right
//   append      the store's own log of those containers (3 entries each: create, launch, running) appended by
//               `concurrency` callers, each awaiting its append before the next (entries/s), and by one caller
//   open (log)  an opening of that long log (replay of 3M entries, then the backend's rewrite on open)
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateBackend, StateEntry } from '../src/cluster/mesos/persistence.js';
import { fillStore } from '../test/helpers/state-entries.js';
import {
  zooKeeperPlace,
  journalPlace,
  type BackendPlace,
  type ZooKeeperPlace,
} from '../test/helpers/state-backends.js';
import { int, ms, size, table, times } from './lib/report.js';

export interface StateConfig {
  readonly containers: readonly number[];
  readonly concurrency: number;
  /** Appends made one at a time for the single-caller rate. */
  readonly serialAppends: number;
  readonly quiet?: boolean;
}

export interface BackendFigures {
  readonly backend: 'journal' | 'zookeeper';
  readonly containers: number;
  readonly compactMs: number;
  readonly storedBytes: number;
  /** znodes the snapshot took (ZooKeeper). */
  readonly chunks: number;
  readonly openMs: number;
  readonly appendPerSecond: number;
  readonly serialAppendMs: number;
  readonly logEntries: number;
  readonly openLogMs: number;
}

export interface StateFigures {
  readonly rows: BackendFigures[];
}

/** Sessions long enough for a process holding 100,000 containers twice over on a loaded machine (40 s is ZooKeeper's most). */
const BENCH_SESSION = { sessionTimeoutMs: 30_000 };

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await run();
  return [value, performance.now() - t0];
}

/** Opens `backend` as the store does after a restart, with the state's compact form for its rewrite. */
async function openAll(backend: StateBackend, compactForm: () => Iterable<StateEntry>): Promise<number> {
  let n = 0;
  const log = await backend.open(() => void n++, compactForm);
  await log.close();
  return n;
}

async function storedBytes(place: BackendPlace): Promise<{ bytes: number; chunks: number }> {
  if ('dir' in place) return { bytes: (await stat(join(place.dir as string, 'state.jsonl'))).size, chunks: 1 };
  const zk = place as ZooKeeperPlace;
  const exists = (path: string) =>
    new Promise<number>((resolve, reject) =>
      zk.client.exists(path, (err, s) => (err ? reject(err) : resolve(s?.dataLength ?? 0))),
    );
  const names = await new Promise<string[]>((resolve, reject) =>
    zk.client.getChildren(`${zk.root}/snapshots`, (err, n) => (err ? reject(err) : resolve(n))),
  );
  let bytes = 0;
  for (const name of names) bytes += await exists(`${zk.root}/snapshots/${name}`);
  return { bytes, chunks: names.length };
}

async function measure(
  kind: 'journal' | 'zookeeper',
  containers: number,
  fill: Awaited<ReturnType<typeof fillStore>>,
  config: StateConfig,
): Promise<BackendFigures> {
  const place: BackendPlace = kind === 'journal' ? await journalPlace() : await zooKeeperPlace(BENCH_SESSION);
  try {
    const log = await place.backend.open(
      () => undefined,
      () => [],
    );
    const [, compactMs] = await timed(() => log.compact(fill.snapshot()));
    await log.close();
    const stored = await storedBytes(place);
    const [, openMs] = await timed(() => openAll(place.reopen(), fill.snapshot));

    // A second state for the long log, so its opening replays the log alone.
    const logPlace: BackendPlace = kind === 'journal' ? await journalPlace() : await zooKeeperPlace(BENCH_SESSION);
    try {
      const appender = await logPlace.backend.open(
        () => undefined,
        () => [],
      );
      let next = 0;
      const [, appendMs] = await timed(() =>
        Promise.all(
          Array.from({ length: config.concurrency }, async () => {
            while (next < fill.log.length) await appender.append(fill.log[next++]!);
          }),
        ),
      );
      const serial = Math.min(config.serialAppends, fill.log.length);
      const [, serialMs] = await timed(async () => {
        for (let i = 0; i < serial; i++) await appender.append(fill.log[i]!);
      });
      await appender.close();
      const [, openLogMs] = await timed(() => openAll(logPlace.reopen(), fill.snapshot));
      return {
        backend: kind,
        containers,
        compactMs,
        storedBytes: stored.bytes,
        chunks: stored.chunks,
        openMs,
        appendPerSecond: fill.log.length / (appendMs / 1000),
        serialAppendMs: serialMs / serial,
        logEntries: fill.log.length + serial,
        openLogMs,
      };
    } finally {
      await logPlace.remove();
    }
  } finally {
    await place.remove();
  }
}

export async function run(config: StateConfig): Promise<StateFigures> {
  const rows: BackendFigures[] = [];
  for (const containers of config.containers) {
    const fill = await fillStore(containers);
    for (const kind of ['journal', 'zookeeper'] as const) {
      if (!config.quiet) console.log(`  ${kind}, ${int(containers)} containers…`);
      rows.push(await measure(kind, containers, fill, config));
    }
  }
  return { rows };
}

export function print(f: StateFigures): void {
  const base = (r: BackendFigures) => f.rows.find((b) => b.backend === 'journal' && b.containers === r.containers)!;
  const vs = (r: BackendFigures, v: number, b: number) => (r.backend === 'journal' ? '' : ` (${times(v / b)})`);
  table(
    'State backends: the local journal (baseline) and the shared state in ZooKeeper, at M containers made through ' +
      'the store; ms; (×) against the journal at the same size',
    ['backend', 'containers', 'stored', 'compact', 'open', 'append/s', 'one append', 'open a 3M-entry log'],
    f.rows.map((r) => {
      const b = base(r);
      return [
        r.backend,
        int(r.containers),
        `${size(r.storedBytes)}${r.backend === 'zookeeper' ? ` in ${r.chunks} znodes` : ''}`,
        ms(r.compactMs) + vs(r, r.compactMs, b.compactMs),
        ms(r.openMs) + vs(r, r.openMs, b.openMs),
        int(r.appendPerSecond) + vs(r, r.appendPerSecond, b.appendPerSecond),
        ms(r.serialAppendMs) + vs(r, r.serialAppendMs, b.serialAppendMs),
        ms(r.openLogMs) + vs(r, r.openLogMs, b.openLogMs),
      ];
    }),
  );
}
