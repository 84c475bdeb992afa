// `docker ps --filter` over the manager's records: dockerd's keys and value checks, plus classic Swarm's `node`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerPredicate, impliesAll, parseFilters, type Filterable } from '../../src/cluster/container-filters.js';
import type { ContainerDetails } from '../../src/engine/engine.js';
import { isManagerError } from '../../src/errors.js';

interface Spec {
  id: string;
  name: string;
  node?: string;
  status?: string;
  exitCode?: number;
  created: string;
  labels?: Record<string, string>;
  image?: string;
  imageId?: string;
  health?: string;
  mounts?: { Name?: string; Destination: string }[];
  networks?: Record<string, { NetworkID: string }>;
  ports?: Record<string, { HostIp: string; HostPort: string }[] | null>;
  exposed?: string[];
}

function container(spec: Spec): Filterable {
  const node = spec.node ?? 'node-1';
  const status = spec.status ?? 'running';
  const details = {
    Id: spec.id,
    Name: `/${spec.name}`,
    Created: spec.created,
    Image: spec.imageId ?? 'sha256:1111',
    State: {
      Status: status,
      Running: status === 'running' || status === 'paused',
      Paused: status === 'paused',
      ExitCode: spec.exitCode ?? 0,
      ...(spec.health ? { Health: { Status: spec.health } } : {}),
    },
    Config: {
      Image: spec.image ?? 'busybox',
      Labels: spec.labels ?? {},
      ExposedPorts: Object.fromEntries((spec.exposed ?? []).map((p) => [p, {}])),
    },
    Mounts: spec.mounts ?? [],
    NetworkSettings: { Networks: spec.networks ?? {}, Ports: spec.ports ?? {} },
  } as unknown as ContainerDetails;
  return {
    id: spec.id,
    names: [`/${node}/${spec.name}`],
    nodeName: node,
    nodeId: `${node.toUpperCase()}-ID`,
    details,
    labels: spec.labels ?? {},
  };
}

const fleet = [
  container({
    id: 'aaa111',
    name: 'web',
    created: '2026-01-01T00:00:01Z',
    labels: { app: 'shop', tier: 'front' },
    ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
    exposed: ['80/tcp'],
    networks: { bridge: { NetworkID: 'net0001' } },
  }),
  container({
    id: 'aaa222',
    name: 'db',
    node: 'node-2',
    created: '2026-01-01T00:00:02Z',
    labels: { app: 'shop' },
    mounts: [{ Name: 'data', Destination: '/var/lib/db' }],
    health: 'healthy',
    networks: { backend: { NetworkID: 'net0002' } },
  }),
  container({
    id: 'bbb333',
    name: 'job',
    node: 'node-2',
    status: 'exited',
    exitCode: 3,
    created: '2026-01-01T00:00:03Z',
    image: 'registry:5000/tools:1.0',
    imageId: 'sha256:2222abcd',
    labels: { 'com.docker.swarm.task': '' },
  }),
  container({ id: 'bbb444', name: 'done', node: 'node-10', status: 'exited', created: '2026-01-01T00:00:04Z' }),
  container({ id: 'ccc555', name: 'nap', status: 'paused', created: '2026-01-01T00:00:05Z', health: 'unhealthy' }),
];

const byName = (ref: string) => fleet.find((c) => c.id === ref || c.names[0]!.endsWith(`/${ref}`));
function select(filters: Record<string, string[]>): string[] {
  const keep = containerPredicate(new Map(Object.entries(filters)), byName);
  return fleet.filter(keep).map((c) => c.names[0]!.split('/').pop()!);
}
const refused = (pattern: RegExp) => (err: unknown) =>
  isManagerError(err) && err.status === 400 && pattern.test(err.message);

describe('parseFilters', () => {
  it('reads the list form and the legacy map form', () => {
    assert.deepEqual(
      parseFilters('{"name":["web","db"],"label":{"app=shop":true,"x":false}}'),
      new Map([
        ['name', ['web', 'db']],
        ['label', ['app=shop']],
      ]),
    );
    assert.deepEqual(parseFilters(null), new Map());
    assert.deepEqual(parseFilters(''), new Map());
  });

  it('refuses what is not a filter object', () => {
    for (const raw of ['nope', '[1]', 'null', '"x"', '{"name":"web"}', '{"name":3}']) {
      assert.throws(() => parseFilters(raw), refused(/^invalid filter: /), raw);
    }
  });
});

