// The `docker run` parameters a framework may pass in DockerInfo.parameters, turned into the Engine API create
// request the way the docker CLI would (no engine needed): every flag the manager's TaskInfo builder emits is
// understood, and a flag the CLI does not know still fails like the CLI ("unknown flag", exit 125 in the executor).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCreateOptions, type RunOptions } from './docker-run.js';

function options(additionalOptions: string[], network = 'bridge'): RunOptions {
  return {
    privileged: false,
    env: [],
    volumes: [],
    network,
    portMappings: [],
    name: 'mesos-test',
    additionalOptions,
    image: 'busybox',
    arguments: ['sleep', '1'],
  };
}

function create(additionalOptions: string[], network?: string) {
  const result = toCreateOptions(options(additionalOptions, network));
  if ('cliError' in result) throw new Error(result.cliError);
  return result.create;
}

test('tty, domain name, links, volumes-from, mounts and network aliases become their create fields', () => {
  const c = create(
    [
      '--tty=true',
      '--domainname=example.test',
      '--link=mesos-db:db',
      '--link=mesos-cache',
      '--volumes-from=mesos-data:ro',
      '--mount=type=bind,source=/tmp,target=/host-tmp,readonly',
      '--network-alias=web',
      '--network-alias=www',
    ],
    'appnet',
  );
  assert.equal(c.Tty, true);
  assert.equal(c.Domainname, 'example.test');
  assert.deepEqual(c.HostConfig?.Links, ['mesos-db:db', 'mesos-cache:mesos-cache']);
  assert.deepEqual(c.HostConfig?.VolumesFrom, ['mesos-data:ro']);
  assert.deepEqual(c.HostConfig?.Mounts, [{ Type: 'bind', Source: '/tmp', Target: '/host-tmp', ReadOnly: true }]);
  assert.deepEqual(c.NetworkingConfig, { EndpointsConfig: { appnet: { Aliases: ['web', 'www'] } } });
});

test('health checks and resource flags: durations in nanoseconds, sizes in bytes', () => {
  const c = create([
    '--health-cmd=wget -q -O- localhost',
    '--health-interval=1500ms',
    '--health-timeout=2s',
    '--health-start-period=1m30s',
    '--health-retries=4',
    '--pids-limit=64',
    '--memory-swappiness=10',
    '--kernel-memory=64m',
    '--cpuset-mems=0',
    '--blkio-weight=300',
    '--cgroup-parent=/mesos',
  ]);
  assert.deepEqual(c.Healthcheck, {
    Test: ['CMD-SHELL', 'wget -q -O- localhost'],
    Interval: 1_500_000_000,
    Timeout: 2_000_000_000,
    StartPeriod: 90_000_000_000,
    Retries: 4,
  });
  const host = c.HostConfig as Record<string, unknown>;
  assert.equal(host.PidsLimit, 64);
  assert.equal(host.MemorySwappiness, 10);
  assert.equal(host.KernelMemory, 64 * 1024 * 1024);
  assert.equal(host.CpusetMems, '0');
  assert.equal(host.BlkioWeight, 300);
  assert.equal(host.CgroupParent, '/mesos');
  assert.deepEqual(create(['--no-healthcheck=true']).Healthcheck, { Test: ['NONE'] });
});

test('unknown flags and malformed values fail the way the docker CLI does', () => {
  assert.match(
    (toCreateOptions(options(['--no-such-flag=x'])) as { cliError: string }).cliError,
    /^unknown flag: --no-such-flag/,
  );
  assert.match(
    (toCreateOptions(options(['--health-interval=soon'])) as { cliError: string }).cliError,
    /invalid argument "soon" for "--health-interval" flag/,
  );
  assert.match(
    (toCreateOptions(options(['--mount=type=bind,source=/tmp'])) as { cliError: string }).cliError,
    /target is required/,
  );
});
