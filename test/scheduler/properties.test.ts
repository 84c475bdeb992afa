// Property-based tests: each property is checked against a small independent oracle (plain arithmetic and set
// logic written here, not the scheduler's code) over generated clusters and requests.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isManagerError } from '../../src/errors.js';
import { pendingContainer, withPending } from '../../src/scheduler/pending.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { NodeView, PlacementRequest } from '../../src/scheduler/types.js';
import { binding, ids, makeContainer, makeNode, makeRequest } from './helpers.js';

const MiB = 1024 * 1024;
const LABEL_VALUES = ['a', 'b', 'c'] as const;
const PORTS = ['80', '443', '8080'] as const;

// ---- generators -------------------------------------------------------------------------------------------

const arbContainer = fc.record({
  port: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
  state: fc.constantFrom('running', 'exited', 'pending'),
});

const arbNode = fc.record({
  health: fc.constantFrom(0, 50, 100, 100),
  totalCpus: fc.integer({ min: 0, max: 16 }),
  usedCpus: fc.integer({ min: 0, max: 16 }),
  totalMemory: fc.integer({ min: 0, max: 64 * 1024 }).map((m) => m * MiB),
  usedMemory: fc.integer({ min: 0, max: 64 * 1024 }).map((m) => m * MiB),
  zone: fc.option(fc.constantFrom(...LABEL_VALUES), { nil: undefined }),
  disk: fc.option(fc.constantFrom(...LABEL_VALUES), { nil: undefined }),
  slots: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  containers: fc.array(arbContainer, { maxLength: 4 }),
});

type NodeSpec = typeof arbNode extends fc.Arbitrary<infer T> ? T : never;

function buildNodes(specs: readonly NodeSpec[]): NodeView[] {
  return specs.map((spec, i) => {
    const labels: Record<string, string> = {};
    if (spec.zone) labels.zone = spec.zone;
    if (spec.disk) labels.disk = spec.disk;
    if (spec.slots !== undefined) labels.containerslots = String(spec.slots);
    return makeNode({
      id: `node-${i}`,
      healthIndicator: spec.health,
      totalCpus: spec.totalCpus,
      usedCpus: spec.usedCpus,
      totalMemory: spec.totalMemory,
      usedMemory: spec.usedMemory,
      labels,
      containers: spec.containers.map((c, j) =>
        makeContainer({ id: `c-${i}-${j}`, state: c.state, portBindings: c.port ? binding('', c.port) : {} }),
      ),
    });
  });
}

interface Condition {
  key: 'zone' | 'disk';
  equal: boolean;
  value: string;
}
const arbCondition = fc.record({
  key: fc.constantFrom<'zone' | 'disk'>('zone', 'disk'),
  equal: fc.boolean(),
  value: fc.constantFrom(...LABEL_VALUES),
});
const conditionText = (c: Condition, soft: boolean) => `${c.key}${c.equal ? '==' : '!='}${soft ? '~' : ''}${c.value}`;

const arbRequest = fc.record({
  cpus: fc.integer({ min: 0, max: 8 }),
  memory: fc.integer({ min: 0, max: 16 * 1024 }).map((m) => m * MiB),
  port: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
  hard: fc.array(arbCondition, { maxLength: 2 }),
  soft: fc.array(arbCondition, { maxLength: 2 }),
});
type RequestSpec = typeof arbRequest extends fc.Arbitrary<infer T> ? T : never;

function buildRequest(spec: RequestSpec): PlacementRequest {
  return makeRequest({
    cpus: spec.cpus,
    memory: spec.memory,
    portBindings: spec.port ? binding('', spec.port) : {},
    env: [
      ...spec.hard.map((c) => `constraint:${conditionText(c, false)}`),
      ...spec.soft.map((c) => `constraint:${conditionText(c, true)}`),
    ],
  });
}

// ---- the oracle -------------------------------------------------------------------------------------------

