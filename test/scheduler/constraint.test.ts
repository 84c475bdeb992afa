// The constraint filter (classic Swarm's constraint_test.go), and node labels from Mesos agent attributes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { NodeView } from '../../src/scheduler/types.js';
import { applyFilter, GiB, ids, makeNode, makeRequest } from './helpers.js';

function fixtures(): NodeView[] {
  return [
    makeNode({ id: 'node-0-id', name: 'node-0-name', labels: { name: 'node0', group: '1', region: 'us-west' } }),
    makeNode({ id: 'node-1-id', name: 'node-1-name', labels: { name: 'node1', group: '1', region: 'us-east' } }),
    makeNode({ id: 'node-2-id', name: 'node-2-name', labels: { name: 'node2', group: '2', region: 'eu' } }),
    makeNode({ id: 'node-3-id', name: 'node-3-name' }),
  ];
}

const constrain = (nodes: NodeView[], ...env: string[]) =>
  applyFilter('constraint', nodes, makeRequest({ env: env.map((e) => `constraint:${e}`) }));

describe('constraint filter', () => {
  const nodes = fixtures();

  it('keeps every node without constraints (the same array, nothing allocated)', () => {
    assert.equal(applyFilter('constraint', nodes, makeRequest()).nodes, nodes);
  });

  it('fails when no node has the label', () => {
    assert.match(constrain(nodes, 'does_not_exist==true').error ?? '', /^Unable to find a node that satisfies/);
  });

  it('matches a label on a single node, or on a subset', () => {
    assert.deepEqual(ids(constrain(nodes, 'name==node1').nodes), ['node-1-id']);
    assert.deepEqual(ids(constrain(nodes, 'group==1').nodes), ['node-0-id', 'node-1-id']);
  });

  it('pins by node ID or node name', () => {
    assert.deepEqual(ids(constrain(nodes, 'node==node-2-id').nodes), ['node-2-id']);
    assert.deepEqual(ids(constrain(nodes, 'node==node-1-name').nodes), ['node-1-id']);
  });

  it('ANDs several constraints', () => {
    assert.deepEqual(ids(constrain(nodes, 'name==node0', 'group==1').nodes), ['node-0-id']);
  });

  it('anchors globs', () => {
    assert.ok(constrain(nodes, 'region==us').error);
    assert.equal(constrain(nodes, 'region==us*').nodes?.length, 2);
    assert.equal(constrain(nodes, 'region==*us*').nodes?.length, 2);
  });

  it('supports != (a missing label counts as "")', () => {
    assert.equal(constrain(nodes, 'name!=node0').nodes?.length, 3);
    assert.equal(constrain(nodes, 'name!=does_not_exist').nodes?.length, 4);
    assert.deepEqual(ids(constrain(nodes, 'name!=n*').nodes), ['node-3-id']);
    assert.deepEqual(ids(constrain(nodes, 'region!=us*').nodes), ['node-2-id', 'node-3-id']);
  });

  it('supports /regex/, with != and on node IDs', () => {
    assert.equal(constrain(nodes, 'name==/node\\d/').nodes?.length, 3);
    assert.equal(constrain(nodes, 'name==/node[12]/').nodes?.length, 2);
    assert.deepEqual(ids(constrain(nodes, 'name!=/node[12]/').nodes), ['node-0-id', 'node-3-id']);
    assert.deepEqual(ids(constrain(nodes, 'node!=/node-[01]-id/').nodes), ['node-2-id', 'node-3-id']);
  });

  it('is case-sensitive unless (?i)', () => {
    const odd = fixtures();
    odd[3] = makeNode({ id: 'node-3-id', name: 'node-3-name', labels: { name: 'aBcDeF', group: '2', region: 'eu' } });
    assert.ok(constrain(odd, 'name==/abcdef/').error);
    assert.deepEqual(ids(constrain(odd, 'name==/(?i)abcdef/').nodes), ['node-3-id']);
    assert.equal(constrain(odd, 'name!=/(?i)abc*/').nodes?.length, 3);
  });

  it('enforces soft constraints in the first pass', () => {
    assert.deepEqual(ids(constrain(nodes, 'node==~node-1-name').nodes), ['node-1-id']);
    assert.equal(constrain(nodes, 'name!=~/(?i)abc*/').nodes?.length, 4);
    assert.equal(constrain(nodes, 'region!=~us*').nodes?.length, 2);
    assert.equal(constrain(nodes, 'region!=~can*').nodes?.length, 4);
  });

  it('skips soft constraints in the second pass, keeps hard ones', () => {
    const request = makeRequest({ env: ['constraint:node==~node-1-name', 'constraint:group==2'] });
    assert.deepEqual(ids(applyFilter('constraint', nodes, request, false).nodes), ['node-2-id']);
  });

  it('does not read inherited object properties as labels', () => {
    assert.equal(constrain(nodes, 'constructor==*').nodes?.length, 4, '"" matches *');
    assert.equal(constrain(nodes, 'constructor!=/function/').nodes?.length, 4);
  });
});

