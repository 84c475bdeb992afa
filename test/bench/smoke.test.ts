// Smoke run of `npm run bench` at tiny sizes, so the harness can't rot: every section runs end to end (processes,
// load, figures, JSON) and its figures are checked for shape and consistency — never for speed, which depends on
// the machine. The latency section needs the local Docker engine and is left out when it is not reachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type BenchConfig } from '../../bench/lib/config.js';
import { runBench } from '../../bench/run.js';
import { need, ENGINES, ZOOKEEPER } from '../helpers/services.js';

test('npm run bench at tiny sizes: every section produces its figures and the JSON file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mesoswarm-bench-smoke-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const engine = ENGINES[0]!;
  const withEngine = await need(undefined, 'the local Docker engine', [engine]);
  const withZooKeeper = await need(undefined, 'ZooKeeper', [ZOOKEEPER]);
  const config = parseConfig(
    [
      ...(withEngine && withZooKeeper
        ? []
        : ['--skip', [withEngine ? '' : 'latency', withZooKeeper ? '' : 'state'].filter(Boolean).join(',')]),
      '--out',
      join(dir, 'smoke.json'),
      '--concurrency',
      '8',
      '--agents',
      '5',
      '--containers',
      '40',
      '--baseline-ops',
      '40',
      '--rounds',
      '1',
      '--engine',
      engine,
      '--api-agents',
      '4',
      '--api-containers',
      '30',
      '--api-samples',
      '20',
      '--list-samples',
      '4',
      '--scaling-agents',
      '3,5',
      '--scaling-containers',
      '10,40',
      '--profile-agents',
      '3',
      '--profile-containers',
      '20',
      '--metrics-agents',
      '3',
      '--metrics-containers',
      '20',
      '--metrics-rounds',
      '1',
      '--state-containers',
      '20',
      '--state-serial',
      '5',
      '--reschedule-agents',
      '3',
      '--reschedule-containers',
      '20',
      '--loopers',
      '4',
      '--reschedule-runs',
      '3',
    ],
    {},
  ) as BenchConfig;

  const result = await runBench(config, true);
  assert.deepEqual(result.errors, {}, 'no section failed');
  const written = JSON.parse(readFileSync(join(dir, 'smoke.json'), 'utf8')) as typeof result;
  assert.deepEqual(Object.keys(written.sections).sort(), [...config.sections].sort());
  assert.ok(written.git.commit.length > 0 || written.git.commit === '');
  assert.equal(written.load.throughput?.before.length, 3);

  const s = result.sections as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(s.scheduler.sizes.length, 3);

  assert.equal(s.throughput.placement.ops, 40);
  assert.deepEqual(s.throughput.check, { containers: 40, running: 40 });
  assert.equal(s.throughput.baseline.ops, 40);
  assert.ok(s.throughput.manager.peakRssBytes > 0 && s.throughput.double.cpuSeconds >= 0);
  assert.deepEqual(
    s.throughput.checkpoints.map((c: { containers: number }) => c.containers),
    [10, 40],
    'sampled at the scaling fill levels too',
  );

  if (withEngine) {
    assert.equal(s.latency.modes.length, 3);
    for (const mode of s.latency.modes) assert.equal(mode.latencyMs.n, 1);
  }

  assert.deepEqual(
    s.api.routes.map((r: { route: string; latencyMs: { n: number } }) => [r.route, r.latencyMs.n]),
    [
      ['GET /_ping (baseline)', 20],
      ['GET /info', 20],
      ['GET /containers/{id}/json', 20],
      ['GET /containers/json (30)', 4],
    ],
  );

  assert.deepEqual(
    s.scaling.rows.map((r: { agents: number; containers: number }) => [r.agents, r.containers]),
    [
      [3, 10],
      [3, 40],
      [5, 10],
      [5, 40],
    ],
  );
  assert.deepEqual(s.scaling.reused, [5], 'the throughput fill is reused for its cluster size');

  const r = s.recovery;
  assert.equal(r.containers, 30);
  assert.ok(r.recovered.pingMs <= r.recovered.psCorrectMs, 'ps answers after ping');
  assert.ok(r.baseline.pingMs > 0 && r.recovered.reconciledMs > 0);
  assert.ok(r.stateBytes > 0, 'the journal was found');

  const rs = s.reschedule;
  assert.equal(rs.containers, 20);
  assert.ok(rs.freshMs > 0 && rs.rescheduleMs > 0);
  assert.equal(rs.ratio, rs.rescheduleMs / rs.freshMs);
  assert.equal(rs.idleRunMs.n, 3);
  assert.equal(rs.loopingRunMs.n, 3);

  assert.ok(s.profile.summary.functions.length > 0);

  // One fill each way; the ratio is theirs.
  assert.equal(s.metrics.on.cpuMsPerContainer.length, 1);
  assert.equal(s.metrics.off.cpuMsPerContainer.length, 1);
  assert.ok(s.metrics.on.meanCpuMsPerContainer > 0 && s.metrics.off.meanCpuMsPerContainer > 0);
  assert.equal(s.metrics.cpuRatio, s.metrics.on.meanCpuMsPerContainer / s.metrics.off.meanCpuMsPerContainer);
  assert.ok(s.metrics.instrumentMicrosPerContainer > 0 && s.metrics.instrumentShare > 0);

  if (withZooKeeper) {
    // Both backends at the one size, each with every figure, the long log being the store's 3 entries a container.
    assert.deepEqual(
      s.state.rows.map((r: { backend: string; containers: number; logEntries: number }) => [
        r.backend,
        r.containers,
        r.logEntries,
      ]),
      [
        ['journal', 20, 66],
        ['zookeeper', 20, 66],
      ],
    );
    for (const r of s.state.rows) assert.ok(r.openMs > 0 && r.appendPerSecond > 0 && r.storedBytes > 0, r.backend);
  }
});
