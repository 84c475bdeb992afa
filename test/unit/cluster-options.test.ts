// `--cluster-opt key=value`: every key belongs to one driver, has a kind its value must parse as, an environment
// fallback and a default. Unlike classic Swarm, a misspelt key or an unparsable value stops start-up with a message
// naming the key (classic Swarm kept the default silently, its issue #1401).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterOptions, CLUSTER_OPTIONS } from '../../src/cluster/options.js';

const swarm = (...pairs: string[]) => parseClusterOptions('swarm', pairs, {});
const mesos = (pairs: string[], env: NodeJS.ProcessEnv = {}) => parseClusterOptions('mesos-experimental', pairs, env);

describe('parseClusterOptions', () => {
  it('fills each driver’s defaults, and only its own keys', () => {
    const s = swarm();
    assert.deepEqual(Object.fromEntries(s), {
      'swarm.overcommit': 0.05,
      'swarm.createretry': 0,
      'swarm.cpushares': 'cpus',
      'swarm.rescheduletimeout': 30_000,
    });
    const m = mesos([]);
    assert.equal(m.get('mesos.tasktimeout'), 5_000);
    assert.equal(m.get('mesos.offertimeout'), 30_000);
    assert.equal(m.get('mesos.failovertimeout'), 7 * 24 * 3_600_000);
    assert.equal(m.get('mesos.name'), 'swarm');
    assert.equal(m.get('mesos.role'), '*');
    assert.equal(m.get('mesos.checkpointfailover'), true, 'unlike classic Swarm: tasks survive an agent restart');
    assert.ok(!m.has('mesos.user' as never) || m.get('mesos.user') === '');
    assert.ok(![...m.keys()].some((k) => k.startsWith('swarm.')));
    assert.ok(!m.has('mesos.defaultcpus'), 'no default: a container must ask for resources');
    assert.equal(m.get('mesos.cpushares'), 'cpus', 'CpuShares is a number of CPUs, as in classic Swarm');
    assert.equal(mesos([], { SWARM_MESOS_CPU_SHARES: 'weight' }).get('mesos.cpushares'), 'weight');
    assert.throws(() => mesos(['mesos.cpushares=half']), /mesos\.cpushares: expected cpus or weight/);
  });

  it('parses each kind of value', () => {
    const m = mesos([
      'mesos.tasktimeout=10m',
      'mesos.offerrefusetimeout=1.5s',
      'mesos.port=3375',
      'mesos.checkpointfailover=false',
      'mesos.address=0.0.0.0',
      'mesos.user=root',
      'mesos.defaultcpus=0.5',
      'mesos.defaultmem=64',
    ]);
    assert.equal(m.get('mesos.tasktimeout'), 600_000);
    assert.equal(m.get('mesos.offerrefusetimeout'), 1_500);
    assert.equal(m.get('mesos.port'), 3375);
    assert.equal(m.get('mesos.checkpointfailover'), false);
    assert.equal(m.get('mesos.address'), '0.0.0.0');
    assert.equal(m.get('mesos.user'), 'root');
    assert.equal(m.get('mesos.defaultcpus'), 0.5);
    assert.equal(swarm('swarm.overcommit=-0.5').get('swarm.overcommit'), -0.5);
    assert.equal(swarm('swarm.createretry=2').get('swarm.createretry'), 2);
    assert.equal(swarm('swarm.rescheduletimeout=1m30s').get('swarm.rescheduletimeout'), 90_000);
    assert.equal(swarm('swarm.rescheduletimeout=0').get('swarm.rescheduletimeout'), 0);
    assert.throws(() => swarm('swarm.rescheduletimeout=30'), /swarm\.rescheduletimeout: expected a duration/);
    for (const [raw, value] of [
      ['1', true],
      ['T', true],
      ['False', false],
      ['0', false],
    ] as const) {
      assert.equal(mesos([`mesos.checkpointfailover=${raw}`]).get('mesos.checkpointfailover'), value, raw);
    }
  });

  it('keeps everything after the first = as the value, and trims the key', () => {
    assert.equal(mesos([' mesos.secret =a=b=c']).get('mesos.secret'), 'a=b=c');
  });

  it('refuses a misspelt key, suggesting the nearest one', () => {
    assert.throws(
      () => swarm('swarm.overcomit=0.1'),
      /^Error: unknown --cluster-opt "swarm\.overcomit" \(did you mean "swarm\.overcommit"\?\)$/,
    );
    assert.throws(() => mesos(['mesos.tasktimout=1m']), /did you mean "mesos\.tasktimeout"/);
  });

  it('refuses an unknown key far from every known one, listing the known keys', () => {
    assert.throws(
      () => swarm('color=blue'),
      (err: Error) => {
        assert.match(err.message, /^unknown --cluster-opt "color"; known keys: /);
        for (const key of Object.keys(CLUSTER_OPTIONS)) assert.ok(err.message.includes(key));
        return true;
      },
    );
  });

  it('refuses a key of the other driver', () => {
    assert.throws(() => swarm('mesos.user=root'), /"mesos\.user" belongs to the mesos-experimental driver, not swarm/);
    assert.throws(() => mesos(['swarm.overcommit=0.1']), /"swarm\.overcommit" belongs to the swarm driver/);
  });

  it('refuses a pair without a key or without =', () => {
    assert.throws(() => swarm('swarm.overcommit'), /invalid --cluster-opt "swarm\.overcommit": expected key=value/);
    assert.throws(() => swarm('=1'), /invalid --cluster-opt "=1"/);
  });

  it('refuses a value that does not parse, naming key, value and what was expected', () => {
    const cases: [string, RegExp][] = [
      ['swarm.overcommit=lots', /invalid value "lots" for --cluster-opt swarm\.overcommit: expected a number/],
      ['swarm.overcommit=', /invalid value "" for --cluster-opt swarm\.overcommit: expected a number/],
      // Classic Swarm's wording for values out of bounds (scripts grep for it), then where the value came from.
      [
        'swarm.overcommit=-1',
        /swarm\.overcommit should be larger than -1, -1\.000000 is invalid \(--cluster-opt swarm\.overcommit\)$/,
      ],
      [
        'swarm.createretry=-1',
        /swarm\.createretry can not be negative, -1 is invalid \(--cluster-opt swarm\.createretry\)$/,
      ],
      ['swarm.createretry=two', /swarm\.createretry: expected an integer/],
    ];
    for (const [pair, pattern] of cases) assert.throws(() => swarm(pair), pattern, pair);
    const mesosCases: [string, RegExp][] = [
      ['mesos.tasktimeout=10', /mesos\.tasktimeout: expected a duration/],
      ['mesos.port=70000', /mesos\.port: must be a port number/],
      ['mesos.checkpointfailover=yes', /mesos\.checkpointfailover: expected true or false/],
      ['mesos.address=localhost', /mesos\.address: expected an IP address/],
      ['mesos.defaultcpus=0', /mesos\.defaultcpus: must be greater than 0/],
    ];
    for (const [pair, pattern] of mesosCases) assert.throws(() => mesos([pair]), pattern, pair);
  });

  it('refuses a negative duration as negative, not as unparsable', () => {
    assert.throws(() => mesos(['mesos.tasktimeout=-5s']), /mesos\.tasktimeout: expected a non-negative duration/);
  });

  it('falls back to the environment, and says so when that value is bad', () => {
    const m = mesos([], { SWARM_MESOS_USER: 'alice', SWARM_MESOS_TASK_TIMEOUT: '2m' });
    assert.equal(m.get('mesos.user'), 'alice');
    assert.equal(m.get('mesos.tasktimeout'), 120_000);
    assert.equal(mesos(['mesos.user=bob'], { SWARM_MESOS_USER: 'alice' }).get('mesos.user'), 'bob', 'the flag wins');
    assert.throws(
      () => mesos([], { SWARM_MESOS_OFFER_TIMEOUT: 'forever' }),
      /invalid value "forever" for SWARM_MESOS_OFFER_TIMEOUT \(for mesos\.offertimeout\)/,
    );
  });
});
