// The whole pipeline: configuration, the two passes for soft expressions (classic Swarm's filters_test.go), the
// error texts, explanations and the ordered result.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isManagerError, type ManagerError } from '../../src/errors.js';
import { explanationOf } from '../../src/scheduler/explanation.js';
import { DEFAULT_FILTERS, parseFilters } from '../../src/scheduler/filter/registry.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { parseStrategy } from '../../src/scheduler/strategy/strategy.js';
import type { NodeView } from '../../src/scheduler/types.js';
import { binding, GiB, ids, makeContainer, makeNode, makeRequest } from './helpers.js';

function failure(fn: () => unknown): ManagerError {
  try {
    fn();
  } catch (err) {
    assert.ok(isManagerError(err), String(err));
    return err;
  }
  assert.fail('expected a failure');
}

describe('configuration', () => {
  it('defaults to spread and every filter in classic order', () => {
    const scheduler = new Scheduler();
    assert.equal(scheduler.strategy, 'spread');
    assert.deepEqual(scheduler.filters, [
      'health',
      'port',
      'containerslots',
      'dependency',
      'affinity',
      'constraint',
      'whitelist',
    ]);
    assert.deepEqual(parseFilters(), [...DEFAULT_FILTERS]);
  });

  it('lets a configured filter list replace the default, in its order', () => {
    assert.deepEqual(new Scheduler({ filters: ['constraint', 'health'] }).filters, ['constraint', 'health']);
  });

  it('refuses an unknown filter or strategy with a 400 naming it', () => {
    const badFilter = failure(() => parseFilters(['health', 'affinty']));
    assert.equal(badFilter.status, 400);
    assert.match(badFilter.message, /^filter not supported: "affinty"/);
    const badStrategy = failure(() => new Scheduler({ strategy: 'fastest' }));
    assert.equal(badStrategy.status, 400);
    assert.match(badStrategy.message, /^strategy not supported: "fastest"/);
    assert.equal(parseStrategy('binpacking'), 'binpack');
  });
});

describe('two passes for soft expressions', () => {
  // classic Swarm's TestApplyFilters: the soft affinity names an image only on the unhealthy node.
  const nodes = [
    makeNode({
      id: 'node-0-id',
      containers: [makeContainer({ id: 'container-n0-0-id', names: ['/container-n0-0-name'] })],
      images: [{ id: 'image-0-id', repoTags: ['image-0:tag1', 'image-0:tag2'] }],
    }),
    makeNode({
      id: 'node-1-id',
      containers: [makeContainer({ id: 'container-n1-0-id', names: ['/container-n1-0-name'] })],
      images: [{ id: 'image-1-id', repoTags: ['image-1:tag1', 'image-0:tag3', 'image-1:tag2'] }],
      healthIndicator: 0,
    }),
  ];

  it('drops an unsatisfiable soft affinity in the second pass', () => {
    const placement = new Scheduler().select(nodes, makeRequest({ env: ['affinity:image==~image-0:tag3'] }));
    assert.deepEqual(ids(placement.ordered()), ['node-0-id']);
    assert.equal(placement.softDropped, true);
  });

  it('keeps a satisfiable soft expression', () => {
    const placement = new Scheduler().select(nodes, makeRequest({ env: ['affinity:image==~image-0:tag1'] }));
    assert.equal(placement.softDropped, false);
    assert.equal(placement.best.id, 'node-0-id');
  });

  it('still enforces hard expressions when soft ones are dropped', () => {
    const err = failure(() =>
      new Scheduler().select(
        nodes,
        makeRequest({ env: ['affinity:image==~image-0:tag3', 'constraint:node==node-1-id'] }),
      ),
    );
    assert.equal(
      err.message,
      'Unable to find a node that satisfies the following conditions \n' +
        '[available container slots]\n[image==image-0:tag3 (soft=true)]\n[node==node-1-id]',
    );
  });
});

