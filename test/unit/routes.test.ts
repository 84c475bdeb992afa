// Every route of ours declares the query parameters it reads (so only checked ones reach a handler or an engine),
// and the routes that read a JSON body declare its schema: a route added without them fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiRoutes } from '../../src/api/routes/index.js';
import { bodies } from '../../src/api/schema/index.js';

const all = apiRoutes;

test('every route declares its query parameters', () => {
  const undeclared = all.filter((r) => r.query === undefined);
  assert.deepEqual(
    undeclared.map((r) => `${r.method} ${r.pattern}`),
    [],
  );
});

test('the routes that read a JSON body declare its schema', () => {
  const withBody = Object.fromEntries(all.filter((r) => r.body).map((r) => [`${r.method} ${r.pattern}`, r.body]));
  assert.deepEqual(withBody, {
    'POST /containers/create': bodies.containerCreate,
    'POST /containers/*name/update': bodies.containerUpdate,
    'POST /containers/*name/exec': bodies.execCreate,
    'POST /commit': bodies.commit,
    'POST /exec/:id/start': bodies.execStart,
    'POST /networks/create': bodies.networkCreate,
    'POST /networks/*id/connect': bodies.networkConnect,
    'POST /networks/*id/disconnect': bodies.networkDisconnect,
    'POST /volumes/create': bodies.volumeCreate,
    'POST /auth': bodies.auth,
  });
});
