// Bad input over raw HTTP: what the docker CLI would never send, answered with dockerd's status codes and a
// `{"message": …}` body, and never at the cost of the manager: after every bad request the next good one works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { needEngines } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import { messageOf, request, type HttpAnswer } from '../helpers/http.js';
import { engineNames } from '../helpers/nodes.js';

const prefix = uniquePrefix('errors');
let m: TestManager | undefined;

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

const api = (method: string, path: string, body?: unknown, headers?: http.OutgoingHttpHeaders) =>
  request(m!.host, method, path, { body, headers });

/** The answer is `status` with a JSON message matching `pattern`, and the manager still serves. */
async function refused(answer: HttpAnswer, status: number, pattern: RegExp): Promise<void> {
  assert.equal(answer.status, status, answer.text);
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  assert.match(messageOf(answer), pattern);
  const ping = await api('GET', '/_ping');
  assert.equal(ping.text, 'OK', 'the manager must still answer after a bad request');
  const list = await api('GET', '/v1.41/containers/json');
  assert.equal(list.status, 200);
}

const created = async (name: string) =>
  (await api('GET', `/v1.41/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: [name] }))}`))
    .json as unknown[];

test('a body that is not JSON, or not an object, is a 400', async (t) => {
  if (!m) return t.skip('no engines');
  await refused(
    await api('POST', `/v1.41/containers/create?name=${prefix}bad`, '{"Image": "busybox",'),
    400,
    /invalid JSON/,
  );
  await refused(await api('POST', '/v1.41/containers/create', '[1, 2]'), 400, /expected an object/);
  await refused(await api('POST', '/v1.41/containers/create', 'null'), 400, /expected an object/);
  await refused(
    await api('POST', '/v1.41/networks/create', 'name=x', { 'Content-Type': 'text/plain' }),
    400,
    /invalid JSON/,
  );
  assert.deepEqual(await created(`${prefix}bad`), []);
});

test('a body over the size limit is a 400, declared or chunked', async (t) => {
  if (!m) return t.skip('no engines');
  const big = `{"Image":"busybox","Labels":{"x":"${'a'.repeat(5 * 1024 * 1024)}"}}`;
  await refused(await api('POST', `/v1.41/containers/create?name=${prefix}big`, big), 400, /too large/);
  // Without Content-Length the limit is enforced as the bytes arrive.
  const chunked = await new Promise<HttpAnswer>((resolve, reject) => {
    const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(m!.host)!;
    const req = http.request(
      { host, port: Number(port), method: 'POST', path: `/v1.41/containers/create?name=${prefix}big`, agent: false },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) }),
        );
      },
    );
    req.on('error', reject);
    req.setHeader('Content-Type', 'application/json');
    for (let i = 0; i < 6; i++) req.write(Buffer.alloc(1024 * 1024, 'a'));
    req.end();
  });
  await refused(chunked, 400, /too large/);
  assert.deepEqual(await created(`${prefix}big`), []);
});

test('fields of the wrong type are a 400 naming the field, and nothing is created', async (t) => {
  if (!m) return t.skip('no engines');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ Image: 'busybox', Labels: 'app=web' }, /invalid Labels/],
    [{ Image: 'busybox', Labels: { n: 1 } }, /invalid Labels/],
    [{ Image: 'busybox', Env: 'A=1' }, /invalid Env/],
    [{ Image: 5 }, /invalid Image/],
    [{ Image: 'busybox', HostConfig: 'bridge' }, /invalid HostConfig/],
    [{ Image: 'busybox', HostConfig: { Memory: '1g' } }, /invalid HostConfig\.Memory/],
    [{ Image: 'busybox', HostConfig: { PortBindings: { '80/tcp': 'x' } } }, /invalid HostConfig\.PortBindings/],
  ];
  for (const [body, pattern] of cases) {
    await refused(await api('POST', `/v1.41/containers/create?name=${prefix}typed`, body), 400, pattern);
  }
  assert.deepEqual(await created(`${prefix}typed`), []);
  await refused(
    await api('POST', `/v1.41/containers/create?name=${prefix}bad/name`, { Image: 'busybox' }),
    400,
    /Invalid container name/,
  );
  await refused(await api('POST', '/v1.41/containers/create', {}), 400, /Config cannot be empty/);
});

test('bad query values are a 400', async (t) => {
  if (!m) return t.skip('no engines');
  await refused(await api('GET', '/v1.41/containers/json?limit=abc'), 400, /limit/);
  await refused(await api('GET', '/v1.41/containers/json?filters=nope'), 400, /invalid filter/);
  await refused(
    await api('GET', '/v1.41/containers/json?filters={"status":["sleeping"]}'),
    400,
    /Invalid filter 'status=sleeping'/,
  );
  await refused(await api('GET', '/v1.41/networks?filters=nope'), 400, /invalid filter/);
  await refused(await api('GET', '/v1.41/networks?filters=[1]'), 400, /invalid filter/);
  await refused(await api('GET', '/v1.41/volumes?filters=null'), 400, /invalid filter/);
  await refused(await api('GET', '/v1.41/images/json?filters=nope'), 400, /invalid filter/);
  await refused(await api('GET', '/v1.41/events?since=yesterday'), 400, /since/);
  await refused(await api('GET', '/v1.41/events?filters={"colour":["red"]}'), 400, /Invalid filter 'colour'/);
  await refused(await api('GET', '/v1.41/containers/%ZZ/json'), 400, /invalid escape/);
  const id = (
    (await api('POST', `/v1.41/containers/create?name=${prefix}q`, { Image: 'busybox', Cmd: ['true'] })).json as {
      Id: string;
    }
  ).Id;
  await refused(await api('POST', `/v1.41/containers/${id}/kill?signal=NOT%20A%20SIGNAL`), 400, /Invalid signal/);
  await refused(await api('POST', `/v1.41/containers/${id}/wait?condition=sometime`), 400, /invalid condition/);
  await refused(await api('POST', `/v1.41/containers/${id}/stop?t=soon`), 400, /\bt\b/);
});

