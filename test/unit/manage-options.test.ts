// `mesoswarm manage` flags → ManageConfig: classic `swarm manage`'s start-up checks (heartbeat, refresh intervals,
// failure retry, TLS file rules), -H parsing with SWARM_HOST and the default, SWARM_DISCOVERY, and our refusals of
// flags whose feature is not built yet.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManageConfig, parseListenAddress, DEFAULT_HOST, type ManageFlags } from '../../src/cli/options.js';

const DEFAULTS: ManageFlags = {
  strategy: 'spread',
  clusterDriver: 'swarm',
  heartbeat: '60s',
  engineRefreshMinInterval: '30s',
  engineRefreshMaxInterval: '60s',
  engineFailureRetry: '3',
};
const build = (
  flags: Partial<ManageFlags> = {},
  discovery: string | undefined = 'h1:2375',
  env: NodeJS.ProcessEnv = {},
) => buildManageConfig({ ...DEFAULTS, ...flags }, discovery, env);

describe('buildManageConfig', () => {
  it('turns classic swarm manage’s defaults into milliseconds and listen addresses', () => {
    const config = build();
    assert.equal(DEFAULT_HOST, 'tcp://127.0.0.1:4375');
    assert.deepEqual(config.hosts, [{ kind: 'tcp', host: '127.0.0.1', port: 4375 }]);
    assert.equal(config.heartbeatMs, 60_000);
    assert.equal(config.engineRefreshMinMs, 30_000);
    assert.equal(config.engineRefreshMaxMs, 60_000);
    assert.equal(config.engineFailureRetry, 3);
    assert.equal(config.clusterDriver, 'swarm');
    assert.equal(config.filters, undefined, 'no --filter: the scheduler’s default list');
    assert.equal(config.tls, undefined);
    assert.equal(config.cors, false);
    assert.equal(config.discovery, 'h1:2375');
    assert.equal(config.clusterOptions.get('swarm.overcommit'), 0.05);
  });

  it('takes -H (repeatable) over SWARM_HOST over the default', () => {
    assert.deepEqual(build({}, 'h:1', { SWARM_HOST: 'tcp://0.0.0.0:3375' }).hosts, [
      { kind: 'tcp', host: '0.0.0.0', port: 3375 },
    ]);
    assert.deepEqual(
      build({ host: ['127.0.0.1:0', 'unix:///tmp/m.sock'] }, 'h:1', { SWARM_HOST: 'tcp://0.0.0.0:3375' }).hosts,
      [
        { kind: 'tcp', host: '127.0.0.1', port: 0 },
        { kind: 'unix', path: '/tmp/m.sock' },
      ],
    );
  });

  it('reads the discovery from the argument, else SWARM_DISCOVERY', () => {
    const discovery = (argument: string | undefined, env: NodeJS.ProcessEnv) =>
      buildManageConfig(DEFAULTS, argument, env).discovery;
    assert.equal(discovery(undefined, { SWARM_DISCOVERY: 'nodes://h:1' }), 'nodes://h:1');
    assert.equal(discovery('h:2', { SWARM_DISCOVERY: 'nodes://h:1' }), 'h:2');
    assert.equal(discovery(undefined, {}), undefined, 'none: the local engine');
  });

  it('splits comma-separated --filter values', () => {
    assert.deepEqual(build({ filter: ['health, port', 'constraint'] }).filters, ['health', 'port', 'constraint']);
  });

  it('passes --cluster-opt through the catalogue, so a bad key stops the build', () => {
    assert.equal(build({ clusterOpt: ['swarm.createretry=2'] }).clusterOptions.get('swarm.createretry'), 2);
    assert.throws(() => build({ clusterOpt: ['swarm.overcomit=0.1'] }), /unknown --cluster-opt "swarm\.overcomit"/);
  });

  it('makes classic swarm manage’s start-up checks', () => {
    const cases: [Partial<ManageFlags>, RegExp][] = [
      [{ heartbeat: '500ms' }, /--heartbeat should be at least one second/],
      [{ heartbeat: '60' }, /invalid --heartbeat "60": expected a duration/],
      // Classic Swarm's wording first (scripts grep for it), then the flags as given.
      [
        { engineRefreshMinInterval: '0s' },
        /min refresh interval should be a positive number \(--engine-refresh-min-interval "0s"\)$/,
      ],
      [
        { engineRefreshMinInterval: '2m' },
        /max refresh interval cannot be less than min refresh interval \(--engine-refresh-max-interval "60s", --engine-refresh-min-interval "2m"\)$/,
      ],
      [{ engineFailureRetry: '0' }, /invalid failure retry count: --engine-failure-retry "0" should be a positive/],
      [{ engineFailureRetry: 'x' }, /invalid failure retry count: --engine-failure-retry "x"/],
      [{ engineRefreshRetry: '5' }, /--engine-refresh-retry is deprecated; use --engine-failure-retry/],
      [{ clusterDriver: 'kubernetes' }, /unsupported cluster "kubernetes"/],
      [{ host: ['unix://relative.sock'] }, /the socket path must be absolute/],
      [{ host: ['http://127.0.0.1:80'] }, /expected tcp:\/\/host:port or unix:\/\/\/path/],
    ];
    for (const [flags, pattern] of cases) assert.throws(() => build(flags), pattern, JSON.stringify(flags));
    assert.equal(
      build({ engineRefreshRetry: '3' }).engineFailureRetry,
      3,
      'the deprecated flag at its default is harmless',
    );
  });

  it('checks the replication flags: --advertise and ZooKeeper are needed, the election path is derived once', () => {
    assert.throws(() => build({ replication: true }), /--replication needs --advertise host:port/);
    assert.throws(() => build({ advertise: '10.0.0.1:4375' }), /--advertise needs --replication/);
    assert.throws(() => build({ replicationTtl: '30s' }), /--replication-ttl needs --replication/);
    const zk = 'zk://127.0.0.1:2181/swarm';
    assert.throws(
      () => build({ replication: true, advertise: '10.0.0.1:4375' }, '127.0.0.1:2375'),
      /leader election needs ZooKeeper: with --replication the swarm driver takes a zk:\/\/host:2181\/path discovery/,
    );
    assert.throws(() => build({ replication: true, advertise: 'nohost' }, zk), /invalid address "--advertise nohost"/);
    assert.throws(
      () => build({ replication: true, advertise: '10.0.0.1:4375', replicationTtl: '0s' }, zk),
      /--replication-ttl should be a positive duration/,
    );
    const native = build({ replication: true, advertise: 'tcp://10.0.0.1:4375' }, zk).replication;
    assert.deepEqual(native, {
      advertise: '10.0.0.1:4375',
      ttlMs: 20_000,
      servers: '127.0.0.1:2181',
      path: '/swarm/docker/swarm/leader',
    });
    const mesos = (opts: string[], master: string) =>
      build(
        { replication: true, advertise: '10.0.0.1:4375', clusterDriver: 'mesos-experimental', clusterOpt: opts },
        master,
      ).replication;
    assert.throws(
      () => mesos([], '127.0.0.1:5050'),
      /leader election needs ZooKeeper: .*--cluster-opt mesos\.zk=zk:\/\/host:2181 with a host:port master/,
    );
    assert.equal(mesos(['mesos.name=fw1'], 'zk://u:p@10.0.0.9:2181/mesos')?.path, '/mesoswarm/fw1/leader');
    assert.deepEqual(mesos([], 'zk://u:p@10.0.0.9:2181/mesos')?.auth, { user: 'u', password: 'p' });
    assert.equal(mesos(['mesos.zk=zk://10.0.0.8:2181'], '127.0.0.1:5050')?.servers, '10.0.0.8:2181');
    assert.equal(mesos(['mesos.zk=zk://10.0.0.8:2181/ha/lead'], '127.0.0.1:5050')?.path, '/ha/lead');
    assert.equal(mesos(['mesos.leaderpath=/x/y'], 'zk://10.0.0.9:2181/mesos')?.path, '/x/y');
    assert.throws(() => mesos(['mesos.leaderpath=x/'], 'zk://10.0.0.9:2181/mesos'), /expected an absolute znode path/);
    assert.equal(build({}).replication, undefined);
  });

  it('refuses flags that are not needed, saying why', () => {
    assert.throws(
      () => build({ discoveryOpt: ['kv.path=x'] }),
      /--discovery-opt "kv\.path=x" is not supported: zk:\/\//,
    );
    assert.throws(() => build({ discoveryOpt: ['kvpath'] }), /invalid --discovery-opt "kvpath": expected key=value/);
    assert.throws(() => build({ refreshOnNodeFilter: true }), /not needed/);
  });

  it('applies the TLS file rules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mst-tls-'));
    try {
      for (const name of ['cert.pem', 'key.pem', 'ca.pem']) await writeFile(join(dir, name), `${name}\n`);
      const files = { tlscert: join(dir, 'cert.pem'), tlskey: join(dir, 'key.pem'), tlscacert: join(dir, 'ca.pem') };
      assert.throws(() => build({ tlscert: files.tlscert }), /need --tls or --tlsverify/);
      assert.throws(() => build({ tls: true, tlscert: files.tlscert }), /need --tlscert and --tlskey/);
      assert.throws(
        () => build({ tlsverify: true, tlscert: files.tlscert, tlskey: files.tlskey }),
        /--tlsverify needs --tlscacert/,
      );
      assert.throws(
        () => build({ tls: true, tlscert: join(dir, 'missing.pem'), tlskey: files.tlskey }),
        /cannot read --tlscert ".*missing\.pem"/,
      );
      const tls = build({ tls: true, tlscert: files.tlscert, tlskey: files.tlskey }).tls;
      assert.equal(tls?.verify, false);
      assert.equal(tls?.cert.toString(), 'cert.pem\n');
      assert.equal(tls?.ca, undefined);
      const verified = build({ tlsverify: true, ...files }).tls;
      assert.equal(verified?.verify, true);
      assert.equal(verified?.ca?.toString(), 'ca.pem\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseListenAddress', () => {
  it('reads tcp://host:port, bare host:port, [v6]:port and unix:///path', () => {
    assert.deepEqual(parseListenAddress('tcp://0.0.0.0:2375'), { kind: 'tcp', host: '0.0.0.0', port: 2375 });
    assert.deepEqual(parseListenAddress('127.0.0.1:4375/'), { kind: 'tcp', host: '127.0.0.1', port: 4375 });
    assert.deepEqual(parseListenAddress('[::1]:4375'), { kind: 'tcp', host: '::1', port: 4375 });
    assert.deepEqual(parseListenAddress('unix:///var/run/mesoswarm.sock'), {
      kind: 'unix',
      path: '/var/run/mesoswarm.sock',
    });
    assert.throws(() => parseListenAddress('localhost'), /expected host:port/);
  });
});
