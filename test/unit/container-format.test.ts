// How containers are shown: wildcard port bindings made concrete only where that is true (the node address's family),
// dockerd's dual-stack copies folded, and the Status column.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  inspectWithNode,
  portSummaries,
  publicBindings,
  publicIp,
  statusText,
} from '../../src/cluster/container-format.js';
import type { ContainerDetails } from '../../src/engine/engine.js';

const b = (HostIp: string, HostPort: string) => ({ HostIp, HostPort });

describe('publicIp', () => {
  it('makes a wildcard of the node address’s family the node’s address', () => {
    assert.equal(publicIp('0.0.0.0', '10.0.0.5'), '10.0.0.5');
    assert.equal(publicIp('', '10.0.0.5'), '10.0.0.5');
    assert.equal(publicIp(undefined, '10.0.0.5'), '10.0.0.5');
    assert.equal(publicIp('::', 'fd00::5'), 'fd00::5');
  });

  it('leaves a wildcard of the other family as dockerd reported it', () => {
    assert.equal(publicIp('::', '10.0.0.5'), '::');
    assert.equal(publicIp('0.0.0.0', 'fd00::5'), '0.0.0.0');
  });

  it('uses a node known by hostname for both families, and keeps explicit addresses', () => {
    assert.equal(publicIp('::', 'node-1.example'), 'node-1.example');
    assert.equal(publicIp('0.0.0.0', 'node-1.example'), 'node-1.example');
    assert.equal(publicIp('127.0.0.1', '10.0.0.5'), '127.0.0.1');
    assert.equal(publicIp('::1', '10.0.0.5'), '::1');
  });
});

describe('publicBindings', () => {
  it('folds dockerd’s IPv6 copy of a port published on the node’s address', () => {
    assert.deepEqual(publicBindings([b('0.0.0.0', '8080'), b('::', '8080')], '10.0.0.5'), [b('10.0.0.5', '8080')]);
    assert.deepEqual(publicBindings([b('0.0.0.0', '8080'), b('::', '8080')], 'node-1.example'), [
      b('node-1.example', '8080'),
    ]);
  });

  it('keeps an IPv6 binding with a host port of its own (`-p 80` can publish 32769 and 32768)', () => {
    assert.deepEqual(publicBindings([b('0.0.0.0', '32769'), b('::', '32768')], '10.0.0.5'), [
      b('10.0.0.5', '32769'),
      b('::', '32768'),
    ]);
  });

  it('keeps explicit addresses and passes null through', () => {
    assert.deepEqual(publicBindings([b('127.0.0.1', '9000')], '10.0.0.5'), [b('127.0.0.1', '9000')]);
    assert.equal(publicBindings(null, '10.0.0.5'), null);
    assert.equal(publicBindings(undefined, '10.0.0.5'), null);
  });
});

function details(
  ports: Record<string, { HostIp: string; HostPort: string }[] | null>,
  exposed: string[] = [],
): ContainerDetails {
  return {
    NetworkSettings: { Ports: ports },
    Config: { ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])) },
  } as unknown as ContainerDetails;
}

describe('portSummaries', () => {
  it('lists published ports at reachable addresses and exposed ones without a host side', () => {
    const summary = portSummaries(
      details({ '80/tcp': [b('0.0.0.0', '8080'), b('::', '8080')], '53/udp': [b('::', '5353')], '443/tcp': null }, [
        '9000/tcp',
      ]),
      '10.0.0.5',
    );
    assert.deepEqual(summary, [
      { IP: '10.0.0.5', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '::', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
      { PrivatePort: 443, Type: 'tcp' },
      { PrivatePort: 9000, Type: 'tcp' },
    ]);
  });
});

describe('inspectWithNode', () => {
  it('adds the Node object and rewrites the bindings the same way, leaving the input alone', () => {
    const node = { ID: 'N1', IP: '10.0.0.5', Addr: '10.0.0.5:2375', Name: 'node-1', Cpus: 2, Memory: 1024, Labels: {} };
    const input = { Id: 'abc', NetworkSettings: { Ports: { '80/tcp': [b('0.0.0.0', '8080'), b('::', '8080')] } } };
    const out = inspectWithNode(input, node);
    assert.deepEqual(out.Node, node);
    assert.deepEqual((out.NetworkSettings as { Ports: unknown }).Ports, { '80/tcp': [b('10.0.0.5', '8080')] });
    assert.equal(input.NetworkSettings.Ports['80/tcp'].length, 2);
  });
});

describe('statusText', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const state = (s: Record<string, unknown>) => s as unknown as ContainerDetails['State'];
  it('words states as docker ps does', () => {
    assert.equal(statusText(state({ Running: true, StartedAt: '2026-01-01T11:59:55Z' }), now), 'Up 5 seconds');
    assert.equal(
      statusText(state({ Running: true, Paused: true, StartedAt: '2026-01-01T11:00:00Z' }), now),
      'Up About an hour (Paused)',
    );
    assert.equal(
      statusText(state({ Running: true, StartedAt: '2026-01-01T11:58:00Z', Health: { Status: 'healthy' } }), now),
      'Up 2 minutes (healthy)',
    );
    assert.equal(
      statusText(state({ Running: true, StartedAt: '2026-01-01T11:59:59Z', Health: { Status: 'starting' } }), now),
      'Up 1 second (health: starting)',
    );
    assert.equal(
      statusText(
        state({ Status: 'exited', ExitCode: 3, StartedAt: '2026-01-01T11:00:00Z', FinishedAt: '2026-01-01T11:58:00Z' }),
        now,
      ),
      'Exited (3) 2 minutes ago',
    );
    assert.equal(statusText(state({ Status: 'created', StartedAt: '0001-01-01T00:00:00Z' }), now), 'Created');
    assert.equal(statusText(state({ Status: 'dead', Dead: true, StartedAt: '2026-01-01T11:00:00Z' }), now), 'Dead');
    assert.equal(statusText(state({ Running: true, StartedAt: '2026-01-01T11:00:00Z' }), now, true), 'Host Down');
  });
});