test('API versions above 1.41 and below 1.24 are refused; the CLI shows why', async (t) => {
  if (!m) return t.skip('no engines');
  await refused(
    await api('GET', '/v1.42/version'),
    400,
    /^client version 1\.42 is too new\. Maximum supported API version is 1\.41$/,
  );
  await refused(
    await api('GET', '/v1.23/containers/json'),
    400,
    /^client version 1\.23 is too old\. Minimum supported API version is 1\.24/,
  );
  assert.equal((await api('GET', '/v1.24/version')).status, 200);
  assert.equal((await api('GET', '/v1.41/version')).status, 200);
  const pinned = await m.docker(['version'], { env: { DOCKER_API_VERSION: '1.45' } });
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.stderr, /client version 1\.45 is too new\. Maximum supported API version is 1\.41/);
});

test('an unknown container is a 404 No such container, for every verb', async (t) => {
  if (!m) return t.skip('no engines');
  const ref = `${prefix}missing`;
  for (const [method, path] of [
    ['GET', `/v1.41/containers/${ref}/json`],
    ['POST', `/v1.41/containers/${ref}/start`],
    ['POST', `/v1.41/containers/${ref}/stop`],
    ['POST', `/v1.41/containers/${ref}/wait`],
    ['GET', `/v1.41/containers/${ref}/logs?stdout=1`],
    ['POST', `/v1.41/containers/${ref}/exec`],
    ['DELETE', `/v1.41/containers/${ref}?force=1`],
  ] as const) {
    await refused(
      await api(method, path, method === 'POST' && path.endsWith('/exec') ? { Cmd: ['true'] } : undefined),
      404,
      new RegExp(`No such container: ${ref}`),
    );
  }
});

test('an unknown route is a 404 with a JSON message; a known path with another method a 405', async (t) => {
  if (!m) return t.skip('no engines');
  await refused(await api('GET', '/v1.41/nowhere'), 404, /page not found/);
  await refused(await api('GET', '/swarm'), 404, /page not found/);
  await refused(await api('PUT', '/v1.41/containers/json'), 405, /Method Not Allowed/);
});

test('create with a taken name is a 409; of two concurrent creates of one name exactly one wins', async (t) => {
  if (!m) return t.skip('no engines');
  const body = { Image: 'busybox', Cmd: ['true'] };
  const first = await api('POST', `/v1.41/containers/create?name=${prefix}taken`, body);
  assert.equal(first.status, 201, first.text);
  const id = (first.json as { Id: string }).Id;
  await refused(
    await api('POST', `/v1.41/containers/create?name=${prefix}taken`, body),
    409,
    new RegExp(`^Conflict: The name "${prefix}taken" is already in use by container "${id}"`),
  );

  for (let round = 0; round < 3; round++) {
    const name = `${prefix}race${round}`;
    const answers = await Promise.all([0, 1].map(() => api('POST', `/v1.41/containers/create?name=${name}`, body)));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [201, 409], answers.map((a) => a.text).join(' | '));
    const loser = answers.find((a) => a.status === 409)!;
    assert.match(messageOf(loser), new RegExp(`^Conflict: The name "${name}" is already in use`));
    assert.equal((await created(name)).length, 1, 'exactly one container holds the name');
  }
  // Five at once: still exactly one.
  const name = `${prefix}race-many`;
  const answers = await Promise.all(
    [0, 1, 2, 3, 4].map(() => api('POST', `/v1.41/containers/create?name=${name}`, body)),
  );
  assert.equal(answers.filter((a) => a.status === 201).length, 1);
  assert.equal(answers.filter((a) => a.status === 409).length, 4);
});

test('a client that goes away mid-request does not hurt the manager', async (t) => {
  if (!m) return t.skip('no engines');
  const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(m.host)!;
  await new Promise<void>((resolve) => {
    const req = http.request({
      host,
      port: Number(port),
      method: 'POST',
      path: '/v1.41/containers/create',
      agent: false,
    });
    req.setHeader('Content-Type', 'application/json');
    req.setHeader('Content-Length', '1000');
    req.on('error', () => resolve());
    req.write('{"Image":');
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 200);
  });
  assert.equal((await api('GET', '/_ping')).text, 'OK');
});

test('docker builder prune, not served, says so by name, not with a bare 404', async (t) => {
  if (!m) return t.skip('no engines');
  const result = await m.docker(['builder', 'prune', '-f']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /docker builder prune is not supported by Mesoswarm yet/);
  await refused(await api('POST', '/v1.41/build/prune'), 501, /docker builder prune is not supported/);
});

test('a name is unique across the cluster: run --name of a name used on the other node is a Conflict', async (t) => {
  if (!m) return t.skip('no engines');
  const nodes = await engineNames();
  await m.docker.ok([
    'run',
    '-d',
    '--name',
    `${prefix}unique`,
    '-e',
    `constraint:node==${nodes[0]}`,
    'busybox',
    'sleep',
    '30',
  ]);
  const second = await m.docker([
    'run',
    '-d',
    '--name',
    `${prefix}unique`,
    '-e',
    `constraint:node==${nodes[1]}`,
    'busybox',
    'true',
  ]);
  assert.equal(second.code, 125);
  assert.match(second.stderr, new RegExp(`Conflict: The name "${prefix}unique" is already in use`));
  assert.equal((await created(`${prefix}unique`)).length, 1);
});
