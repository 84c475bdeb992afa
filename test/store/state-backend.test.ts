// The StateBackend contract, run against both backends the store can be given: the local journal and the shared
// state in ZooKeeper (real ZooKeeper). Replay gives every entry in the order appended; an append resolves once
// durable; a compaction among appends loses none; an entry that cannot be encoded fails its append at once and
// leaves the log as it was; a compaction that fails leaves it whole and writing goes on; and the mesos driver's
// store, on either, rebuilds its containers as they were.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { StateBackend, StateEntry, StateLog } from '../../src/cluster/mesos/persistence.js';
import { JournalEncodeError } from '../../src/store/journal.js';
import { LOG_CHUNK_WEIGHT } from '../../src/store/zookeeper-state.js';
import { ContainerStore } from '../../src/cluster/mesos/store.js';
import { MesosContainer } from '../../src/cluster/mesos/container.js';
import { EventLog } from '../../src/cluster/events.js';
import { needZooKeeper } from '../helpers/services.js';
import { journalPlace, zooKeeperPlace, type BackendPlace } from '../helpers/state-backends.js';
import { cliCreateBody } from '../helpers/state-entries.js';

/** Entries of the test: a key and a value, as `name` entries (entries are opaque to a backend). */
const entry = (k: string, v: string): StateEntry => ({ t: 'name', id: k, name: v });
const none = () => [];

/** Everything the backend replays, in order. */
async function replayed(backend: StateBackend): Promise<StateEntry[]> {
  const out: StateEntry[] = [];
  const log = await backend.open(
    (e) => out.push(e),
    () => out.slice(),
  );
  await log.close();
  return out;
}

/** Last value per key, as the store reads its entries. */
const lastValues = (entries: StateEntry[]) =>
  new Map(entries.map((e) => [(e as { id: string }).id, (e as { name: string }).name]));

const backends: [string, (t: TestContext) => Promise<BackendPlace | undefined>][] = [
  ['journal', () => journalPlace()],
  ['zookeeper', async (t) => ((await needZooKeeper(t)) ? zooKeeperPlace() : undefined)],
];