const labelOf = (node: NodeView, key: string) => (Object.hasOwn(node.labels, key) ? node.labels[key] : '');
const meets = (node: NodeView, c: Condition) => (labelOf(node, c.key) === c.value) === c.equal;
const hostPortsOf = (node: NodeView) =>
  node.containers.flatMap((c) => Object.values(c.portBindings).flatMap((bs) => (bs ?? []).map((b) => b.HostPort)));

/** What each filter of the default list demands, for the requests generated here. */
function passesFilters(node: NodeView, spec: RequestSpec, conditions: readonly Condition[]): boolean {
  const slots = node.labels.containerslots;
  return (
    node.healthIndicator > 0 &&
    (spec.port === undefined || !hostPortsOf(node).includes(spec.port)) &&
    (slots === undefined || node.containers.length < Number(slots)) &&
    conditions.every((c) => meets(node, c))
  );
}

/** Room as classic Swarm counts it: within the total, and at most 100 in integer percent (exact, in BigInt). */
function hasRoom(node: NodeView, request: PlacementRequest): boolean {
  const fits = (used: number, wanted: number, total: number) =>
    wanted === 0 || (total >= wanted && ((BigInt(used) + BigInt(wanted)) * 100n) / BigInt(total) <= 100n);
  return (
    node.totalCpus >= request.cpus &&
    node.totalMemory >= request.memory &&
    fits(node.usedCpus, request.cpus, node.totalCpus) &&
    fits(node.usedMemory, request.memory, node.totalMemory)
  );
}

function trySelect(scheduler: Scheduler, nodes: readonly NodeView[], request: PlacementRequest) {
  try {
    return scheduler.select(nodes, request);
  } catch (err) {
    assert.ok(isManagerError(err) && err.status === 500, String(err));
    return undefined;
  }
}

const arbCluster = fc.array(arbNode, { minLength: 1, maxLength: 12 });
const RUNS = { numRuns: 300 };

// ---- properties -------------------------------------------------------------------------------------------

