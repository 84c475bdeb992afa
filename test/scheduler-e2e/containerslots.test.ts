// The containerslots filter through the native driver, on the live CI engines: node-2 gets the engine label
// `containerslots=N` (N = its container count + 1) in its daemon.json and reloads it on SIGHUP; a manager that
// re-reads /info every second or two picks the label up; one more container pinned to node-2 is accepted, the next
// is refused. The label is taken out again in `after`, whatever happened: left in place it would cap every other
// suite's use of node-2 (.ci/services.sh also drops one left behind by a killed run, after a few minutes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ENGINES, IN_CI, needEngines } from '../helpers/services.js';
import { dockerCli } from '../helpers/docker-cli.js';
import {
  startTestManager,
  removeContainersNamed,
  uniquePrefix,
  eventually,
  type TestManager,
} from '../helpers/manager.js';
import {
  engineIdentities,
  nodeOf,
  nodeCounts,
  nodeStatus,
  daemonError,
  unsatisfied,
  existsNowhere,
} from './helpers.js';

// node-2 as .ci/services.sh starts it: its /etc/docker is /etc/docker-node2 inside its own mount namespace.
const NODE2_ADDRESS = 'tcp://127.0.0.1:2385';
const NODE2_CONFIG = '/etc/docker-node2/daemon.json';
const NODE2_PIDFILE = '/var/run/docker-node2.pid';
const SLOTS = 'containerslots';
const FAST_REFRESH = { engineRefreshMinInterval: '1s', engineRefreshMaxInterval: '2s' };

const prefix = uniquePrefix('sched-slots');
let m: TestManager | undefined;
/** A manager with containerslots after the constraint filter, so that slots are what leaves no node. */
let slotsLast: TestManager | undefined;
let node2 = '';
let touched = false;
let seq = 0;
const fresh = () => `${prefix}${seq++}`;

before(async () => {
  if (!(await needEngines())) return;
  if (ENGINES[1] !== NODE2_ADDRESS || !existsSync(NODE2_CONFIG) || !existsSync(NODE2_PIDFILE)) {
    const reason = `node-2 is not the engine .ci/services.sh starts (${NODE2_CONFIG}, ${NODE2_PIDFILE})`;
    if (IN_CI) throw new Error(reason);
    process.stderr.write(`# skipping: ${reason}\n`);
    return;
  }
  node2 = (await engineIdentities())[1].name;
  m = await startTestManager(FAST_REFRESH);
  slotsLast = await startTestManager({ ...FAST_REFRESH, filter: ['health', 'port', 'constraint', SLOTS] });
});

after(async () => {
  try {
    // Give node-2 its labels back first: other suites are using it.
    if (touched) await setSlots(undefined);
  } finally {
    await m?.close();
    await slotsLast?.close();
    await removeContainersNamed(prefix);
  }
});

