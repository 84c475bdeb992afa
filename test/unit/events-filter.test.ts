// Cluster events: classic Swarm's decoration (node in `from`, in Actor.Attributes and as a `node` object), the
// manager's own events, the bounded history `since`/`until` replay from, and dockerd's event filters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventLog,
  decorate,
  eventFilter,
  managerEvent,
  type ClusterEvent,
  type EventNode,
} from '../../src/cluster/events.js';
import type { DockerEvent } from '../../src/engine/engine.js';
import { isManagerError } from '../../src/errors.js';

const n1: EventNode = { Name: 'node-1', Id: 'N1-ID', Addr: '10.0.0.1:2375', Ip: '10.0.0.1' };
const n2: EventNode = { Name: 'node-2', Id: 'N2-ID', Addr: '10.0.0.2:2375', Ip: '10.0.0.2' };

function dockerEvent(
  type: string,
  action: string,
  id: string,
  attributes: Record<string, string> = {},
  extra: Partial<DockerEvent> = {},
): DockerEvent {
  return {
    Type: type,
    Action: action,
    status: action,
    id,
    Actor: { ID: id, Attributes: attributes },
    scope: 'local',
    time: 1_800_000_000,
    timeNano: 1_800_000_000_000_000_000,
    ...extra,
  };
}

const events: ClusterEvent[] = [
  decorate(
    dockerEvent('container', 'start', 'c0ffee01', { name: 'web', image: 'busybox', app: 'shop' }, { from: 'busybox' }),
    n1,
  ),
  decorate(
    dockerEvent(
      'container',
      'exec_start: sh -c true',
      'c0ffee01',
      { name: 'web', image: 'busybox' },
      { from: 'busybox' },
    ),
    n1,
  ),
  decorate(
    dockerEvent(
      'container',
      'die',
      'deadbeef',
      { name: 'db', image: 'postgres:16', exitCode: '1' },
      { from: 'postgres:16' },
    ),
    n2,
  ),
  decorate(dockerEvent('image', 'tag', 'sha256:1234', { name: 'busybox:latest' }), n2),
  decorate(dockerEvent('network', 'connect', 'net0001', { name: 'backend', container: 'deadbeef' }), n2),
  decorate(dockerEvent('volume', 'create', 'data', { driver: 'local' }), n1),
  managerEvent('engine_connect', n2),
];

function pick(filters: Record<string, string[]>): string[] {
  const accept = eventFilter(new Map(Object.entries(filters)));
  return events.filter(accept).map((e) => `${e.Type}:${e.Action}`);
}

describe('decorate', () => {
  it('adds the node to from, to Actor.Attributes and as a node object, leaving the original alone', () => {
    const original = dockerEvent('container', 'start', 'abc', { name: 'web' }, { from: 'busybox' });
    const out = decorate(original, n1);
    assert.equal(out.from, 'busybox node:node-1');
    assert.deepEqual(out.Actor?.Attributes, {
      name: 'web',
      'node.name': 'node-1',
      'node.id': 'N1-ID',
      'node.addr': '10.0.0.1:2375',
      'node.ip': '10.0.0.1',
    });
    assert.deepEqual(out.node, n1);
    assert.deepEqual(original.Actor?.Attributes, { name: 'web' });
    assert.equal(original.from, 'busybox');
  });

  it('leaves from out when the daemon sent none (non-container events)', () => {
    assert.equal('from' in decorate(dockerEvent('network', 'create', 'n'), n1), false);
  });
});

describe('managerEvent', () => {
  it('is a swarm event about a node, stamped now', () => {
    const before = Date.now();
    const event = managerEvent('engine_disconnect', n2);
    assert.equal(event.Type, 'swarm');
    assert.equal(event.Action, 'engine_disconnect');
    assert.equal(event.status, 'engine_disconnect');
    assert.equal(event.from, 'swarm node:node-2');
    assert.equal(event.Actor?.ID, 'N2-ID');
    assert.equal(event.Actor?.Attributes?.['node.name'], 'node-2');
    assert.ok(Math.abs(event.timeNano! / 1e6 - before) < 1000);
  });
});