describe('containerPredicate', () => {
  it('filters by id prefix and by name (a regular expression, with or without the node)', () => {
    assert.deepEqual(select({ id: ['aaa'] }), ['web', 'db']);
    assert.deepEqual(select({ id: ['bbb333'] }), ['job']);
    assert.deepEqual(select({ name: ['^db$'] }), ['db']);
    assert.deepEqual(select({ name: ['^node-2/'] }), ['db', 'job']);
    assert.deepEqual(select({ name: ['^d'] }), ['db', 'done']);
    assert.deepEqual(select({ name: ['web', 'nap'] }), ['web', 'nap'], 'several values: any of them');
  });

  it('filters by label key or key=value, all of them', () => {
    assert.deepEqual(select({ label: ['app'] }), ['web', 'db']);
    assert.deepEqual(select({ label: ['app=shop', 'tier=front'] }), ['web']);
    assert.deepEqual(select({ label: ['app=other'] }), []);
  });

  it('filters by status, exit code and health', () => {
    assert.deepEqual(select({ status: ['exited'] }), ['job', 'done']);
    assert.deepEqual(select({ status: ['paused', 'running'] }), ['web', 'db', 'nap']);
    assert.deepEqual(select({ exited: ['3'] }), ['job']);
    assert.deepEqual(select({ exited: ['0'] }), ['done']);
    assert.deepEqual(select({ health: ['healthy'] }), ['db']);
    assert.deepEqual(select({ health: ['none'] }), ['web', 'job', 'done']);
  });

  it('filters by ancestor: name with or without tag, image ID prefix', () => {
    assert.deepEqual(select({ ancestor: ['busybox'] }), ['web', 'db', 'done', 'nap']);
    assert.deepEqual(select({ ancestor: ['busybox:latest'] }), ['web', 'db', 'done', 'nap']);
    assert.deepEqual(select({ ancestor: ['registry:5000/tools:1.0'] }), ['job']);
    assert.deepEqual(select({ ancestor: ['sha256:2222'] }), ['job']);
  });

  it('filters by before and since (creation time of the container named)', () => {
    assert.deepEqual(select({ before: ['job'] }), ['web', 'db']);
    assert.deepEqual(select({ since: ['job'] }), ['done', 'nap']);
    assert.deepEqual(select({ since: ['web'], before: ['nap'] }), ['db', 'job', 'done']);
    assert.throws(() => select({ before: ['ghost'] }), refused(/No such container: ghost/));
  });

  it('filters by volume, network, published and exposed port, is-task', () => {
    assert.deepEqual(select({ volume: ['data'] }), ['db']);
    assert.deepEqual(select({ volume: ['/var/lib/db'] }), ['db']);
    assert.deepEqual(select({ network: ['backend'] }), ['db']);
    assert.deepEqual(select({ network: ['net0001'] }), ['web']);
    assert.deepEqual(select({ publish: ['8080'] }), ['web']);
    assert.deepEqual(select({ publish: ['8080/udp'] }), []);
    assert.deepEqual(select({ expose: ['80/tcp'] }), ['web']);
    assert.deepEqual(select({ 'is-task': ['true'] }), ['job']);
    assert.deepEqual(select({ 'is-task': ['false'] }).length, 4);
  });

  it('filters by node name (globs) or node ID, as classic Swarm did', () => {
    assert.deepEqual(select({ node: ['node-2'] }), ['db', 'job']);
    assert.deepEqual(select({ node: ['node-1*'] }), ['web', 'done', 'nap']);
    assert.deepEqual(select({ node: ['NODE-10-ID'] }), ['done']);
    assert.deepEqual(select({ node: ['node-1', 'node-10'] }), ['web', 'done', 'nap']);
  });

  it('refuses unknown keys and bad values with dockerd’s wording', () => {
    assert.throws(() => select({ colour: ['red'] }), refused(/^Invalid filter 'colour'$/));
    assert.throws(() => select({ status: ['sleeping'] }), refused(/^Invalid filter 'status=sleeping'$/));
    assert.throws(() => select({ health: ['great'] }), refused(/health: great/));
    assert.throws(() => select({ exited: ['x'] }), refused(/exited=x/));
    assert.throws(() => select({ 'is-task': ['maybe'] }), refused(/is-task=maybe/));
    assert.throws(() => select({ name: ['('] }), refused(/name=\(/));
  });
});

describe('impliesAll', () => {
  it('is true for status and exited filters only (dockerd lists stopped containers for them without -a)', () => {
    assert.equal(impliesAll(new Map([['status', ['exited']]])), true);
    assert.equal(impliesAll(new Map([['exited', ['0']]])), true);
    assert.equal(
      impliesAll(
        new Map([
          ['name', ['x']],
          ['label', ['a']],
        ]),
      ),
      false,
    );
    assert.equal(impliesAll(new Map([['status', []]])), false);
  });
});