/** Rewrites node-2's daemon.json with `containerslots=<value>` (or without it), reloads it, waits for the daemon. */
async function setSlots(value: number | string | undefined): Promise<void> {
  touched = true;
  // Re-read the file each time: .ci/services.sh of a concurrent run may have rewritten it.
  const config = JSON.parse(readFileSync(NODE2_CONFIG, 'utf8')) as { labels?: string[] };
  const labels = (config.labels ?? []).filter((l) => !l.startsWith(`${SLOTS}=`));
  config.labels = value === undefined ? labels : [...labels, `${SLOTS}=${value}`];
  writeFileSync(`${NODE2_CONFIG}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  renameSync(`${NODE2_CONFIG}.tmp`, NODE2_CONFIG);
  process.kill(Number(readFileSync(NODE2_PIDFILE, 'utf8').trim()), 'SIGHUP');
  const wanted = JSON.stringify([...config.labels].sort());
  await eventually(async () => {
    const shown = JSON.parse(await dockerCli(NODE2_ADDRESS).ok(['info', '--format', '{{json .Labels}}'])) as string[];
    return JSON.stringify([...(shown ?? [])].sort()) === wanted;
  }, 10_000);
}

/** Waits until the manager's `docker info` shows node-2 with this slot label (its periodic /info refresh). */
async function managerSees(manager: TestManager, value: number | string): Promise<void> {
  await eventually(
    async () => (await nodeStatus(manager, node2, 'Labels'))?.split(', ').includes(`${SLOTS}=${value}`),
    15_000,
  );
}

test('containerslots=N on node-2: one more container is accepted there, the next one refused', async (t) => {
  if (!m || !slotsLast) return t.skip('node-2 is not the CI engine');
  // Other runs add and remove containers on node-2 all the time (the Mesos suites do, every few seconds). Each
  // attempt sets the label from the count the manager sees, checks, and starts over if that count moved under it:
  // an outcome is only judged when node-2 held exactly the containers it was expected to.
  const count = async () => (await nodeCounts(m!)).get(node2);
  let retried = '';
  const retry = (why: string) => {
    retried = why;
    t.diagnostic(`retrying: ${why}`);
  };
  for (let attempt = 1; ; attempt++) {
    assert.ok(attempt <= 5, `node-2's container count kept changing under the test; last: ${retried}`);
    const before = await count();
    assert.ok(before !== undefined, 'the manager does not show node-2');
    const slots = before + 1;
    await setSlots(slots);
    await managerSees(m, slots);
    await managerSees(slotsLast, slots);
    if ((await count()) !== before) {
      retry(`count moved from ${before} while the label was picked up`);
      continue;
    }

    const accepted = fresh();
    const one = await m.docker([
      'run',
      '-d',
      '--name',
      accepted,
      '-e',
      `constraint:node==${node2}`,
      'busybox',
      'sleep',
      '300',
    ]);
    if (one.code !== 0) {
      // Refused: right only if someone else's container took the slot meanwhile.
      const now = await count();
      assert.notEqual(now, before, `refused with a free slot: ${one.stderr}`);
      retry(`the free slot was taken by another container (${before} → ${now} of ${slots})`);
      continue;
    }
    assert.equal(await nodeOf(m, accepted), node2);
    const after = await count();
    if (after !== slots) {
      await m.docker(['rm', '-f', accepted]);
      retry(`${after} containers after filling the last of ${slots} slots`);
      continue;
    }

    // Full: the slots filter drops node-2, the constraint then drops the rest.
    const refused = fresh();
    const pinned = await m.docker(['create', '--name', refused, '-e', `constraint:node==${node2}`, 'busybox']);
    // With containerslots after the constraint, it is the slots filter that leaves nothing.
    const last = await slotsLast.docker([
      'create',
      '--name',
      `${refused}l`,
      '-e',
      `constraint:node==${node2}`,
      'busybox',
    ]);
    // Not pinned, a container goes to node-1, which has no slot limit, whatever spread would prefer.
    const spilled = fresh();
    await m.docker.ok(['create', '--name', spilled, 'busybox']);
    const spilledTo = await nodeOf(m, spilled);
    const full = await count();
    if (full !== slots || pinned.code === 0 || last.code === 0 || spilledTo === node2) {
      // A slot came free meanwhile (or the filter is broken: then the next attempts fail the same way).
      await m.docker(['rm', '-f', accepted, refused, `${refused}l`, spilled]);
      retry(
        `placed on a full node? pinned ${pinned.code}, slots-last ${last.code}, spilled to ${spilledTo}, ${full} of ${slots}`,
      );
      continue;
    }
    assert.equal(daemonError(pinned), unsatisfied('available container slots', `node==${node2}`));
    assert.equal(daemonError(last), unsatisfied(`node==${node2}`, 'available container slots'));
    assert.ok(await existsNowhere(refused));
    return;
  }
});

test('a containerslots label that is not a number means no limit', async (t) => {
  if (!m) return t.skip('node-2 is not the CI engine');
  // Go's strconv.Atoi refuses it, and classic Swarm then ignores the label.
  await setSlots('foo');
  await managerSees(m, 'foo');
  for (let i = 0; i < 2; i++) {
    const name = fresh();
    await m.docker.ok(['create', '--name', name, '-e', `constraint:node==${node2}`, 'busybox']);
    assert.equal(await nodeOf(m, name), node2);
  }
  await setSlots(undefined);
});
