// Constraints through the native driver, with the real docker CLI against a manager over the two CI engines: by
// node name and ID (`==`, `!=`, globs, regexes), by engine label (the labels .ci/services.sh puts in the daemons'
// daemon.json), in the env and the label forms, soft ones falling back, and the exact text a client reads when no
// node fits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines } from '../helpers/services.js';
import type { CliResult } from '../helpers/docker-cli.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import {
  engineIdentities,
  assertCiLabels,
  nodeOf,
  spreadAvoids,
  otherNode,
  daemonError,
  unsatisfied,
  existsNowhere,
  type EngineIdentity,
} from './helpers.js';

const prefix = uniquePrefix('sched-con');
let m: TestManager | undefined;
let node1: EngineIdentity;
let node2: EngineIdentity;
let seq = 0;
const fresh = () => `${prefix}${seq++}`;

before(async () => {
  if (!(await needEngines())) return;
  [node1, node2] = await engineIdentities();
  assertCiLabels([node1, node2]);
  m = await startTestManager();
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

/** `docker run -d` through the manager with these options; returns the container's name. */
async function run(...options: string[]): Promise<string> {
  const name = fresh();
  await m!.docker.ok(['run', '-d', '--name', name, ...options, 'busybox', 'sleep', '300']);
  return name;
}

test('constraint:node==<name> puts the container on that node, and the expression moves to the label', async (t) => {
  if (!m) return t.skip('no engines');
  // Pin first to the node spread would avoid, then to the other, so the strategy alone cannot pass this.
  const first = await spreadAvoids(m, node1.name, node2.name);
  for (const target of [first, otherNode(first, node1.name, node2.name)]) {
    const name = await run('-e', `constraint:node==${target}`, '-e', 'KEEP=1');
    assert.equal(await nodeOf(m, name), target);
    const config = JSON.parse(await m.docker.ok(['inspect', '--format', '{{json .Config}}', name])) as {
      Env: string[];
      Labels: Record<string, string>;
    };
    assert.deepEqual(JSON.parse(config.Labels['com.docker.swarm.constraints']!), [`node==${target}`]);
    assert.ok(config.Env.includes('KEEP=1'), String(config.Env));
    assert.ok(!config.Env.some((e) => e.startsWith('constraint:')), String(config.Env));
  }
});

test('constraint:node!=<name> keeps the container off that node', async (t) => {
  if (!m) return t.skip('no engines');
  // Excluding the node spread would pick first, so at least one placement goes against the strategy.
  const avoided = await spreadAvoids(m, node1.name, node2.name);
  const favoured = otherNode(avoided, node1.name, node2.name);
  for (const excluded of [favoured, avoided]) {
    const name = await run('-e', `constraint:node!=${excluded}`);
    assert.equal(await nodeOf(m, name), otherNode(excluded, node1.name, node2.name));
  }
});

test('node constraints match the engine ID, globs and regexes', async (t) => {
  if (!m) return t.skip('no engines');
  const byId = await run('-e', `constraint:node==${node2.id}`);
  assert.equal(await nodeOf(m, byId), node2.name);
  const byGlob = await run('-e', `constraint:node==${node1.name.slice(0, 1)}*`, '-e', `constraint:node!=${node2.name}`);
  assert.equal(await nodeOf(m, byGlob), node1.name);
  // A regex is unanchored and (?i) makes it case-insensitive, as in Go's RE2.
  const byRegex = await run('-e', `constraint:node==/(?i)${node2.name.toUpperCase().slice(1)}/`);
  assert.equal(await nodeOf(m, byRegex), node2.name);
});

test('constraints on engine labels: ==, !=, a missing label, globs and regexes', async (t) => {
  if (!m) return t.skip('no engines');
  const cases: [string, string][] = [
    ['region==east', node1.name],
    ['region==west', node2.name],
    ['disk==ssd', node1.name],
    ['region!=east', node2.name],
    // node-2 has no disk label: it reads as "", which is not ssd
    ['disk!=ssd', node2.name],
    ['region==w*', node2.name],
    ['region==/^ea/', node1.name],
  ];
  for (const [expression, expected] of cases) {
    const name = await run('-e', `constraint:${expression}`);
    assert.equal(await nodeOf(m, name), expected, expression);
  }
  // Values match case-sensitively (Go's regexp without (?i)), label keys too (a Go map lookup).
  for (const expression of ['region==WEST', 'REGION==west']) {
    const refused: CliResult = await m.docker([
      'create',
      '--name',
      fresh(),
      '-e',
      `constraint:${expression}`,
      'busybox',
    ]);
    assert.equal(daemonError(refused), unsatisfied('available container slots', expression));
  }
});

test('the label form com.docker.swarm.constraints works, and -e expressions are appended to it', async (t) => {
  if (!m) return t.skip('no engines');
  const labelled = await run('--label', 'com.docker.swarm.constraints=["region==west"]');
  assert.equal(await nodeOf(m, labelled), node2.name);

  const both = await run('--label', 'com.docker.swarm.constraints=["region==east"]', '-e', 'constraint:disk==ssd');
  assert.equal(await nodeOf(m, both), node1.name);
  const labels = await m.docker.ok([
    'inspect',
    '--format',
    '{{index .Config.Labels "com.docker.swarm.constraints"}}',
    both,
  ]);
  assert.deepEqual(JSON.parse(labels), ['region==east', 'disk==ssd']);

  // Together they must all hold: the label says west, the env form says not node-2.
  const name = fresh();
  const refused = await m.docker([
    'run',
    '-d',
    '--name',
    name,
    '--label',
    'com.docker.swarm.constraints=["region==west"]',
    '-e',
    `constraint:node!=${node2.name}`,
    'busybox',
  ]);
  assert.equal(daemonError(refused), unsatisfied('available container slots', `region==west node!=${node2.name}`));
  assert.ok(await existsNowhere(name));
});

test('nothing fits: the client reads classic Swarm text, word for word, and nothing is created', async (t) => {
  if (!m) return t.skip('no engines');
  const name = fresh();
  const envForm = await m.docker(['run', '-d', '--name', name, '-e', 'constraint:node==nowhere', 'busybox']);
  assert.equal(envForm.code, 125);
  assert.equal(
    envForm.stderr,
    'docker: Error response from daemon: Unable to find a node that satisfies the following conditions \n' +
      '[available container slots]\n[node==nowhere]\n\n' +
      "Run 'docker run --help' for more information\n",
  );
  assert.equal(envForm.stdout, '');

  const labelForm = await m.docker([
    'create',
    '--name',
    name,
    '--label',
    'com.docker.swarm.constraints=["node==x"]',
    'busybox',
  ]);
  assert.equal(
    labelForm.stderr,
    'Error response from daemon: Unable to find a node that satisfies the following conditions \n' +
      '[available container slots]\n[node==x]\n',
  );

  const byLabel = await m.docker(['run', '-d', '--name', name, '-e', 'constraint:region==north', 'busybox']);
  assert.equal(daemonError(byLabel), unsatisfied('available container slots', 'region==north'));
  assert.ok(await existsNowhere(name));
  // The name was never taken: it is free for a container that fits.
  await m.docker.ok(['create', '--name', name, 'busybox']);
});

test('a malformed expression is refused as a bad request before placement', async (t) => {
  if (!m) return t.skip('no engines');
  const name = fresh();
  const noOperator = await m.docker(['create', '--name', name, '-e', 'constraint:region', 'busybox']);
  assert.match(daemonError(noOperator), /One of operator ==, != is expected/);
  const badLabel = await m.docker([
    'create',
    '--name',
    name,
    '--label',
    'com.docker.swarm.constraints=region==west',
    'busybox',
  ]);
  assert.notEqual(badLabel.code, 0);
  assert.ok(await existsNowhere(name));
});

test('soft constraints: honoured when some node satisfies them, dropped when none does', async (t) => {
  if (!m) return t.skip('no engines');
  const avoided = await spreadAvoids(m, node1.name, node2.name);
  const honoured = await run('-e', `constraint:node==~${avoided}`);
  assert.equal(await nodeOf(m, honoured), avoided);

  // No node is in region north: the soft constraint is dropped and the container placed anyway.
  const dropped = await run('-e', 'constraint:region==~north');
  assert.ok([node1.name, node2.name].includes(await nodeOf(m, dropped)));

  // Dropping the soft ones keeps the hard ones: the soft node-1 pin loses to the hard region==west.
  const hardWins = await run('-e', `constraint:node==~${node1.name}`, '-e', 'constraint:region==west');
  assert.equal(await nodeOf(m, hardWins), node2.name);

  // With a hard one no node meets, the second pass fails, listing every constraint as given (without the ~). The
  // label form keeps their order: the docker CLI (28) may send several -e entries rotated.
  const name = fresh();
  const refused = await m.docker([
    'run',
    '-d',
    '--name',
    name,
    '--label',
    `com.docker.swarm.constraints=["node==~${node1.name}","region==north"]`,
    'busybox',
  ]);
  assert.equal(daemonError(refused), unsatisfied('available container slots', `node==${node1.name} region==north`));
  // In the env form the same, in whichever order the CLI sent them.
  const envForm = await m.docker([
    'create',
    '--name',
    name,
    '-e',
    `constraint:node==~${node1.name}`,
    '-e',
    'constraint:region==north',
    'busybox',
  ]);
  assert.ok(
    [`node==${node1.name} region==north`, `region==north node==${node1.name}`]
      .map((line) => unsatisfied('available container slots', line))
      .includes(daemonError(envForm)),
    envForm.stderr,
  );
  assert.ok(await existsNowhere(name));
});

test('whitelist: the node name must be one of the |-separated names', async (t) => {
  if (!m) return t.skip('no engines');
  const avoided = await spreadAvoids(m, node1.name, node2.name);
  const listed = await run('-e', `whitelist:node==${avoided}|${prefix}other`);
  assert.equal(await nodeOf(m, listed), avoided);
  const name = fresh();
  const refused = await m.docker(['create', '--name', name, '-e', `whitelist:node==${prefix}a|${prefix}b`, 'busybox']);
  assert.equal(
    daemonError(refused),
    unsatisfied('available container slots', `node==${prefix}a|${prefix}b (soft=false)`),
  );
  assert.ok(await existsNowhere(name));
});
