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

  it('refuses the flags of features not built yet, saying so', () => {
    assert.throws(() => build({ replication: true }), /--replication.*not supported yet/);
    assert.throws(() => build({ advertise: '10.0.0.1:4375' }), /not supported yet/);
    assert.throws(() => build({ replicationTtl: '30s' }), /not supported yet/);
    assert.throws(() => build({ discoveryOpt: ['kv.path=x'] }), /--discovery-opt "kv\.path=x" is not supported yet/);
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