describe('error texts', () => {
  const node = makeNode({
    id: 'n1',
    labels: { containerslots: '5' },
    containers: [makeContainer({ id: 'web1', names: ['/web1'], portBindings: binding('', '80') })],
  });

  it('lists one line per filter up to the failing one, with the health filter silent', () => {
    const request = makeRequest({
      portBindings: binding('', '8080'),
      env: ['affinity:container!=web1', 'constraint:region==eu'],
    });
    const err = failure(() => new Scheduler().select([node], request));
    assert.equal(err.status, 500);
    assert.equal(
      err.message,
      'Unable to find a node that satisfies the following conditions \n' +
        '[port 8080 (Bridge mode)]\n[available container slots]\n[container!=web1 (soft=false)]',
    );
  });

  it('stops the listing at the failing filter', () => {
    const request = makeRequest({ portBindings: binding('', '80'), env: ['constraint:region==eu'] });
    assert.equal(
      failure(() => new Scheduler().select([node], request)).message,
      'Unable to find a node that satisfies the following conditions \n[port 80 (Bridge mode)]',
    );
  });

  it('reports the health filter’s own message', () => {
    const sick = { ...node, healthIndicator: 0 };
    assert.equal(
      failure(() => new Scheduler().select([sick], makeRequest())).message,
      'No healthy node available in the cluster',
    );
  });

  it('answers an empty cluster as classic Swarm does', () => {
    assert.equal(
      failure(() => new Scheduler().select([], makeRequest())).message,
      'No healthy node available in the cluster',
    );
    assert.equal(
      failure(() => new Scheduler({ filters: ['dependency'] }).select([], makeRequest())).message,
      'No nodes available in the cluster',
    );
    assert.equal(
      failure(() => new Scheduler({ filters: ['constraint'] }).select([], makeRequest({ env: ['constraint:a_b==c'] })))
        .message,
      'Unable to find a node that satisfies the following conditions \n[a_b==c]',
    );
  });

  it('answers a malformed expression with a 400 before looking at any node', () => {
    const err = failure(() => new Scheduler().select([node], makeRequest({ env: ['constraint:1node==x'] })));
    assert.equal(err.status, 400);
    assert.equal(err.message, "Key '1node' is invalid");
  });
});

describe('explanations', () => {
  const nodes: NodeView[] = [
    makeNode({ id: 'sick', healthIndicator: 0, totalMemory: 8 * GiB }),
    makeNode({ id: 'eu-small', labels: { region: 'eu' }, totalMemory: 1 * GiB }),
    makeNode({ id: 'us', labels: { region: 'us' }, totalMemory: 8 * GiB }),
    makeNode({ id: 'eu-big', labels: { region: 'eu' }, totalMemory: 8 * GiB }),
  ];
  const request = makeRequest({ env: ['constraint:region==eu'], memory: 2 * GiB });

  it('says which stage turned each node away and why', () => {
    const placement = new Scheduler().select(nodes, request, { explain: true });
    assert.equal(placement.best.id, 'eu-big');
    const explanation = placement.explanation;
    assert.ok(explanation);
    assert.equal(explanation.candidates, 1);
    assert.equal(explanation.nodes, 4);
    assert.deepEqual(
      explanation.rejections.map((r) => [r.nodeId, r.stage]),
      [
        ['sick', 'health'],
        ['us', 'constraint'],
        ['eu-small', 'resources'],
      ],
    );
    assert.match(explanation.rejections[1]?.reason ?? '', /region==eu is not satisfied/);
    assert.match(explanation.rejections[2]?.reason ?? '', /2147483648 bytes/);
  });

  it('is absent unless asked for', () => {
    assert.equal(new Scheduler().select(nodes, request).explanation, undefined);
  });

  it('rides on the error of a failed placement', () => {
    const strict = makeRequest({ env: ['constraint:region==asia'] });
    let caught: unknown;
    try {
      new Scheduler().select(nodes, strict, { explain: true });
    } catch (err) {
      caught = err;
    }
    const explanation = explanationOf(caught);
    assert.ok(explanation);
    assert.equal(explanation.candidates, 0);
    assert.equal(explanation.failure, 'unable to find a node that satisfies the constraint region==asia');
    assert.deepEqual(
      explanation.rejections.map((r) => r.stage),
      ['health', 'constraint', 'constraint', 'constraint'],
    );
  });

  it('records why the soft pass failed', () => {
    const soft = makeRequest({ env: ['constraint:region==~asia'] });
    const explanation = new Scheduler().select(nodes, soft, { explain: true }).explanation;
    assert.equal(explanation?.softDropped, true);
    assert.match(explanation?.softFailure ?? '', /\[region==asia\]/);
  });
});

