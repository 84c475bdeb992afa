// Where expressions live: the env form moved into the com.docker.swarm.* labels, and create-time validation.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isManagerError } from '../../src/errors.js';
import {
  extractSchedulingExpressions,
  hasHardNodeConstraint,
  hasReschedulePolicy,
  readSchedulingExpressions,
  validateReschedulePolicies,
  validateSchedulingLabels,
} from '../../src/scheduler/scheduling-labels.js';

const badRequest = (fn: () => unknown, message: string | RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(isManagerError(err));
    assert.equal(err.status, 400);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

describe('extracting the env form', () => {
  it('moves constraint:, affinity:, whitelist: and reschedule: entries into the labels', () => {
    const result = extractSchedulingExpressions({
      Env: ['PATH=/bin', 'constraint:region==eu', 'affinity:container!=web', 'whitelist:node==a|b', 'reschedule:off'],
      Labels: { app: 'x' },
    });
    assert.deepEqual(result.Env, ['PATH=/bin']);
    assert.deepEqual(result.Labels, {
      app: 'x',
      'com.docker.swarm.constraints': '["region==eu"]',
      'com.docker.swarm.affinities': '["container!=web"]',
      'com.docker.swarm.whitelists': '["node==a|b"]',
      'com.docker.swarm.reschedule-policies': '["off"]',
    });
  });

  it('appends env values after what the label already held, splitting on the first colon', () => {
    const result = extractSchedulingExpressions({
      Env: ['constraint:node==host:1'],
      Labels: { 'com.docker.swarm.constraints': '["storage==ssd"]' },
    });
    assert.deepEqual(readSchedulingExpressions(result.Labels).constraints, ['storage==ssd', 'node==host:1']);
  });

  it('leaves other entries, case variants and colon-less entries in Env', () => {
    const env = ['Constraint:a==b', 'constraint', 'FOO=constraint:x==y', 'constructor:x'];
    const result = extractSchedulingExpressions({ Env: env, Labels: null });
    assert.deepEqual(result.Env, env);
    assert.deepEqual(result.Labels, {});
  });

  it('does not touch its input, and keeps a missing Env missing', () => {
    const body = { Env: ['constraint:a_b==c'], Labels: { x: 'y' } };
    const frozen = JSON.stringify(body);
    extractSchedulingExpressions(body);
    assert.equal(JSON.stringify(body), frozen);
    assert.equal(extractSchedulingExpressions({ Labels: {} }).Env, undefined);
  });

  it('reads labels leniently, as Go’s json.Unmarshal did (a non-array is empty, a non-string is "")', () => {
    assert.deepEqual(readSchedulingExpressions({ 'com.docker.swarm.constraints': 'node==x' }).constraints, []);
    assert.deepEqual(readSchedulingExpressions({ 'com.docker.swarm.constraints': '"node==x"' }).constraints, []);
    assert.deepEqual(readSchedulingExpressions({ 'com.docker.swarm.constraints': '[1,"a==b"]' }).constraints, [
      '',
      'a==b',
    ]);
  });
});

describe('validating at create', () => {
  it('accepts well-formed labels', () => {
    const { Labels } = extractSchedulingExpressions({
      Env: ['constraint:region==eu', 'affinity:image==~redis', 'reschedule:on-node-failure'],
    });
    validateSchedulingLabels(Labels);
  });

  it('refuses a label that is not a JSON array of strings', () => {
    badRequest(
      () => validateSchedulingLabels({ 'com.docker.swarm.constraints': 'node==x' }),
      /^Invalid label com.docker.swarm.constraints: expected a JSON array of strings/,
    );
    badRequest(() => validateSchedulingLabels({ 'com.docker.swarm.affinities': '[1]' }), /affinities/);
  });

  it('refuses a malformed expression with the grammar’s message', () => {
    badRequest(
      () => validateSchedulingLabels({ 'com.docker.swarm.whitelists': '["node=a"]' }),
      'One of operator ==, != is expected',
    );
  });

  it('allows at most one reschedule policy, off or on-node-failure', () => {
    validateReschedulePolicies([]);
    validateReschedulePolicies(['off']);
    validateReschedulePolicies(['on-node-failure']);
    badRequest(() => validateReschedulePolicies(['off', 'on-node-failure']), 'too many reschedule policies');
    badRequest(() => validateReschedulePolicies(['always']), 'invalid reschedule policy: always');
    badRequest(
      () => validateSchedulingLabels(extractSchedulingExpressions({ Env: ['reschedule:sometimes'] }).Labels),
      'invalid reschedule policy: sometimes',
    );
  });

  it('answers policy and node-pinning questions', () => {
    const { Labels } = extractSchedulingExpressions({ Env: ['reschedule:on-node-failure', 'constraint:node==n1'] });
    assert.ok(hasReschedulePolicy(Labels, 'on-node-failure'));
    assert.ok(!hasReschedulePolicy(Labels, 'off'));
    assert.ok(hasHardNodeConstraint(Labels));
    assert.ok(!hasHardNodeConstraint(extractSchedulingExpressions({ Env: ['constraint:node==~n1'] }).Labels));
  });
});
