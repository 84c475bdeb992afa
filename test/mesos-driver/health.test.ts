// Docker's health view from the docker executor's reports (health.ts): every failure is reported, a success only
// first or after failures; Docker's status turns unhealthy at the retries, healthy at a success; a resent report
// counts once; the image's check under the create's settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthAfter, healthRecalled, healthState, withImageHealthcheck } from '../../src/cluster/mesos/health.js';

const at = '2026-01-01T00:00:00.000Z';

test('starting until the retries fail in a row; healthy at a success; unhealthy again after the retries', () => {
  let h = healthAfter(undefined, false, 3, at, 'u1');
  assert.deepEqual([h.status, h.failingStreak], ['starting', 1]);
  h = healthAfter(h, false, 3, at, 'u1'); // Mesos resent the same update
  assert.equal(h.failingStreak, 1);
  h = healthAfter(healthAfter(h, false, 3, at, 'u2'), false, 3, at, 'u3');
  assert.deepEqual([h.status, h.failingStreak], ['unhealthy', 3]);
  h = healthAfter(h, true, 3, at, 'u4');
  assert.deepEqual([h.status, h.failingStreak], ['healthy', 0]);
  h = healthAfter(h, false, 3, at, 'u5');
  assert.deepEqual([h.status, h.failingStreak], ['healthy', 1], 'healthy until the retries fail');
  for (const u of ['u6', 'u7', 'u8', 'u9', 'u10']) h = healthAfter(h, false, 3, at, u);
  assert.equal(h.log.length, 5, 'the last five, as dockerd keeps');
  assert.deepEqual(h.log.at(-1), { Start: at, End: at, ExitCode: 1, Output: '' });
  assert.deepEqual(healthState(undefined), { Status: 'starting', FailingStreak: 0, Log: [] });
});

test("reconciliation's healthy fills in only a health the manager does not know", () => {
  assert.equal(healthRecalled(undefined, true, 3).status, 'healthy');
  assert.deepEqual(
    [healthRecalled(undefined, false, 3).status, healthRecalled(undefined, false, 3).failingStreak],
    ['unhealthy', 3],
  );
  const known = healthAfter(undefined, false, 3, at, 'u1');
  assert.equal(healthRecalled(known, false, 3), known);
});

test("the image's check under the create's settings; the create's own test wins", () => {
  const image = { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 };
  assert.deepEqual(withImageHealthcheck({ Image: 'x' }, image).Healthcheck, image);
  assert.deepEqual(withImageHealthcheck({ Image: 'x', Healthcheck: { Interval: 1e9 } }, image).Healthcheck, {
    ...image,
    Interval: 1e9,
  });
  const own = { Image: 'x', Healthcheck: { Test: ['NONE'] } };
  assert.equal(withImageHealthcheck(own, image), own);
  assert.equal(withImageHealthcheck({ Image: 'x' }, undefined).Healthcheck, undefined);
});
