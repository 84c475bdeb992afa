// The create body a rescheduled container is made again from, read back from its inspect data: the same config,
// labels and HostConfig, without what dockerd derived for the old copy (its short ID as hostname and network
// alias), and CpuShares back in the CPUs the client asked for when the driver had turned them into real shares.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recreateConfig } from '../../src/cluster/swarm/recreate-config.js';
import type { ContainerDetails } from '../../src/engine/engine.js';

const ID = 'abcdef0123456789'.padEnd(64, '0');

function inspected(overrides: { Config?: object; HostConfig?: object; Networks?: object }): ContainerDetails {
  return {
    Id: ID,
    Name: '/web',
    Config: {
      Hostname: ID.slice(0, 12),
      Image: 'busybox',
      Cmd: ['sleep', '300'],
      Env: ['PATH=/bin', 'A=1'],
      Labels: { 'com.docker.swarm.id': 'swarm-1', 'com.docker.swarm.reschedule-policies': '["on-node-failure"]' },
      ...overrides.Config,
    },
    HostConfig: { NetworkMode: 'default', CpuShares: 0, Memory: 64 << 20, ...overrides.HostConfig },
    NetworkSettings: { Networks: overrides.Networks ?? {} },
  } as unknown as ContainerDetails;
}

describe('recreateConfig', () => {
  it('keeps config, labels (the Swarm ID too) and HostConfig; drops the hostname dockerd made up', () => {
    const body = recreateConfig(inspected({}), 2, 'cpus') as Record<string, unknown>;
    assert.equal(body.Image, 'busybox');
    assert.deepEqual(body.Cmd, ['sleep', '300']);
    assert.deepEqual(body.Env, ['PATH=/bin', 'A=1']);
    assert.equal((body.Labels as Record<string, string>)['com.docker.swarm.id'], 'swarm-1');
    assert.equal((body.HostConfig as Record<string, unknown>).Memory, 64 << 20);
    assert.ok(!('Hostname' in body), 'the old short ID is not the new container’s hostname');
    assert.ok(!('NetworkingConfig' in body));
  });

  it('keeps a hostname the client set', () => {
    const body = recreateConfig(inspected({ Config: { Hostname: 'db-host' } }), 2, 'cpus') as Record<string, unknown>;
    assert.equal(body.Hostname, 'db-host');
  });

  it('reads real shares back as the CPUs asked for (cpus), and leaves a weight as written', () => {
    const shares = (meaning: 'cpus' | 'weight', host: object) =>
      (recreateConfig(inspected({ HostConfig: host }), 4, meaning).HostConfig as Record<string, unknown>).CpuShares;
    // One CPU of a 4-CPU engine ran as 256 shares.
    assert.equal(shares('cpus', { CpuShares: 256 }), 1);
    assert.equal(shares('weight', { CpuShares: 256 }), 256);
    assert.equal(shares('cpus', { CpuShares: 256, NanoCpus: 1e9 }), 256, '--cpus is exact; shares are left alone');
    assert.equal(shares('cpus', { CpuShares: 0 }), 0);
  });

  it('keeps the primary user network’s aliases and address, without the old short ID', () => {
    const body = recreateConfig(
      inspected({
        HostConfig: { NetworkMode: 'backend' },
        Networks: {
          backend: { Aliases: ['web', ID.slice(0, 12)], IPAMConfig: { IPv4Address: '10.1.0.5' }, Links: null },
        },
      }),
      2,
      'cpus',
    ) as Record<string, unknown>;
    assert.deepEqual(body.NetworkingConfig, {
      EndpointsConfig: { backend: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.1.0.5' }, Links: undefined } },
    });
    const bridged = recreateConfig(
      inspected({ HostConfig: { NetworkMode: 'bridge' }, Networks: { bridge: { Aliases: null } } }),
      2,
      'cpus',
    ) as Record<string, unknown>;
    assert.ok(!('NetworkingConfig' in bridged), 'the built-in networks need no endpoint settings');
  });
});
