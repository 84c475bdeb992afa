// How a mesos-mode container shows in `docker ps`: its entry is serialised once per change and only its Status moves
// with the clock; the cached text must follow every change of the container, its node's address and its health.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MesosContainer, dockerDetail } from '../../src/cluster/mesos/container.js';
import type { ContainerDetails } from '../../src/engine/engine.js';
import { ContainerStore } from '../../src/cluster/mesos/store.js';
import { EventLog } from '../../src/cluster/events.js';

/** One container's `docker ps` entry as text, as the list sends it. */
function summaryJson(c: MesosContainer, nodeIp: string, nodeDown: boolean, now = Date.now()): string {
  const parts: Buffer[] = [];
  c.summaryParts(parts, nodeIp, nodeDown, now);
  return Buffer.concat(parts).toString('utf8');
}

function running(): MesosContainer {
  const startedAt = new Date(Date.now() - 90_000).toISOString();
  const c = new MesosContainer({
    id: 'c'.repeat(64),
    name: 'web',
    config: { Image: 'busybox', Cmd: ['sleep', '60'], Labels: { app: 'x' } },
    created: new Date(Date.now() - 120_000).toISOString(),
    restartCount: 0,
    task: { taskId: 'web.1', phase: 'running', agentId: 'S1', nodeName: 'agent-1', startedAt },
  });
  const inspect = {
    Id: 'd'.repeat(64),
    Created: c.created,
    Path: 'sleep',
    Args: ['60'],
    Image: 'sha256:' + 'e'.repeat(64),
    State: {
      Status: 'running',
      Running: true,
      Paused: false,
      StartedAt: startedAt,
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    Config: { Image: 'busybox' },
    NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '31000' }] }, Networks: {} },
  } as unknown as ContainerDetails;
  Object.assign(c.task!, dockerDetail(inspect));
  return c;
}

test('the docker ps entry is valid JSON with a Status that follows the clock', () => {
  const c = running();
  const now = Date.now();
  const entry = JSON.parse(summaryJson(c, '10.0.0.1', false, now)) as Record<string, unknown>;
  assert.equal(entry.Id, c.id);
  assert.deepEqual(entry.Names, ['/agent-1/web']);
  assert.equal(entry.Command, 'sleep 60');
  assert.equal(entry.State, 'running');
  assert.equal(entry.Status, 'Up About a minute');
  assert.deepEqual(entry.Ports, [{ IP: '10.0.0.1', PrivatePort: 80, PublicPort: 31000, Type: 'tcp' }]);
  assert.equal((entry.Labels as Record<string, string>).app, 'x');
  const later = JSON.parse(summaryJson(c, '10.0.0.1', false, now + 3 * 3_600_000)) as Record<string, unknown>;
  assert.equal(later.Status, 'Up 3 hours');
});

test('the cached entry follows a rename, a new node address and a node going down', async () => {
  const c = running();
  const first = summaryJson(c, '10.0.0.1', false);
  assert.equal(summaryJson(c, '10.0.0.1', false), first, 'unchanged container, same text');
  await new ContainerStore(new EventLog(), () => ({ Name: '', Id: '', Addr: '', Ip: '' })).rename(c, 'api');
  assert.deepEqual((JSON.parse(summaryJson(c, '10.0.0.1', false)) as { Names: string[] }).Names, ['/agent-1/api']);
  const moved = JSON.parse(summaryJson(c, '10.0.0.2', false)) as { Ports: { IP: string }[] };
  assert.equal(moved.Ports[0]!.IP, '10.0.0.2');
  const down = JSON.parse(summaryJson(c, '10.0.0.2', true)) as { State: string; Status: string };
  assert.deepEqual([down.State, down.Status], ['unknown', 'Host Down']);
});