describe('ordered result', () => {
  const nodes = Array.from({ length: 50 }, (_, i) =>
    makeNode({ id: `n${i}`, totalCpus: 100, usedCpus: (i * 37) % 50, containers: [] }),
  );
  const request = makeRequest({ cpus: 1 });

  it('gives the same best, top k and full order', () => {
    for (const strategy of ['spread', 'binpack'] as const) {
      const placement = new Scheduler({ strategy }).select(nodes, request);
      const full = placement.ordered();
      assert.equal(full.length, 50);
      assert.equal(placement.best, full[0]);
      for (const k of [1, 3, 10, 49, 50, 80])
        assert.deepEqual(ids(placement.top(k)), ids(full.slice(0, k)), `${strategy} top ${k}`);
      assert.deepEqual(placement.top(0), []);
    }
  });

  it('top k before ordered() agrees with it (heap path, then sort)', () => {
    const placement = new Scheduler({ strategy: 'spread' }).select(nodes, request);
    const top5 = ids(placement.top(5));
    assert.deepEqual(top5, ids(placement.ordered().slice(0, 5)));
    const byLoad = [...nodes].sort((a, b) => a.usedCpus - b.usedCpus);
    assert.deepEqual(top5, ids(byLoad.slice(0, 5)), 'spread: least reserved CPUs first');
  });

  it('random: best first, a permutation of the candidates, the input untouched', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const placement = new Scheduler({ strategy: 'random', random }).select(nodes, request);
    const top3 = ids(placement.top(3));
    const full = ids(placement.ordered());
    assert.equal(full[0], placement.best.id);
    assert.deepEqual(full.slice(0, 3), top3);
    assert.deepEqual([...full].sort(), ids(nodes).sort());
    assert.deepEqual(
      ids(nodes),
      Array.from({ length: 50 }, (_, i) => `n${i}`),
    );
  });

  it('random draws every position uniformly', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 48271) % 2147483647) - 1) / 2147483646;
    const scheduler = new Scheduler({ strategy: 'random', random });
    const four = nodes.slice(0, 4);
    const counts = [0, 1, 2, 3].map(() => new Map<string, number>());
    const runs = 4000;
    for (let run = 0; run < runs; run++) {
      scheduler
        .select(four, request)
        .ordered()
        .forEach((node, position) => counts[position]?.set(node.id, (counts[position]?.get(node.id) ?? 0) + 1));
    }
    for (const [position, byNode] of counts.entries()) {
      for (const node of four) {
        const share = (byNode.get(node.id) ?? 0) / runs;
        assert.ok(Math.abs(share - 0.25) < 0.04, `${node.id} at position ${position}: ${share}`);
      }
    }
  });

  it('random skips the resource check', () => {
    const full = [makeNode({ id: 'full', totalCpus: 1, usedCpus: 1 })];
    assert.equal(new Scheduler({ strategy: 'random' }).select(full, makeRequest({ cpus: 4 })).best.id, 'full');
    assert.throws(() => new Scheduler().select(full, makeRequest({ cpus: 4 })));
  });
});
