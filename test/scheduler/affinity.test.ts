// The affinity filter (classic Swarm's affinity_test.go).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isManagerError } from '../../src/errors.js';
import { repositoryOf } from '../../src/scheduler/image-reference.js';
import { AFFINITIES_LABEL } from '../../src/scheduler/scheduling-labels.js';
import type { NodeView } from '../../src/scheduler/types.js';
import { applyFilter, ids, makeContainer, makeNode, makeRequest } from './helpers.js';

function fixtures(): NodeView[] {
  return [
    makeNode({
      id: 'node-0-id',
      containers: [
        makeContainer({ id: 'container-n0-0-id', names: ['/container-n0-0-name'] }),
        makeContainer({ id: 'container-n0-1-id', names: ['/container-n0-1-name'] }),
      ],
      images: [{ id: 'image-0-id', repoTags: ['image-0:tag1', 'image-0:tag2'] }],
    }),
    makeNode({
      id: 'node-1-id',
      containers: [
        makeContainer({ id: 'container-n1-0-id', names: ['/container-n1-0-name'] }),
        makeContainer({ id: 'container-n1-1-id', names: ['/container-n1-1-name'] }),
      ],
      images: [{ id: 'image-1-id', repoTags: ['image-1:tag1', 'image-0:tag3', 'image-1:tag2'] }],
    }),
    makeNode({ id: 'node-2-id' }),
  ];
}

const affine = (nodes: NodeView[], enforceSoft: boolean, ...env: string[]) =>
  applyFilter('affinity', nodes, makeRequest({ env: env.map((e) => `affinity:${e}`) }), enforceSoft);

describe('affinity filter', () => {
  const nodes = fixtures();
  const hard = (...env: string[]) => affine(nodes, true, ...env);

  it('keeps every node without affinities', () => {
    assert.equal(applyFilter('affinity', nodes, makeRequest()).nodes, nodes);
  });

  it('matches containers by glob, full ID and name', () => {
    assert.ok(hard('container==does_not_exist').error);
    assert.deepEqual(ids(hard('container==container-n0*').nodes), ['node-0-id']);
    assert.deepEqual(ids(hard('container==container-*').nodes), ['node-0-id', 'node-1-id']);
    assert.deepEqual(ids(hard('container==container-n0-0-id').nodes), ['node-0-id']);
    assert.deepEqual(ids(hard('container!=container-n0-0-id').nodes), ['node-1-id', 'node-2-id']);
    assert.deepEqual(ids(hard('container!=container-n0-1-id').nodes), ['node-1-id', 'node-2-id']);
    assert.deepEqual(ids(hard('container==container-n1-0-name').nodes), ['node-1-id']);
    assert.deepEqual(ids(hard('container!=container-n1-0-name').nodes), ['node-0-id', 'node-2-id']);
    assert.deepEqual(ids(hard('container!=container-n1-1-name').nodes), ['node-0-id', 'node-2-id']);
  });

  it('fails on conflicting affinities and chains them as AND', () => {
    assert.ok(hard('container!=container-n1-1-name', 'container==container-n1-1-name').error);
    assert.deepEqual(ids(hard('container!=container-n0-1-id', 'container!=container-n1-1-id').nodes), ['node-2-id']);
    assert.ok(hard('container==container-n0-1-id', 'container==container-n1-1-id').error);
  });

  it('matches images by ID, tag and repository', () => {
    assert.deepEqual(ids(hard('image==image-0-id').nodes), ['node-0-id']);
    assert.deepEqual(ids(hard('image==image-0:tag3').nodes), ['node-1-id']);
    assert.equal(hard('image!=image-0:tag3').nodes?.length, 2);
    assert.deepEqual(ids(hard('image==image-1').nodes), ['node-1-id']);
    assert.equal(hard('image!=image-1').nodes?.length, 2);
  });

  it('enforces soft affinities only in the first pass', () => {
    assert.equal(affine(nodes, true, 'image==~image-0:tag3').nodes?.length, 1);
    assert.ok(affine(nodes, true, 'image==~image-1:tag3').error);
    assert.equal(affine(nodes, false, 'image==~image-1:tag3').nodes?.length, 3);
    assert.equal(affine(nodes, true, 'image==~image-*').nodes?.length, 2);
    assert.deepEqual(ids(affine(nodes, true, 'image!=~image-*').nodes), ['node-2-id']);
    assert.equal(affine(nodes, true, 'image==~/image-\\d*/').nodes?.length, 2);
  });

  it('refuses = and =! (400), and a second ~', () => {
    for (const bad of ['image=image-0:tag3', 'image=!image-0:tag3', 'image==~ima~ge-0:tag3']) {
      assert.throws(
        () => affine(nodes, true, bad),
        (err: unknown) => isManagerError(err) && err.status === 400,
      );
    }
  });

  it('skips unnamed containers entirely, their ID included (classic Swarm)', () => {
    const unnamed = [makeNode({ id: 'n', containers: [makeContainer({ id: 'abc', names: [] })] })];
    assert.ok(affine(unnamed, true, 'container==abc').error);
  });

  it('matches the registry-host form of a tag as a repository', () => {
    const node = makeNode({ id: 'n', images: [{ id: 'sha256:1', repoTags: ['registry:5000/app:1.0'] }] });
    assert.deepEqual(ids(affine([node], true, 'image==registry:5000/app').nodes), ['n']);
  });

  it('splits repository and tag as classic Swarm does', () => {
    assert.equal(repositoryOf('redis'), 'redis');
    assert.equal(repositoryOf('redis:7'), 'redis');
    assert.equal(repositoryOf('registry:5000/app'), 'registry:5000/app', 'a port is not a tag');
    assert.equal(repositoryOf('registry:5000/app:1.0'), 'registry:5000/app');
    assert.equal(repositoryOf('app@sha256:abc'), 'app');
    const untagged = makeNode({ id: 'n', images: [{ id: 'sha256:1', repoTags: ['registry:5000/app'] }] });
    assert.ok(affine([untagged], true, 'image==registry').error);
  });
});

describe('affinity on container labels', () => {
  const nodes = [
    makeNode({
      id: 'node-0-id',
      containers: [makeContainer({ id: 'c0', names: ['/c0'], labels: { tier: 'db' } })],
      images: [{ id: 'image-0-id', repoTags: ['image-0:tag0'] }],
    }),
    makeNode({
      id: 'node-1-id',
      containers: [makeContainer({ id: 'c1', names: ['/c1'] })],
      images: [{ id: 'image-1-id', repoTags: ['image-1:tag1'] }],
    }),
  ];

  it('reads the label form as well as the env form', () => {
    assert.deepEqual(ids(affine(nodes, true, 'image==image-1').nodes), ['node-1-id']);
    assert.deepEqual(ids(affine(nodes, true, 'image!=image-1').nodes), ['node-0-id']);
    const byLabel = (expr: string) =>
      applyFilter('affinity', nodes, makeRequest({ labels: { [AFFINITIES_LABEL]: JSON.stringify([expr]) } }));
    assert.deepEqual(ids(byLabel('image==image-1').nodes), ['node-1-id']);
    assert.deepEqual(ids(byLabel('image!=image-1').nodes), ['node-0-id']);
  });

  it('matches other keys against container labels ("" when absent)', () => {
    assert.deepEqual(ids(affine(nodes, true, 'tier==db').nodes), ['node-0-id']);
    assert.deepEqual(ids(affine(nodes, true, 'tier!=db').nodes), ['node-1-id']);
    assert.equal(affine(nodes, true, 'tier==*').nodes?.length, 2);
  });
});
