// API version handling: numeric comparison (1.9 < 1.24), and the path prefix: unversioned paths get the advertised
// version, 1.24 to 1.41 pass, anything outside is refused with dockerd's wording.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { API_VERSION, MIN_API_VERSION, compareVersions, splitVersion } from '../../src/api/version.js';
import { isManagerError } from '../../src/errors.js';

const refusal = (pattern: RegExp) => (err: unknown) =>
  isManagerError(err) && err.status === 400 && pattern.test(err.message);

describe('compareVersions', () => {
  it('compares numerically, part by part', () => {
    assert.ok(compareVersions('1.9', '1.24') < 0);
    assert.ok(compareVersions('1.24', '1.9') > 0);
    assert.ok(compareVersions('1.41', '1.41') === 0);
    assert.ok(compareVersions('1.41', '1.41.0') === 0);
    assert.ok(compareVersions('2.0', '1.99') > 0);
    assert.ok(compareVersions('1.100', '1.41') > 0);
  });

  it('is antisymmetric', () => {
    const version = fc.tuple(fc.nat(3), fc.nat(120)).map(([a, b]) => `${a}.${b}`);
    fc.assert(
      fc.property(version, version, (a, b) => Math.sign(compareVersions(a, b)) === -Math.sign(compareVersions(b, a))),
    );
  });
});

describe('splitVersion', () => {
  it('advertises 1.41 and accepts down to 1.24', () => {
    assert.equal(API_VERSION, '1.41');
    assert.equal(MIN_API_VERSION, '1.24');
  });

  it('gives unversioned paths the advertised version', () => {
    assert.deepEqual(splitVersion('/containers/json'), { version: API_VERSION, path: '/containers/json' });
    assert.deepEqual(splitVersion('/_ping'), { version: API_VERSION, path: '/_ping' });
  });

  it('strips an accepted version prefix', () => {
    assert.deepEqual(splitVersion('/v1.41/containers/web/json'), { version: '1.41', path: '/containers/web/json' });
    assert.deepEqual(splitVersion('/v1.24/info'), { version: '1.24', path: '/info' });
    assert.deepEqual(splitVersion('/v1.30'), { version: '1.30', path: '/' });
  });

  it('accepts every version from 1.24 to 1.41', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 24, max: 41 }),
        (minor) => splitVersion(`/v1.${minor}/version`).version === `1.${minor}`,
      ),
    );
  });

  it('refuses a version above 1.41 as too new', () => {
    for (const v of ['1.42', '1.51', '2.0']) {
      assert.throws(
        () => splitVersion(`/v${v}/version`),
        refusal(
          new RegExp(`^client version ${v.replace('.', '\\.')} is too new\\. Maximum supported API version is 1\\.41$`),
        ),
      );
    }
  });

  it('refuses a version below 1.24 as too old', () => {
    for (const v of ['1.23', '1.9', '0.5']) {
      assert.throws(
        () => splitVersion(`/v${v}/version`),
        refusal(
          new RegExp(`^client version ${v.replace('.', '\\.')} is too old\\. Minimum supported API version is 1\\.24`),
        ),
      );
    }
  });

  it('leaves paths that only look versioned alone', () => {
    assert.deepEqual(splitVersion('/v1/containers/json'), { version: API_VERSION, path: '/v1/containers/json' });
    assert.deepEqual(splitVersion('/volumes'), { version: API_VERSION, path: '/volumes' });
  });
});
