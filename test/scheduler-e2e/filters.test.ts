// `--filter` through the native driver, with the real docker CLI against managers over the two CI engines. As in
// classic Swarm, any --filter replaces the whole default list: a filter left out is not run at all, so its
// expressions are ignored (though still moved out of Env into the container's labels), and the "Unable to find a
// node…" text lists only the configured filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { engineIdentities, nodeOf, daemonError, unsatisfied, existsNowhere, type EngineIdentity } from './helpers.js';

const prefix = uniquePrefix('sched-filt');
const PORT = '18092';
let healthOnly: TestManager | undefined;
let noPorts: TestManager | undefined;
let node1: EngineIdentity;
let node2: EngineIdentity;
let seq = 0;
const fresh = () => `${prefix}${seq++}`;

before(async () => {
  if (!(await needEngines())) return;
  [node1, node2] = await engineIdentities();
  healthOnly = await startTestManager({ filter: ['health'] });
  // The comma form, as `swarm manage --filter health,constraint` would give it.
  noPorts = await startTestManager({ filter: ['health,constraint'] });
});
after(async () => {
  await healthOnly?.close();
  await noPorts?.close();
  await removeContainersNamed(prefix);
});

const FILTERS_LINE = '{{range .SystemStatus}}{{if eq (index . 0) "Filters"}}{{index . 1}}{{end}}{{end}}';

test('docker info lists the configured filters only', async (t) => {
  if (!healthOnly || !noPorts) return t.skip('no engines');
  assert.equal(await healthOnly.docker.ok(['info', '--format', FILTERS_LINE]), 'health');
  assert.equal(await noPorts.docker.ok(['info', '--format', FILTERS_LINE]), 'health, constraint');
});

test('-f health only: constraints and affinities are not checked, but still leave Env for the labels', async (t) => {
  if (!healthOnly) return t.skip('no engines');
  const name = fresh();
  await healthOnly.docker.ok([
    'create',
    '--name',
    name,
    '-e',
    'constraint:node==nowhere',
    '-e',
    `affinity:container==${prefix}absent`,
    'busybox',
  ]);
  assert.ok([node1.name, node2.name].includes(await nodeOf(healthOnly, name)));
  const config = JSON.parse(await healthOnly.docker.ok(['inspect', '--format', '{{json .Config}}', name])) as {
    Env: string[] | null;
    Labels: Record<string, string>;
  };
  assert.deepEqual(JSON.parse(config.Labels['com.docker.swarm.constraints']!), ['node==nowhere']);
  assert.deepEqual(JSON.parse(config.Labels['com.docker.swarm.affinities']!), [`container==${prefix}absent`]);
  assert.ok(!(config.Env ?? []).some((e) => /^(constraint|affinity):/.test(e)), String(config.Env));
});

test('-f health,constraint: constraints hold, host ports are not checked, the error lists only the constraint', async (t) => {
  if (!noPorts) return t.skip('no engines');
  // Two containers with the same fixed host port on one node: the port filter is off, so both are placed there.
  for (let i = 0; i < 2; i++) {
    const name = fresh();
    await noPorts.docker.ok([
      'create',
      '--name',
      name,
      '-e',
      `constraint:node==${node2.name}`,
      '-p',
      `${PORT}:80`,
      'busybox',
    ]);
    assert.equal(await nodeOf(noPorts, name), node2.name);
  }
  // No containerslots line: that filter is not configured.
  const name = fresh();
  const refused = await noPorts.docker(['create', '--name', name, '-e', 'constraint:node==nowhere', 'busybox']);
  assert.equal(daemonError(refused), unsatisfied('node==nowhere'));
  assert.ok(await existsNowhere(name));
});

test('an unknown filter name stops the manager from starting', async () => {
  await assert.rejects(
    startTestManager({ filter: ['health', 'nosuchfilter'] }),
    /filter not supported: "nosuchfilter"/,
  );
  await assert.rejects(startTestManager({ strategy: 'nosuchstrategy' }), /nosuchstrategy/);
});