describe('properties', () => {
  for (const strategy of ['spread', 'binpack'] as const) {
    it(`${strategy} ranks exactly the nodes that pass the filters and have room`, () => {
      const scheduler = new Scheduler({ strategy });
      fc.assert(
        fc.property(
          arbCluster,
          arbRequest.map((r) => ({ ...r, soft: [] })),
          (specs, spec) => {
            const nodes = buildNodes(specs);
            const request = buildRequest(spec);
            const expected = nodes.filter((n) => passesFilters(n, spec, spec.hard) && hasRoom(n, request));
            const placement = trySelect(scheduler, nodes, request);
            assert.deepEqual(ids(placement?.ordered()).sort(), ids(expected).sort());
          },
        ),
        RUNS,
      );
    });
  }

  it('a soft expression never overrides a hard one, and is kept whenever it can be', () => {
    const scheduler = new Scheduler({ strategy: 'random', random: () => 0.5 });
    fc.assert(
      fc.property(arbCluster, arbRequest, (specs, spec) => {
        const nodes = buildNodes(specs);
        const placement = trySelect(scheduler, nodes, buildRequest(spec));
        const hardOnly = nodes.filter((n) => passesFilters(n, spec, spec.hard));
        const withSoft = hardOnly.filter((n) => spec.soft.every((c) => meets(n, c)));
        const chosen = placement?.ordered() ?? [];
        for (const node of chosen) for (const c of spec.hard) assert.ok(meets(node, c), `${node.id} breaks ${c.key}`);
        assert.deepEqual(ids(chosen).sort(), ids(withSoft.length > 0 ? withSoft : hardOnly).sort());
        assert.equal(
          placement?.softDropped ?? false,
          withSoft.length === 0 && hardOnly.length > 0 && spec.soft.length > 0,
        );
      }),
      RUNS,
    );
  });

  it('random respects every filter, and ignores resources', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) - 1) / 2147483646;
    const scheduler = new Scheduler({ strategy: 'random', random });
    fc.assert(
      fc.property(
        arbCluster,
        arbRequest.map((r) => ({ ...r, soft: [] })),
        (specs, spec) => {
          const nodes = buildNodes(specs);
          const placement = trySelect(scheduler, nodes, buildRequest(spec));
          const expected = nodes.filter((n) => passesFilters(n, spec, spec.hard));
          assert.deepEqual(ids(placement?.ordered()).sort(), ids(expected).sort());
          if (placement) assert.ok(expected.includes(placement.best));
        },
      ),
      RUNS,
    );
  });

  it('the order is deterministic for equal input, full ties in input order', () => {
    fc.assert(
      fc.property(arbCluster, arbRequest, fc.constantFrom('spread', 'binpack'), (specs, spec, strategy) => {
        const scheduler = new Scheduler({ strategy });
        const request = buildRequest(spec);
        const first = trySelect(scheduler, buildNodes(specs), request);
        const again = trySelect(scheduler, structuredClone(buildNodes(specs)), structuredClone(request));
        assert.deepEqual(ids(again?.ordered()), ids(first?.ordered()));
        assert.deepEqual(ids(again?.top(2)), ids(first?.ordered().slice(0, 2)));
        // Nodes identical but for their ID keep their input order.
        const twins = buildNodes([specs[0] as NodeSpec, specs[0] as NodeSpec, specs[0] as NodeSpec]);
        const ranked = trySelect(scheduler, twins, request);
        if (ranked) assert.deepEqual(ids(ranked.ordered()), ['node-0', 'node-1', 'node-2']);
      }),
      RUNS,
    );
  });

  it('reservations never oversubscribe CPUs, memory, slots or host ports', () => {
    fc.assert(
      fc.property(
        arbCluster,
        fc.array(
          arbRequest.map((r) => ({ ...r, hard: [], soft: [] })),
          { minLength: 1, maxLength: 25 },
        ),
        fc.constantFrom('spread', 'binpack'),
        (specs, requests, strategy) => {
          const scheduler = new Scheduler({ strategy });
          // Start from nodes that are not already oversubscribed, so every excess is the scheduler's doing.
          let nodes = buildNodes(specs).map((n) => ({
            ...n,
            usedCpus: Math.min(n.usedCpus, n.totalCpus),
            usedMemory: Math.min(n.usedMemory, n.totalMemory),
          }));
          // The oracle's own ledger of what each node has been given, independent of the views' used counters.
          const ledger = new Map(
            nodes.map((n) => [n.id, { cpus: n.usedCpus, memory: n.usedMemory, containers: n.containers.length }]),
          );
          const placedPorts = new Map<string, string[]>();
          requests.forEach((spec, k) => {
            const request = buildRequest(spec);
            const placement = trySelect(scheduler, nodes, request);
            if (!placement) return;
            const target = placement.best;
            const given = ledger.get(target.id);
            assert.ok(given);
            const wouldBe = (used: number, wanted: number, total: number) =>
              wanted === 0 ? 0 : Number(((BigInt(used) + BigInt(wanted)) * 100n) / BigInt(total));
            assert.ok(wouldBe(given.cpus, request.cpus, target.totalCpus) <= 100, `${target.id} CPUs oversubscribed`);
            assert.ok(
              wouldBe(given.memory, request.memory, target.totalMemory) <= 100,
              `${target.id} memory oversubscribed`,
            );
            const slots = target.labels.containerslots;
            if (slots !== undefined) assert.ok(given.containers < Number(slots), `${target.id} slots oversubscribed`);
            if (spec.port) {
              const taken = [...hostPortsOf(nodes.find((n) => n.id === target.id) as NodeView)];
              assert.ok(!taken.includes(spec.port), `${target.id} host port ${spec.port} bound twice`);
              placedPorts.set(target.id, [...(placedPorts.get(target.id) ?? []), spec.port]);
            }
            ledger.set(target.id, {
              cpus: given.cpus + request.cpus,
              memory: given.memory + request.memory,
              containers: given.containers + 1,
            });
            nodes = nodes.map((n) => (n === target ? withPending(n, pendingContainer(request, { id: `p${k}` })) : n));
          });
          for (const [id, ports] of placedPorts) assert.equal(new Set(ports).size, ports.length, `${id} host ports`);
        },
      ),
      { numRuns: 150 },
    );
  });
});
