// GET /metrics against a manager in mesos mode over the Mesos double (docker executor on the real engines) and over
// real Mesos (MESOSWARM_TEST_MESOS): the
// exposition passes Prometheus' own lint, and its values move with real work done through the real docker CLI.
// Also: labels stay bounded (route templates, never IDs), and --metrics=false / --dashboard=false take them away.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  needBackend,
  oncePerRun,
  startMesosTestCluster,
  startUnplaceable,
  type MesosTestCluster,
} from '../helpers/mesos.js';
import { needEngines } from '../helpers/services.js';
import { eventually, startTestManager, uniquePrefix } from '../helpers/manager.js';
import { promtoolProblems, scrape } from '../helpers/metrics.js';

describe('/metrics (mesos mode)', () => {
  let cluster: MesosTestCluster | undefined;
  let origin = '';
  const prefix = uniquePrefix('metrics');

  before(async (t) => {
    if (!(await needBackend(t as never))) return;
    cluster = await startMesosTestCluster({ clusterOpts: ['mesos.tasktimeout=2m'] });
    origin = cluster.m.host.replace('tcp://', 'http://');
  });

  after(async () => {
    if (cluster) {
      const ids = (await cluster.m.docker(['ps', '-aq', '--filter', `name=${prefix}`])).stdout.split('\n');
      for (const id of ids.filter(Boolean)) await cluster.m.docker(['rm', '-f', id]);
    }
    await cluster?.close();
  });

  it('passes promtool and carries the process, API, Mesos and placement families', async (t) => {
    if (!cluster) return t.skip('needs the engines');
    const s = await scrape(origin);
    assert.deepEqual(promtoolProblems(s.text) ?? [], []);
    for (const family of [
      'mesoswarm_api_requests_total',
      'mesoswarm_api_request_duration_seconds',
      'mesoswarm_queue_depth',
      'mesoswarm_queue_oldest_wait_seconds',
      'mesoswarm_mesos_offers_held',
      'mesoswarm_mesos_offered_cpus',
      'mesoswarm_mesos_offered_memory_bytes',
      'mesoswarm_placement_pass_duration_seconds',
      'mesoswarm_placement_pass_containers',
      'mesoswarm_placement_wait_seconds',
      'mesoswarm_mesos_tasks',
      'mesoswarm_mesos_task_launches_total',
      'mesoswarm_mesos_status_updates_total',
      'mesoswarm_mesos_acknowledgements_total',
      'mesoswarm_mesos_subscribed',
      'mesoswarm_mesos_subscriptions_total',
      'mesoswarm_mesos_disconnects_total',
      'mesoswarm_mesos_master_changes_total',
      'mesoswarm_mesos_reconciliation_rounds_total',
      'mesoswarm_engines',
      'mesoswarm_containers',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.ok(s.families.has(family), `${family} missing`);
    }
    assert.equal(s.value('mesoswarm_mesos_subscribed'), 1);
    assert.equal(s.value('mesoswarm_mesos_subscriptions_total', { resubscribed: 'false' }), 1);
    assert.equal(s.value('mesoswarm_engines', { state: 'healthy' }), 2);
    assert.ok(s.value('mesoswarm_mesos_offers_held') >= 1, 'the double offers every idle agent');
    assert.ok(s.value('mesoswarm_mesos_offered_cpus') > 0);
    assert.ok(s.value('nodejs_heap_size_used_bytes') > 0);
  });

  it('moves with a docker run: launches, status updates, acknowledgements, placement, requests, tasks', async (t) => {
    if (!cluster) return t.skip('needs the engines');
    const before = await scrape(origin);
    const id = await cluster.m.docker.ok([
      'run',
      '-d',
      '-m',
      '32m',
      '--name',
      `${prefix}one`,
      'busybox',
      'sleep',
      '300',
    ]);
    const after = await eventually(async () => {
      const s = await scrape(origin);
      return s.value('mesoswarm_mesos_acknowledgements_total') > before.value('mesoswarm_mesos_acknowledgements_total')
        ? s
        : undefined;
    });
    const delta = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    assert.equal(delta('mesoswarm_mesos_task_launches_total'), 1);
    assert.ok(delta('mesoswarm_mesos_status_updates_total', { state: 'TASK_RUNNING' }) >= 1, 'TASK_RUNNING counted');
    assert.equal(after.count('mesoswarm_placement_wait_seconds') - before.count('mesoswarm_placement_wait_seconds'), 1);
    assert.ok(
      after.count('mesoswarm_placement_pass_duration_seconds') >
        before.count('mesoswarm_placement_pass_duration_seconds'),
    );
    assert.equal(
      delta('mesoswarm_api_requests_total', { route: '/containers/create', method: 'POST', status: '201' }),
      1,
    );
    assert.ok(
      delta('mesoswarm_api_requests_total', { route: '/containers/*name/start', method: 'POST', status: '204' }) >= 1,
    );
    const createTimed = 'mesoswarm_api_request_duration_seconds_count{route="/containers/create",method="POST"}';
    assert.equal(after.series(createTimed) - before.series(createTimed), 1, 'the create request timed');
    assert.equal(delta('mesoswarm_mesos_tasks', { state: 'running' }), 1);
    assert.equal(delta('mesoswarm_containers', { state: 'running' }), 1);

    // Labels are route templates: the container's ID is in no series, however it was asked for.
    await cluster.m.docker.ok(['inspect', id]);
    await cluster.m.docker.ok(['inspect', `${prefix}one`]);
    const later = await scrape(origin);
    assert.ok(later.value('mesoswarm_api_requests_total', { route: '/containers/*name/json', status: '200' }) >= 2);
    assert.ok(!later.text.includes(id.slice(0, 12)), 'a container ID reached a label');
    assert.ok(!later.text.includes(`${prefix}one`), 'a container name reached a label');
  });

  it('shows a container that cannot be placed in the queue depth and its oldest wait', async (t) => {
    if (!cluster) return t.skip('needs the engines');
    const name = `${prefix}huge`;
    const starting = await startUnplaceable(cluster.m.docker, name);
    try {
      const waiting = await eventually(async () => {
        const s = await scrape(origin);
        return s.value('mesoswarm_queue_depth') === 1 && s.value('mesoswarm_queue_oldest_wait_seconds') > 0.2
          ? s
          : undefined;
      });
      assert.equal(waiting.value('mesoswarm_mesos_tasks', { state: 'queued' }), 1);
    } finally {
      await cluster.m.docker(['rm', '-f', name]);
      await starting.stop();
    }
    await eventually(async () => (await scrape(origin)).value('mesoswarm_queue_depth') === 0);
    assert.equal((await scrape(origin)).value('mesoswarm_queue_oldest_wait_seconds'), 0);
  });

  it('counts a 404 page under one bounded label', async (t) => {
    if (!cluster) return t.skip('needs the engines');
    for (const path of ['/no/such/page', '/v1.41/another/one'])
      assert.equal((await fetch(`${origin}${path}`)).status, 404);
    const s = await scrape(origin);
    assert.ok(s.value('mesoswarm_api_requests_total', { route: 'unmatched', status: '404' }) >= 2);
    assert.ok(!s.text.includes('no/such/page'));
  });
});

describe('--metrics=false and --dashboard=false', () => {
  it('take /metrics and /dashboard/ away, and leave the API alone', async (t) => {
    if (oncePerRun(t) || !(await needEngines(t))) return;
    const off = await startTestManager({ metrics: 'false', dashboard: 'false' });
    const on = await startTestManager();
    try {
      const offOrigin = off.host.replace('tcp://', 'http://');
      assert.equal((await fetch(`${offOrigin}/metrics`)).status, 404);
      assert.equal((await fetch(`${offOrigin}/dashboard/`)).status, 404);
      assert.equal((await fetch(`${offOrigin}/_ping`)).status, 200);
      const onOrigin = on.host.replace('tcp://', 'http://');
      assert.equal((await fetch(`${onOrigin}/metrics`)).status, 200);
      assert.equal((await fetch(`${onOrigin}/dashboard/`)).status, 200);
      // Native driver: engines and containers by state come from the engines.
      assert.equal((await scrape(onOrigin)).value('mesoswarm_engines', { state: 'healthy' }), 2);
    } finally {
      await off.close();
      await on.close();
    }
  });
});
