// Fuzzing the Mesos driver over the Mesos double in docker mode (an agent on each real engine) and real Mesos: the same generated
// create bodies and query strings as the native run. A create here only records the container (and journals it),
// so the properties are about that state: no 5xx, no hang, the manager answers, the agents' engines stay Healthy,
// `docker ps -a` lists exactly the containers answered 201 (no record of a refused one), Mesos has no task, and the
// journal stays small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { uniquePrefix } from '../helpers/manager.js';
import { needBackend, ON_REAL_MESOS, startMesosTestCluster } from '../helpers/mesos.js';
import { engineNames } from '../helpers/nodes.js';
import {
  assertServing,
  createQueryTarget,
  fuzzCreates,
  fuzzQueries,
  newTally,
  queryTargets,
  report,
  send,
} from './harness.js';

// Creates only record containers: real Mesos (MESOSWARM_TEST_MESOS) adds its subscription and offers, not work, so
// its pass sends a fifth of the double's.
const SHARE = ON_REAL_MESOS ? 0.2 : 1;
const CREATES = Math.round(Number(process.env.MESOSWARM_FUZZ_CREATES ?? 1500) * SHARE);
const QUERIES = Math.round(Number(process.env.MESOSWARM_FUZZ_QUERIES ?? 500) * SHARE);
const MiB = 1024 * 1024;

test('fuzz: the Mesos driver over the Mesos backend', async (t) => {
  if (!(await needBackend(t))) return;
  const prefix = uniquePrefix('fuzzm');
  // A default memory, so bodies without -m or -c are not all refused by classic Swarm's resource rule.
  const cluster = await startMesosTestCluster({ clusterOpts: ['mesos.defaultmem=32'] });
  const m = cluster.m;
  const tally = newTally();
  const rssBefore = process.memoryUsage().rss;
  const journal = join(cluster.stateDir, cluster.name, 'state.jsonl');
  try {
    const told = await fuzzCreates(m.host, prefix, CREATES, tally);
    const id = await createQueryTarget(m.host, prefix, tally);
    told.add(id);
    await fuzzQueries(m.host, queryTargets(id, `${(await engineNames())[0]}/bridge`), QUERIES, tally);

    await assertServing(m.host, m.manager.cluster.engines(), tally);
    const listed = (await send(tally, m.host, 'GET', '/v1.41/containers/json?all=1'))!.json as { Id: string }[];
    assert.deepEqual(listed.map((c) => c.Id).sort(), [...told].sort(), 'the records are exactly the 201s');
    const { live, completed } = await cluster.tasks();
    assert.deepEqual([...live, ...completed], [], 'no task was launched');
    const journalBytes = (await stat(journal)).size;
    for (const c of told) {
      const removed = await send(tally, m.host, 'DELETE', `/v1.41/containers/${c}?force=1`);
      assert.equal(removed?.status, 204, removed?.text);
    }
    const rssGrowth = (process.memoryUsage().rss - rssBefore) / MiB;
    report(
      'mesos',
      tally,
      `, ${told.size} recorded and removed, journal ${(journalBytes / 1024).toFixed(0)} KiB, RSS +${rssGrowth.toFixed(0)} MiB`,
    );
    // Each record journals one line of its (checked) config: a few KiB at most, whatever was sent.
    assert.ok(journalBytes < told.size * 16 * 1024 + 64 * 1024, `journal ${journalBytes} bytes for ${told.size}`);
    assert.ok(rssGrowth < 300, `RSS grew ${rssGrowth.toFixed(0)} MiB`);
  } finally {
    await cluster.close();
  }
});
