// `docker info` with replication: the role lines replace the driver's own `Role: primary`, in both the list form
// and the preserialized JSON the Mesos driver keeps; a replica's figures drop the leader's role lines for its own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withRoleStatus } from '../../src/ha/info.js';
import type { Replication } from '../../src/ha/replication.js';
import type { ClusterInfo } from '../../src/cluster/cluster.js';

const members = [
  { node: 'n_0000000001', address: '10.0.0.1:4375' },
  { node: 'n_0000000002', address: '10.0.0.2:4375' },
];
const view = (serving: boolean) => ({ serving, primary: members[0]!.address, members }) as unknown as Replication;
const status: [string, string][] = [
  ['Role', 'primary'],
  ['Strategy', 'spread'],
  ['Nodes', '2'],
];
const figures: ClusterInfo = {
  containers: 1,
  running: 1,
  paused: 0,
  stopped: 0,
  images: 0,
  cpus: 2,
  memory: 1,
  systemStatus: status,
};

describe('withRoleStatus', () => {
  it('puts the leader’s role and the managers first, in place of the driver’s Role line', () => {
    const out = withRoleStatus(figures, view(true)).systemStatus;
    assert.deepEqual(out, [
      ['Role', 'primary'],
      ['Managers', '2'],
      [' └ 10.0.0.1:4375', 'primary'],
      [' └ 10.0.0.2:4375', 'replica'],
      ['Strategy', 'spread'],
      ['Nodes', '2'],
    ]);
  });

  it('says replica and names the primary on a replica', () => {
    const out = withRoleStatus(figures, view(false)).systemStatus;
    assert.deepEqual(out.slice(0, 2), [
      ['Role', 'replica'],
      ['Primary', '10.0.0.1:4375'],
    ]);
    assert.equal(out.filter(([k]) => k === 'Role').length, 1);
  });

  it('rewrites the preserialized JSON the same way', () => {
    const out = withRoleStatus({ ...figures, systemStatusJson: JSON.stringify(status) }, view(true));
    assert.deepEqual(JSON.parse(out.systemStatusJson!), out.systemStatus);
    const bare = withRoleStatus({ ...figures, systemStatus: [], systemStatusJson: '[]' }, view(false));
    assert.deepEqual(JSON.parse(bare.systemStatusJson!), bare.systemStatus);
  });
});
