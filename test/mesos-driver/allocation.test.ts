// Carving containers out of an agent's held offers: fixed-point scalars, reserved roles first, named and dynamic
// host ports, only the offers drawn on, and classic Swarm's resource rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OfferPool, portNeeds, resourceNeed } from '../../src/cluster/mesos/allocation.js';
import type { Offer, Resource } from '../../src/mesos/index.js';

function offer(id: string, resources: Resource[]): Offer {
  return { id: { value: id }, framework_id: { value: 'F' }, agent_id: { value: 'S0' }, hostname: 'a1', resources };
}
const scalar = (name: string, value: number, role = '*'): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  role,
});
const ports = (begin: number, end: number): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: [{ begin, end }] },
  role: '*',
});

test('a container takes exactly what it needs; the pool shrinks; one that does not fit changes nothing', () => {
  const pool = new OfferPool('S0', [offer('O1', [scalar('cpus', 1), scalar('mem', 256), ports(31000, 31001)])]);
  const a = pool.allocate({ cpus: 0.1, memMb: 64, ports: [] })!;
  assert.deepEqual(
    a.resources.map((r) => [r.name, r.scalar?.value]),
    [
      ['cpus', 0.1],
      ['mem', 64],
    ],
  );
  assert.deepEqual([...a.offerIds], ['O1']);
  assert.equal(pool.cpus, 0.9);
  assert.equal(pool.memoryBytes, 192 * 1024 * 1024);
  assert.equal(pool.allocate({ cpus: 1, memMb: 1, ports: [] }), undefined);
  assert.equal(pool.cpus, 0.9, 'a refused allocation takes nothing');
});

test('fixed point: ten containers of 0.1 CPU fit exactly in 1 CPU', () => {
  const pool = new OfferPool('S0', [offer('O1', [scalar('cpus', 1), scalar('mem', 1000)])]);
  for (let i = 0; i < 10; i++) assert.ok(pool.allocate({ cpus: 0.1, memMb: 1, ports: [] }), `container ${i}`);
  assert.equal(pool.allocate({ cpus: 0.1, memMb: 1, ports: [] }), undefined);
});

test('named host ports must be offered; dynamic ones take the first free; ports are not given twice', () => {
  const pool = new OfferPool('S0', [offer('O1', [scalar('cpus', 4), scalar('mem', 4096), ports(31000, 31002)])]);
  assert.equal(pool.allocate({ cpus: 0.1, memMb: 1, ports: [['80/tcp', 8080]] }), undefined, '8080 is not offered');
  const named = pool.allocate({ cpus: 0.1, memMb: 1, ports: [['80/tcp', 31001]] })!;
  assert.equal(named.hostPorts.get('80/tcp'), 31001);
  const dynamic = pool.allocate({
    cpus: 0.1,
    memMb: 1,
    ports: [
      ['80/tcp', undefined],
      ['443/tcp', undefined],
    ],
  })!;
  assert.deepEqual([...dynamic.hostPorts.values()], [31000, 31002]);
  assert.equal(pool.allocate({ cpus: 0.1, memMb: 1, ports: [['22/tcp', undefined]] }), undefined, 'no port left');
});

test('only the offers a container draws on are used; reserved resources go first, with their role', () => {
  const pool = new OfferPool('S0', [
    offer('O1', [scalar('cpus', 1), scalar('mem', 100)]),
    offer('O2', [scalar('cpus', 1, 'web'), scalar('mem', 100, 'web')]),
  ]);
  const a = pool.allocate({ cpus: 0.5, memMb: 50, ports: [] })!;
  assert.deepEqual([...a.offerIds], ['O2']);
  assert.ok(a.resources.every((r) => r.role === 'web'));
  const b = pool.allocate({ cpus: 1, memMb: 100, ports: [] })!;
  assert.deepEqual([...b.offerIds].sort(), ['O1', 'O2'], 'the rest of the reservation, then unreserved');
});

test('property: allocations never exceed what was offered', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 4000 })), { maxLength: 40 }),
      (asks) => {
        const pool = new OfferPool('S0', [offer('O1', [scalar('cpus', 4), scalar('mem', 8192)])]);
        let cpus = 0;
        let mem = 0;
        for (const [milliCpus, memMb] of asks) {
          const got = pool.allocate({ cpus: milliCpus / 1000, memMb, ports: [] });
          if (got) {
            cpus += milliCpus;
            mem += memMb;
          }
        }
        return cpus <= 4000 && mem <= 8192;
      },
    ),
  );
});

test('classic rule: a container must ask for CPUs or memory, unless defaults are configured', () => {
  const none = { defaultCpus: undefined, defaultMemMb: undefined };
  assert.throws(
    () => resourceNeed({ Image: 'b' }, none),
    /resources constraints \(-c and\/or -m\) are required by mesos/,
  );
  assert.deepEqual(resourceNeed({ Image: 'b', HostConfig: { CpuShares: 1.5 } }, none), {
    cpus: 1.5,
    memMb: 0,
    ports: [],
  });
  assert.equal(resourceNeed({ Image: 'b', HostConfig: { NanoCpus: 250_000_000 } }, none).cpus, 0.25);
  assert.equal(resourceNeed({ Image: 'b', HostConfig: { Memory: 20 * 1024 * 1024 } }, none).memMb, 20);
  assert.deepEqual(resourceNeed({ Image: 'b' }, { defaultCpus: 0.1, defaultMemMb: 64 }), {
    cpus: 0.1,
    memMb: 64,
    ports: [],
  });
});

test('port needs: named, dynamic, -P for every exposed port, ranges refused', () => {
  assert.deepEqual(
    portNeeds({
      Image: 'b',
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] }, PublishAllPorts: true } as never,
    }),
    [
      ['80/tcp', 8080],
      ['53/udp', undefined],
    ],
  );
  assert.throws(
    () => portNeeds({ Image: 'b', HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8000-8005' }] } } }),
    /port ranges are not supported/,
  );
});
