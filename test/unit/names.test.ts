// Container names: Docker's grammar, and the reservation that keeps two concurrent creates (or a create and a rename)
// of one name from both reaching an engine.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NameReservations, validateContainerName } from '../../src/cluster/names.js';
import { isManagerError } from '../../src/errors.js';

const conflict = (name: string, holder: string) => (err: unknown) =>
  isManagerError(err) &&
  err.status === 409 &&
  err.message ===
    `Conflict: The name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`;

describe('validateContainerName', () => {
  it('takes Docker’s grammar, with an optional leading slash', () => {
    for (const name of ['web', '/web', 'web-1', 'a.b_c-d', 'W9']) validateContainerName(name);
  });

  it('refuses anything else with a 400', () => {
    for (const name of ['', 'w', '-web', '_web', 'web/1', 'node-2/web', 'we b', 'wéb']) {
      assert.throws(
        () => validateContainerName(name),
        (err) =>
          isManagerError(err) && err.status === 400 && err.message.startsWith(`Invalid container name (${name})`),
        name,
      );
    }
  });
});

describe('NameReservations', () => {
  const nobody = () => undefined;

  it('refuses a name a container already holds, naming the holder', () => {
    const names = new NameReservations();
    assert.throws(() => names.reserve('web', (n) => (n === 'web' ? 'c0ffee' : undefined)), conflict('web', 'c0ffee'));
  });

  it('holds a name until released, whatever the leading slash', () => {
    const names = new NameReservations();
    const release = names.reserve('/web', nobody);
    assert.equal(names.isHeld('web'), true);
    assert.throws(() => names.reserve('web', nobody), conflict('web', 'a container being created'));
    release();
    assert.equal(names.isHeld('/web'), false);
    names.reserve('web', nobody)();
  });

  it('lets a stale release not free a name reserved again since', () => {
    const names = new NameReservations();
    const first = names.reserve('web', nobody);
    first();
    const second = names.reserve('web', nobody, 'the second create');
    first();
    assert.throws(() => names.reserve('web', nobody), conflict('web', 'the second create'));
    second();
  });

  it('of many concurrent reservations of one name, exactly one succeeds', () => {
    const names = new NameReservations();
    const outcomes = Array.from({ length: 10 }, () => {
      try {
        names.reserve('job', nobody);
        return 'ok';
      } catch {
        return 'conflict';
      }
    });
    assert.equal(outcomes.filter((o) => o === 'ok').length, 1);
  });
});