describe('eventFilter', () => {
  it('passes everything without filters', () => {
    assert.equal(pick({}).length, events.length);
  });

  it('filters by type and by event (an exec action matches its bare name)', () => {
    assert.deepEqual(pick({ type: ['volume', 'image'] }), ['image:tag', 'volume:create']);
    assert.deepEqual(pick({ event: ['exec_start'] }), ['container:exec_start: sh -c true']);
    assert.deepEqual(pick({ type: ['container'], event: ['start', 'die'] }), ['container:start', 'container:die']);
  });

  it('filters by container ID, ID prefix or name; image by name with or without tag', () => {
    assert.deepEqual(pick({ container: ['web'] }), ['container:start', 'container:exec_start: sh -c true']);
    assert.deepEqual(pick({ container: ['deadbe'] }), ['container:die']);
    assert.deepEqual(pick({ image: ['postgres'] }), ['container:die']);
    assert.deepEqual(pick({ image: ['postgres:16'] }), ['container:die']);
    assert.deepEqual(pick({ image: ['sha256:1234'] }), ['image:tag']);
  });

  it('filters by network and volume, by label, and by node or daemon (name or ID)', () => {
    assert.deepEqual(pick({ network: ['backend'] }), ['network:connect']);
    assert.deepEqual(pick({ volume: ['data'] }), ['volume:create']);
    assert.deepEqual(pick({ label: ['app=shop'] }), ['container:start']);
    assert.deepEqual(pick({ label: ['exitCode'] }), ['container:die']);
    assert.deepEqual(pick({ node: ['node-1'] }), [
      'container:start',
      'container:exec_start: sh -c true',
      'volume:create',
    ]);
    assert.deepEqual(pick({ node: ['N2-ID'], type: ['swarm'] }), ['swarm:engine_connect']);
    assert.deepEqual(pick({ daemon: ['node-2'], type: ['network'] }), ['network:connect']);
    assert.deepEqual(pick({ scope: ['swarm'] }), []);
  });

  it('refuses an unknown key with a 400', () => {
    assert.throws(
      () => eventFilter(new Map([['colour', ['red']]])),
      (err) => isManagerError(err) && err.status === 400 && err.message === "Invalid filter 'colour'",
    );
  });
});

describe('EventLog', () => {
  it('replays the events between since and until, both included, at nanosecond precision', () => {
    const log = new EventLog();
    const at = (seconds: number, action: string) =>
      log.publish({ ...dockerEvent('container', action, 'x'), time: Math.floor(seconds), timeNano: seconds * 1e9 });
    at(100.2, 'a');
    at(100.7, 'b');
    at(101.5, 'c');
    at(103, 'd');
    const actions = (since: number, until?: number) => log.since(since, until).map((e) => e.Action);
    assert.deepEqual(actions(0), ['a', 'b', 'c', 'd']);
    assert.deepEqual(actions(100.5), ['b', 'c', 'd'], 'a fraction of a second counts');
    assert.deepEqual(actions(100.7, 101.5), ['b', 'c']);
    assert.deepEqual(actions(104), []);
  });

  it('stamps events that come without a time, and tells its listeners', () => {
    const log = new EventLog();
    const heard: ClusterEvent[] = [];
    log.on('event', (e) => heard.push(e));
    const before = Date.now() / 1000;
    log.publish({ Type: 'container', Action: 'start' });
    assert.equal(heard.length, 1);
    assert.ok(heard[0]!.time! >= Math.floor(before));
    assert.equal(heard[0]!.timeNano, heard[0]!.time! * 1e9);
  });

  it('keeps the most recent 10,000 events', () => {
    const log = new EventLog();
    for (let i = 0; i < 10_050; i++) log.publish({ Type: 'container', Action: String(i), time: i, timeNano: i * 1e9 });
    const kept = log.since(0);
    assert.equal(kept.length, 10_000);
    assert.equal(kept[0]!.Action, '50');
    assert.equal(kept.at(-1)!.Action, '10049');
  });
});
