// The port filter (classic Swarm's port_test.go), the host-IP rules, and pending reservations.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindsAllInterfaces } from '../../src/scheduler/host-ip.js';
import { pendingContainer, withPending } from '../../src/scheduler/pending.js';
import type { ContainerOnNode, NodeView } from '../../src/scheduler/types.js';
import { applyFilter, binding, ids, makeContainer, makeNode, makeRequest } from './helpers.js';

const threeNodes = () => [0, 1, 2].map((i) => makeNode({ id: `node-${i}-id` }));
const adding = (nodes: NodeView[], at: number, container: ContainerOnNode) =>
  nodes.map((node, i) => (i === at ? { ...node, containers: [...node.containers, container] } : node));
const bridge = (nodes: NodeView[], hostIp: string, hostPort: string) =>
  applyFilter('port', nodes, makeRequest({ portBindings: binding(hostIp, hostPort) }));

describe('port filter, bridge mode', () => {
  it('filters nothing when no port is requested or nothing is bound', () => {
    const nodes = threeNodes();
    assert.equal(applyFilter('port', nodes, makeRequest()).nodes, nodes);
    assert.equal(bridge(nodes, '', '80').nodes, nodes);
    const withOther = adding(nodes, 0, makeContainer({ id: 'c1', portBindings: binding('', '4242') }));
    assert.equal(bridge(withOther, '', '80').nodes, withOther);
  });

  it('drops the node where the port is taken', () => {
    const nodes = adding(threeNodes(), 0, makeContainer({ id: 'c1', portBindings: binding('', '80') }));
    assert.deepEqual(ids(bridge(nodes, '', '80').nodes), ['node-1-id', 'node-2-id']);
  });

  it('compares interfaces: same IP or either side on every interface conflicts', () => {
    let nodes = adding(threeNodes(), 0, makeContainer({ id: 'c1', portBindings: binding('', '80') }));
    assert.ok(!ids(bridge(nodes, '127.0.0.1', '80').nodes).includes('node-0-id'));
    nodes = adding(nodes, 1, makeContainer({ id: 'c2', portBindings: binding('127.0.0.1', '4242') }));
    assert.ok(!ids(bridge(nodes, '127.0.0.1', '4242').nodes).includes('node-1-id'));
    assert.ok(!ids(bridge(nodes, '0.0.0.0', '4242').nodes).includes('node-1-id'));
    assert.ok(!ids(bridge(nodes, '', '4242').nodes).includes('node-1-id'));
    assert.ok(ids(bridge(nodes, '192.168.1.1', '4242').nodes).includes('node-1-id'));
  });

  it('sees dynamically assigned ports in NetworkSettings.Ports', () => {
    const container = makeContainer({
      id: 'c1',
      portBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] },
      publishedPorts: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '1234' }] },
    });
    const nodes = adding(threeNodes(), 0, container);
    assert.equal(bridge(nodes, '', '80').nodes, nodes);
    assert.ok(!ids(bridge(nodes, '', '1234').nodes).includes('node-0-id'));
  });

  it('counts stopped containers, whose bindings come back on restart', () => {
    const nodes = adding(threeNodes(), 2, makeContainer({ id: 'c', state: 'exited', portBindings: binding('', '80') }));
    assert.deepEqual(ids(bridge(nodes, '', '80').nodes), ['node-0-id', 'node-1-id']);
  });

  it('ignores the protocol: 53/udp and 53/tcp share the host port', () => {
    const nodes = adding(
      threeNodes(),
      0,
      makeContainer({ id: 'dns', portBindings: { '53/udp': [{ HostIp: '', HostPort: '53' }] } }),
    );
    assert.ok(!ids(bridge(nodes, '', '53').nodes).includes('node-0-id'));
  });

  it('lets a request without a host port anywhere', () => {
    const nodes = adding(threeNodes(), 0, makeContainer({ id: 'c1', portBindings: binding('', '80') }));
    const request = makeRequest({ portBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } });
    assert.equal(applyFilter('port', nodes, request).nodes, nodes);
  });

  it('fails with the bridge-mode listing', () => {
    const nodes = threeNodes().map((node) => ({
      ...node,
      containers: [makeContainer({ id: `c-${node.id}`, portBindings: binding('', '80') })],
    }));
    assert.equal(
      bridge(nodes, '', '80').error,
      'Unable to find a node that satisfies the following conditions \n[port 80 (Bridge mode)]',
    );
  });

  it('sees a pending container’s requested ports, so two placements cannot both take the port', () => {
    const request = makeRequest({ portBindings: binding('', '8080') });
    const [only] = threeNodes();
    const reserved = withPending(only as NodeView, pendingContainer(request, { id: 'pending-1', name: 'web' }));
    assert.ok(applyFilter('port', [reserved], request).error);
  });
});

describe('port filter, host mode', () => {
  it('drops nodes where a host-network container exposes the port', () => {
    const hostContainer = makeContainer({ id: 'c1', networkMode: 'host', exposedPorts: ['80'] });
    const nodes = adding(threeNodes(), 0, hostContainer);
    const request = makeRequest({ networkMode: 'host', exposedPorts: ['80'] });
    assert.deepEqual(ids(applyFilter('port', nodes, request).nodes), ['node-1-id', 'node-2-id']);
  });

  it('ignores bridge containers exposing the same port', () => {
    const nodes = adding(threeNodes(), 0, makeContainer({ id: 'c1', exposedPorts: ['80/tcp'] }));
    const request = makeRequest({ networkMode: 'host', exposedPorts: ['80/tcp'] });
    assert.equal(applyFilter('port', nodes, request).nodes, nodes);
  });

  it('fails with the host-mode listing', () => {
    const request = makeRequest({ networkMode: 'host', exposedPorts: ['80/tcp'] });
    const nodes = [
      makeNode({ id: 'n', containers: [makeContainer({ id: 'c', networkMode: 'host', exposedPorts: ['80/tcp'] })] }),
    ];
    assert.equal(
      applyFilter('port', nodes, request).error,
      'Unable to find a node that satisfies the following conditions \n[port 80/tcp (Host mode)]',
    );
  });

  it('counts pending host-network containers (classic Swarm did not)', () => {
    const request = makeRequest({ networkMode: 'host', exposedPorts: ['80/tcp'] });
    const reserved = withPending(makeNode({ id: 'n' }), pendingContainer(request, { id: 'p1' }));
    assert.ok(applyFilter('port', [reserved], request).error);
  });
});

describe('binding every interface', () => {
  it('is an empty IP or any spelling of the unspecified address', () => {
    for (const ip of ['', '0.0.0.0', '::', '0:0::0', '0:0:0:0:0:0:0:0', '::ffff:0.0.0.0', '::0.0.0.0']) {
      assert.ok(bindsAllInterfaces(ip), ip);
    }
  });

  it('is not a real address, nor something that does not parse', () => {
    for (const ip of ['127.0.0.1', '::1', '0.0.0.1', '00.0.0.0', 'localhost', '::ffff:0.0.0.1', '1::', ':::']) {
      assert.ok(!bindsAllInterfaces(ip), ip);
    }
  });
});
