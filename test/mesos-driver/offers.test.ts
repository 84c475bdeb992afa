// The offer policy, on a fake client and a fake clock: offers are held while a start waits, kept a moment once
// none waits, then declined with a refuse filter and suppressed; REVIVE when a start waits while suppressed, or
// when our own refuse filters hold back what the starts need; an offer held too long is declined; a new
// subscription waits for its first offers before it may go idle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE_HOLD_MS, OfferPolicy } from '../../src/cluster/mesos/offers.js';
import { silentLogger } from '../../src/util/logger.js';
import { FakeClock, FakeMesos, offer, settle } from './fakes.js';

function policy(settings = { offerTimeoutMs: 30_000, refuseMs: 5_000 }) {
  const mesos = new FakeMesos();
  const clock = new FakeClock();
  let waiting = 0;
  const p = new OfferPolicy(mesos, clock, settings, () => waiting, silentLogger);
  return {
    mesos,
    clock,
    p,
    wait(n: number) {
      waiting = n;
    },
  };
}

const types = (mesos: FakeMesos) => mesos.calls.map((c) => c.type);

test('nothing waits: held offers go back after the idle hold, with a refuse filter, then SUPPRESS', async () => {
  const { mesos, clock, p } = policy();
  p.subscribed();
  p.received([offer('S1'), offer('S2')]);
  assert.equal(p.book.size, 2, 'held through the idle hold');
  clock.advance(IDLE_HOLD_MS - 1);
  assert.deepEqual(types(mesos), [], 'nothing sent before the hold ends');
  clock.advance(1);
  await settle();
  assert.deepEqual(types(mesos), ['DECLINE', 'SUPPRESS']);
  assert.deepEqual(mesos.of('DECLINE')[0]!.args[1], { refuse_seconds: 5 });
  assert.equal(p.book.size, 0);
  assert.ok(p.suppressed);
});

test('offers arriving after the SUPPRESS (they crossed it) are declined at once', async () => {
  const { mesos, clock, p } = policy();
  p.subscribed();
  p.received([offer('S1')]);
  clock.advance(IDLE_HOLD_MS);
  mesos.calls.length = 0;
  p.received([offer('S3')]);
  assert.deepEqual(types(mesos), ['DECLINE']);
  assert.equal(p.book.size, 0);
});

test('a start waits: REVIVE when suppressed, none when offers are held and nothing holds resources back', async () => {
  const { mesos, clock, p, wait } = policy();
  p.subscribed();
  p.received([offer('S1')]);
  wait(1);
  p.wantOffers();
  assert.deepEqual(types(mesos), [], 'offers are held and not filtered: nothing to ask for');
  wait(0);
  p.idle();
  clock.advance(IDLE_HOLD_MS);
  mesos.calls.length = 0;
  wait(1);
  p.wantOffers();
  assert.deepEqual(types(mesos), ['REVIVE']);
  assert.ok(!p.suppressed);
  // Work arriving during the idle hold cancels it: nothing is declined.
  p.received([offer('S1')]);
  wait(0);
  p.idle();
  wait(1);
  p.wantOffers();
  clock.advance(10 * IDLE_HOLD_MS);
  assert.ok(!types(mesos).includes('DECLINE'));
});

test('what is held does not fit and our refuse filters hold resources back: REVIVE (once filtered, not before)', () => {
  const { mesos, p, wait } = policy();
  p.subscribed();
  const first = offer('S1');
  p.received([first]);
  wait(1);
  p.unplaced();
  assert.deepEqual(types(mesos), [], 'nothing turned down yet: nothing is held back');
  // The last waiting start takes the offer: what it leaves unused is refused for a while.
  wait(0);
  assert.deepEqual(p.take([first.id.value]), { refuse_seconds: 5 });
  assert.equal(p.book.size, 0);
  wait(1);
  assert.deepEqual(p.take([]), { refuse_seconds: 0 }, 'with starts waiting, unused resources come straight back');
  p.received([offer('S2', 0.1, 16)]);
  p.unplaced();
  assert.deepEqual(types(mesos), ['REVIVE']);
});

test('an offer held longer than mesos.offertimeout is declined', () => {
  const { mesos, clock, p, wait } = policy({ offerTimeoutMs: 2_000, refuseMs: 5_000 });
  wait(1);
  p.subscribed();
  const o = offer('S1');
  p.received([o]);
  clock.advance(1_999);
  assert.equal(p.book.size, 1);
  clock.advance(1);
  assert.equal(p.book.size, 0);
  assert.deepEqual(mesos.of('DECLINE')[0]!.args[0], [o.id.value]);
});

test('a rescinded offer leaves the book; a disconnect voids every offer without declining any', () => {
  const { mesos, p, wait } = policy();
  wait(1);
  p.subscribed();
  const [a, b] = [offer('S1'), offer('S2')];
  p.received([a, b]);
  p.rescinded(a.id.value);
  assert.deepEqual(
    p.book.all().map((o) => o.id.value),
    [b.id.value],
  );
  p.disconnected();
  assert.equal(p.book.size, 0);
  assert.deepEqual(types(mesos), []);
});

test('after subscribing, no SUPPRESS before the first offers came, however late they come', async () => {
  const { mesos, clock, p } = policy();
  p.subscribed();
  p.idle();
  clock.advance(IDLE_HOLD_MS * 2);
  assert.deepEqual(types(mesos), [], 'the agents of this master are learned from its first offers');
  p.received([offer('S1')]);
  clock.advance(IDLE_HOLD_MS);
  assert.deepEqual(types(mesos), ['DECLINE', 'SUPPRESS']);

  const slow = policy();
  slow.p.subscribed();
  slow.p.idle();
  slow.clock.advance(60_000);
  assert.deepEqual(types(slow.mesos), [], 'a master slow to offer is never suppressed before it did');
  slow.p.received([offer('S2')]);
  slow.clock.advance(IDLE_HOLD_MS);
  assert.deepEqual(types(slow.mesos), ['DECLINE', 'SUPPRESS']);

  // A new subscription waits for its own first offers again.
  slow.p.subscribed();
  slow.p.idle();
  slow.clock.advance(IDLE_HOLD_MS * 5);
  assert.equal(types(slow.mesos).filter((t) => t === 'SUPPRESS').length, 1);
});

test('a failed SUPPRESS or REVIVE leaves the policy as it was, so it is tried again', async () => {
  const { mesos, clock, p, wait } = policy();
  p.subscribed();
  p.received([offer('S1')]);
  mesos.failing.add('SUPPRESS');
  clock.advance(IDLE_HOLD_MS);
  await settle();
  assert.ok(!p.suppressed, 'not suppressed: the call failed');
  mesos.failing.clear();
  p.idle();
  clock.advance(IDLE_HOLD_MS);
  await settle();
  assert.ok(p.suppressed);
  mesos.failing.add('REVIVE');
  wait(1);
  p.wantOffers();
  await settle();
  assert.ok(p.suppressed, 'still suppressed: the REVIVE failed');
});
