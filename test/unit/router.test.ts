// The route table: `:param` takes one path segment, `*param` one or more (so `node/name` container references work
// unescaped, as the docker CLI sends them), HEAD falls back to GET, a path known for other methods is told apart from
// an unknown one, and parameters are percent-decoded (a malformed escape is the client's 400).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Router, type Route } from '../../src/api/router.js';
import { isManagerError } from '../../src/errors.js';

const handler = () => undefined;
function router(...routes: [string, string][]): Router {
  const r = new Router();
  for (const [method, pattern] of routes) r.add({ method, pattern, handler } satisfies Route);
  return r;
}

function matched(r: Router, method: string, path: string) {
  const m = r.match(method, path);
  assert.ok(m && m !== 'method', `${method} ${path} should match`);
  return { pattern: m.route.pattern, method: m.route.method, params: m.params };
}

describe('Router', () => {
  const r = router(
    ['GET', '/containers/json'],
    ['GET', '/containers/*name/json'],
    ['POST', '/containers/*name/start'],
    ['DELETE', '/containers/*name'],
    ['GET', '/exec/:id/json'],
    ['GET', '/_ping'],
    ['HEAD', '/_ping'],
    ['GET', '/images/*name/json'],
  );

  it('matches literal paths, with or without a trailing slash', () => {
    assert.deepEqual(matched(r, 'GET', '/containers/json'), { pattern: '/containers/json', method: 'GET', params: {} });
    assert.equal(matched(r, 'GET', '/containers/json/').pattern, '/containers/json');
  });

  it('gives :param exactly one segment', () => {
    assert.deepEqual(matched(r, 'GET', '/exec/abc123/json').params, { id: 'abc123' });
    assert.equal(r.match('GET', '/exec/a/b/json'), undefined);
  });

  it('gives *param one or more segments, so node/name references reach the handler whole', () => {
    assert.deepEqual(matched(r, 'GET', '/containers/web/json').params, { name: 'web' });
    assert.deepEqual(matched(r, 'GET', '/containers/node-2/web/json').params, { name: 'node-2/web' });
    assert.deepEqual(matched(r, 'DELETE', '/containers/node-2/web').params, { name: 'node-2/web' });
    assert.deepEqual(matched(r, 'GET', '/images/registry:5000/team/app:1.0/json').params, {
      name: 'registry:5000/team/app:1.0',
    });
    // `docker inspect /web` puts the name in the path as is; the lookup drops the slash.
    assert.deepEqual(matched(r, 'GET', '/containers//web/json').params, { name: '/web' });
  });

  it('percent-decodes parameters', () => {
    assert.deepEqual(matched(r, 'GET', '/containers/node-2%2Fweb/json').params, { name: 'node-2/web' });
    assert.deepEqual(matched(r, 'GET', '/images/busybox%3Alatest/json').params, { name: 'busybox:latest' });
  });

  it('refuses a malformed escape with a 400, not a crash', () => {
    assert.throws(
      () => r.match('GET', '/containers/%ZZ/json'),
      (err) => isManagerError(err) && err.status === 400 && /invalid escape/.test(err.message),
    );
  });

  it('answers HEAD from an explicit HEAD route, else from the GET route', () => {
    assert.equal(matched(r, 'HEAD', '/_ping').method, 'HEAD');
    assert.deepEqual(matched(r, 'HEAD', '/containers/web/json'), {
      pattern: '/containers/*name/json',
      method: 'GET',
      params: { name: 'web' },
    });
    assert.equal(r.match('HEAD', '/containers/web/start'), 'method', 'HEAD never falls back to POST');
  });

  it('tells a path known for other methods ("method") from an unknown one (undefined)', () => {
    assert.equal(r.match('PUT', '/containers/json'), 'method');
    assert.equal(r.match('GET', '/containers/web/start'), 'method');
    assert.equal(r.match('GET', '/nowhere'), undefined);
    assert.equal(r.match('POST', '/v1.41/containers/json'), undefined, 'versions are stripped before matching');
  });

  it('escapes regular-expression characters in literal segments', () => {
    const dotted = router(['GET', '/a.b/c+d']);
    assert.ok(dotted.match('GET', '/a.b/c+d'));
    assert.equal(dotted.match('GET', '/aXb/c+d'), undefined);
    assert.equal(dotted.match('GET', '/a.b/ccd'), undefined);
  });

  it('prefers the first route registered when two match', () => {
    const both = router(['GET', '/containers/json'], ['GET', '/containers/*name']);
    assert.equal(matched(both, 'GET', '/containers/json').pattern, '/containers/json');
    assert.equal(matched(both, 'GET', '/containers/other').pattern, '/containers/*name');
  });
});
