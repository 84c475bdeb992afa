// Fuzzing the native driver over the two real engines: create bodies generated from the API schema (valid-but-odd,
// and broken ones that must be a 400) and query strings for the routes that parse them, seeded and bounded. After
// the run: no 5xx, no hang, the manager answers, both engines are Healthy with no failure counted, every container
// on the engines under the run's names is one the client got a 201 for (and each of those exists), and the
// process's RSS grew by a bounded amount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines, ENGINES } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
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

const CREATES = Number(process.env.MESOSWARM_FUZZ_CREATES ?? 600);
const QUERIES = Number(process.env.MESOSWARM_FUZZ_QUERIES ?? 500);
const MiB = 1024 * 1024;

test('fuzz: the native driver over two engines', async (t) => {
  if (!(await needEngines(t))) return;
  const prefix = uniquePrefix('fuzz');
  const m = await startTestManager();
  const tally = newTally();
  const rssBefore = process.memoryUsage().rss;
  try {
    const created = await fuzzCreates(m.host, prefix, CREATES, tally, true);

    // One container each fuzzed container route acts on (created, never started), and a node's bridge network.
    const id = await createQueryTarget(m.host, prefix, tally);
    const bridge = `${(await engineNames())[0]}/bridge`;
    await fuzzQueries(m.host, queryTargets(id, bridge), QUERIES, tally);

    await assertServing(m.host, m.manager.cluster.engines(), tally);
    // Nothing the client was not told about: every fuzzed create answered 201 was removed, so no container under
    // the run's names may be left on the engines but the query target.
    const onEngines: string[] = [];
    for (const engine of ENGINES) {
      const ids = await dockerCli(engine).ok(['ps', '-aq', '--no-trunc', '--filter', `name=${prefix}`]);
      onEngines.push(...ids.split('\n').filter(Boolean));
    }
    assert.deepEqual(onEngines, [id], 'containers on the engines: only the query target');
    const removed = await send(tally, m.host, 'DELETE', `/v1.41/containers/${id}?force=1&v=1`);
    assert.equal(removed?.status, 204, removed?.text);
    const rssGrowth = (process.memoryUsage().rss - rssBefore) / MiB;
    report('native', tally, `, ${created.size} created and removed, RSS +${rssGrowth.toFixed(0)} MiB`);
    assert.ok(rssGrowth < 300, `RSS grew ${rssGrowth.toFixed(0)} MiB`);
  } finally {
    await m.close();
    await removeContainersNamed(prefix);
    for (const engine of ENGINES) await dockerCli(engine)(['volume', 'rm', '-f', `${prefix}vol`]);
  }
});