for (const [kind, place] of backends) {
  /** What `size` counts for `serial` appends made one at a time (the ZooKeeper log also counts each one's read). */
  const cost = (serial: number) => serial * (1 + (kind === 'zookeeper' ? LOG_CHUNK_WEIGHT : 0));
  const withPlace = (name: string, run: (p: BackendPlace) => Promise<void>) =>
    test(`${kind}: ${name}`, async (t) => {
      const p = await place(t);
      if (!p) return;
      try {
        await run(p);
      } finally {
        await p.remove();
      }
    });

  withPlace('replays every entry in the order appended, concurrent appends included', async (p) => {
    const log = await p.backend.open(() => assert.fail('nothing to replay yet'), none);
    const appended = Array.from({ length: 600 }, (_, i) => entry(`k${i % 50}`, `v${i}`));
    await Promise.all(appended.map((e) => log.append(e)));
    assert.ok(log.size >= 600 && log.size <= cost(600), `size ${log.size}`);
    await log.close();
    assert.deepEqual(await replayed(p.reopen()), appended);
  });

  withPlace('a compaction among appends loses none of them; appends during it follow it', async (p) => {
    const live = new Map<string, string>();
    const log = await p.backend.open(() => undefined, none);
    const set = (k: string, v: string) => {
      live.set(k, v);
      return log.append(entry(k, v));
    };
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) writes.push(set(`a${i}`, `${i}`));
    const compaction = log.compact(
      (function* () {
        let n = 0;
        for (const [k, v] of live) {
          yield entry(k, v);
          // Appends keep coming while the compaction reads the state.
          if (n++ === 50) for (let i = 0; i < 100; i++) writes.push(set(`late${i}`, `${i}`));
        }
      })(),
    );
    for (let i = 0; i < 200; i++) writes.push(set(`b${i}`, `${i}`), set(`a${i}`, `${i + 1000}`));
    await Promise.all([...writes, compaction]);
    await log.close();
    assert.deepEqual(lastValues(await replayed(p.reopen())), live);
  });

  withPlace('a change appended after the compaction read its key is replayed after the compaction', async (p) => {
    const log = await p.backend.open(() => undefined, none);
    for (let i = 0; i < 20; i++) await log.append(entry(`k${i}`, 'old'));
    // Nothing is in flight when the compaction begins; each key changes right after the compaction has read it.
    const changed: Promise<void>[] = [];
    await log.compact(
      (function* () {
        for (let i = 0; i < 20; i++) {
          yield entry(`k${i}`, 'old');
          changed.push(log.append(entry(`k${i}`, 'new')));
        }
      })(),
    );
    await Promise.all(changed);
    await log.close();
    const values = lastValues(await replayed(p.reopen()));
    for (let i = 0; i < 20; i++) assert.equal(values.get(`k${i}`), 'new', `k${i}`);
  });

  withPlace('an entry that cannot be encoded fails its append at once and leaves the log as it was', async (p) => {
    const log = (await p.backend.open(() => undefined, none)) as StateLog;
    await log.append(entry('before', '1'));
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.throws(
      () => void log.append({ t: 'name', id: 'deep', name: deep } as unknown as StateEntry),
      JournalEncodeError,
    );
    assert.throws(
      () => void log.append({ t: 'name', id: 'big', name: 10n } as unknown as StateEntry),
      JournalEncodeError,
    );
    await log.append(entry('after', '2'));
    await log.close();
    assert.deepEqual(await replayed(p.reopen()), [entry('before', '1'), entry('after', '2')]);
  });

  withPlace('a compaction that cannot encode, or whose entries throw, rejects and leaves the log whole', async (p) => {
    const log = await p.backend.open(() => undefined, none);
    for (let i = 0; i < 10; i++) await log.append(entry(`a${i}`, `${i}`));
    const bad = { t: 'name', id: 'bad', name: 10n } as unknown as StateEntry;
    await assert.rejects(log.compact([entry('ok', '1'), bad]), JournalEncodeError);
    await assert.rejects(
      log.compact(
        (function* () {
          yield entry('ok', '1');
          throw new RangeError('Maximum call stack size exceeded');
        })(),
      ),
      RangeError,
    );
    await log.append(entry('later', '11'));
    assert.equal(log.size, cost(11));
    await log.close();
    const entries = await replayed(p.reopen());
    assert.equal(entries.length, 11);
    assert.deepEqual(entries.at(-1), entry('later', '11'));
  });

  withPlace('a compaction replaces the log: replay gives its entries, then what was appended after', async (p) => {
    const log = await p.backend.open(() => undefined, none);
    for (let i = 0; i < 100; i++) await log.append(entry('k', `${i}`));
    await log.compact([entry('k', '99')]);
    assert.equal(log.size, 1, 'the compact form alone');
    await log.append(entry('k', '100'));
    assert.equal(log.size, 1 + cost(1));
    await log.close();
    assert.deepEqual(await replayed(p.reopen()), [entry('k', '99'), entry('k', '100')]);
    await assert.rejects(log.append(entry('k', 'closed')));
  });

  withPlace('the store rebuilds its containers from it as they were', async (p) => {
    const node = () => ({ Name: '', Id: '', Addr: '', Ip: '' });
    const first = new ContainerStore(new EventLog(), node);
    await first.open(p.backend);
    await first.setFrameworkId('FW-1');
    const made: MesosContainer[] = [];
    for (let i = 0; i < 20; i++) {
      const c = new MesosContainer({
        id: `${i}`.padStart(64, 'c'),
        name: `web-${i}`,
        config: cliCreateBody(['sleep', `${i}`]),
        created: new Date().toISOString(),
        restartCount: 0,
      });
      await first.create(c);
      made.push(c);
    }
    await first.beginTask(made[0]!, { taskId: 'web-0.t1', phase: 'launching' }, true);
    await first.advance(made[0]!, 'running', { agentId: 'S0', dockerId: 'd'.repeat(64) });
    await first.rename(made[1]!, 'renamed');
    await first.remove(made[2]!);
    await first.close();

    const again = new ContainerStore(new EventLog(), node);
    await again.open(p.reopen());
    assert.equal(again.frameworkId, 'FW-1');
    assert.equal(again.size, 19);
    assert.equal(again.index.get(made[0]!.id)?.task?.phase, 'running');
    assert.equal(again.index.get(made[0]!.id)?.task?.dockerId, 'd'.repeat(64));
    assert.equal(again.index.get(made[1]!.id)?.name, 'renamed');
    assert.equal(again.index.get(made[2]!.id), undefined);
    assert.deepEqual(again.index.get(made[5]!.id)?.config.Cmd, ['sleep', '5']);
    await again.close();
  });
}