describe('constraints through the scheduler (scheduler_test.go)', () => {
  it('a soft constraint that cannot be met with the resources is dropped', () => {
    const nodes = [
      makeNode({ id: 'node-0-id', totalMemory: GiB, totalCpus: 1, labels: { group: '1' } }),
      makeNode({ id: 'node-1-id', totalMemory: GiB, totalCpus: 2, labels: { group: '2' } }),
    ];
    const scheduler = new Scheduler({ strategy: 'spread', filters: ['constraint'] });
    const placement = scheduler.select(nodes, makeRequest({ env: ['constraint:group==~1'], memory: GiB, cpus: 2 }));
    assert.deepEqual(ids(placement.ordered()), ['node-1-id']);
    assert.equal(placement.softDropped, true);
  });

  it('places by ostype on a hybrid cluster', () => {
    const nodes = [
      makeNode({ id: 'node-0-id', totalMemory: GiB, totalCpus: 2, labels: { ostype: 'linux' } }),
      makeNode({ id: 'node-1-id', totalMemory: GiB, totalCpus: 2, labels: { ostype: 'windows' } }),
    ];
    const scheduler = new Scheduler({ strategy: 'spread', filters: ['constraint'] });
    const windows = scheduler.select(nodes, makeRequest({ env: ['constraint:ostype==windows'], memory: GiB, cpus: 2 }));
    assert.deepEqual(ids(windows.ordered()), ['node-1-id']);
    const linux = scheduler.select(nodes, makeRequest({ env: ['constraint:ostype==linux'], memory: GiB, cpus: 2 }));
    assert.deepEqual(ids(linux.ordered()), ['node-0-id']);
  });

  it('matches Mesos agent attributes, which mesos mode merges into the node labels', () => {
    // An agent started with --attributes="rack:r1;zone:eu-west-1a" on top of its engine labels.
    const agents = [
      makeNode({ id: 'agent-S0', name: 'host-a', labels: { ostype: 'linux', rack: 'r1', zone: 'eu-west-1a' } }),
      makeNode({ id: 'agent-S1', name: 'host-b', labels: { ostype: 'linux', rack: 'r2', zone: 'eu-west-1b' } }),
      makeNode({ id: 'agent-S2', name: 'host-c', labels: { ostype: 'linux', rack: 'r1', zone: 'eu-west-1b' } }),
    ];
    const scheduler = new Scheduler();
    const onRack = scheduler.select(agents, makeRequest({ env: ['constraint:rack==r1'] }));
    assert.deepEqual(ids(onRack.ordered()), ['agent-S0', 'agent-S2']);
    const both = scheduler.select(agents, makeRequest({ env: ['constraint:rack==r1', 'constraint:zone==*1b'] }));
    assert.deepEqual(ids(both.ordered()), ['agent-S2']);
    assert.equal(scheduler.select(agents, makeRequest({ env: ['constraint:node==agent-S1'] })).best.name, 'host-b');
  });
});
