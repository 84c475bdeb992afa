// `docker version`, `docker info` (classic Swarm's SystemStatus layout, per node) and the ping the CLI negotiates
// with, through the manager over both engines; plus HEAD, which the CLI sends first on every connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needEngines, ENGINES } from '../helpers/services.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { engineNames } from '../helpers/nodes.js';
import { freePort, onOneConnection, request } from '../helpers/http.js';

let m: TestManager | undefined;

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager();
});
after(async () => {
  await m?.close();
});

/** The `Server:` part of `docker info`, as `key: value` pairs in order, keys with their indentation. */
function serverLines(output: string): [string, string][] {
  const server = output.slice(output.indexOf('\nServer:'));
  return server
    .split('\n')
    .slice(1)
    .filter((line) => line.includes(': ') || line.endsWith(':'))
    .map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at), line.slice(at + 1).trim()];
    });
}

/** The block of lines under ` <name>: <addr>` in SystemStatus. */
function nodeBlock(lines: [string, string][], name: string): Map<string, string> {
  const start = lines.findIndex(([key]) => key.trim() === name && !key.includes('└'));
  assert.ok(start >= 0, `no node ${name} in docker info`);
  const block = new Map<string, string>([['addr', lines[start]![1]]]);
  for (const [key, value] of lines.slice(start + 1)) {
    if (!key.includes('└')) break;
    block.set(key.replace(/^\s*└\s*/, ''), value);
  }
  return block;
}

test('docker version negotiates down to 1.41 and shows the manager as the server', async (t) => {
  if (!m) return t.skip('no engines');
  const out = await m.docker.ok([
    'version',
    '--format',
    '{{.Client.APIVersion}}|{{.Server.Version}}|{{.Server.APIVersion}}|{{.Server.MinAPIVersion}}|{{.Server.Os}}',
  ]);
  const [client, server, api, min, os] = out.split('|');
  assert.equal(client, '1.41', 'the 28.x CLI must drop to the API version the manager advertises');
  assert.match(server!, /^mesoswarm\/\S+$/);
  assert.equal(api, '1.41');
  assert.equal(min, '1.24');
  assert.equal(os, 'linux');
});

test('docker info shows the SystemStatus layout with every node', async (t) => {
  if (!m) return t.skip('no engines');
  const names = await engineNames();
  const out = await m.docker.ok(['info']);
  const lines = serverLines(out);
  const top = new Map(lines.map(([k, v]) => [k.trim(), v]));
  assert.equal(top.get('Role'), 'primary');
  assert.equal(top.get('Strategy'), 'spread');
  assert.equal(top.get('Filters'), 'health, port, containerslots, dependency, affinity, constraint, whitelist');
  assert.equal(top.get('Nodes'), String(ENGINES.length));
  // Order as printed: Role, Strategy, Filters, Nodes, then the nodes in natural order of their names.
  const keys = lines.map(([k]) => k.trim());
  assert.ok(keys.indexOf('Role') < keys.indexOf('Strategy') && keys.indexOf('Strategy') < keys.indexOf('Filters'));
  assert.ok(keys.indexOf('Filters') < keys.indexOf('Nodes'));
  const nodeOrder = names.map((n) => keys.indexOf(n));
  const sorted = [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
  assert.deepEqual(
    [...names].sort((a, b) => keys.indexOf(a) - keys.indexOf(b)),
    sorted,
    `nodes at ${nodeOrder.join(',')}`,
  );

  let containerSum = 0;
  for (const [i, engine] of ENGINES.entries()) {
    const name = names[i]!;
    const direct = dockerCli(engine);
    const [id, ncpu, serverVersion] = (
      await direct.ok(['info', '--format', '{{.ID}}|{{.NCPU}}|{{.ServerVersion}}'])
    ).split('|');
    const block = nodeBlock(lines, name);
    const addr = engine.replace(/^tcp:\/\//, '');
    assert.equal(block.get('addr'), addr);
    assert.equal(block.get('ID'), `${id}|${addr}`);
    assert.equal(block.get('Status'), 'Healthy');
    const containers = /^(\d+) \((\d+) Running, (\d+) Paused, (\d+) Stopped\)$/.exec(block.get('Containers') ?? '');
    assert.ok(containers, `Containers line: ${block.get('Containers')}`);
    const [total, running, paused, stopped] = containers.slice(1).map(Number) as [number, number, number, number];
    assert.equal(running + paused + stopped, total);
    containerSum += total;
    assert.match(block.get('Reserved CPUs') ?? '', new RegExp(`^\\d+(\\.\\d+)? / ${ncpu}$`));
    assert.match(block.get('Reserved Memory') ?? '', /^\d+(\.\d+)? [KMGT]?i?B \/ \d+(\.\d+)? [KMGT]iB$/);
    const labels = block.get('Labels') ?? '';
    assert.match(labels, /(^|, )ostype=linux(,|$)/);
    assert.match(labels, /(^|, )storagedriver=\S+/);
    assert.deepEqual(labels.split(', '), [...labels.split(', ')].sort(), 'labels are sorted');
    assert.match(block.get('UpdatedAt') ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(block.get('ServerVersion'), serverVersion);
    assert.ok(!block.has('Error'), 'a healthy node has no Error line');
  }
  assert.equal(Number(top.get('Containers')), containerSum, 'the cluster total is the sum over the nodes');
  assert.equal(top.get('Server Version')?.startsWith('mesoswarm/'), true);
});

test('docker info reflects --strategy, --filter and a node that cannot be reached', async (t) => {
  if (!(await needEngines(t))) return;
  const dead = `127.0.0.1:${await freePort()}`;
  const other = await startTestManager(
    { strategy: 'binpack', filter: ['health', 'port'] },
    [...ENGINES, dead].join(','),
  );
  try {
    const lines = serverLines(await other.docker.ok(['info']));
    const top = new Map(lines.map(([k, v]) => [k.trim(), v]));
    assert.equal(top.get('Strategy'), 'binpack');
    assert.equal(top.get('Filters'), 'health, port');
    assert.equal(top.get('Nodes'), String(ENGINES.length + 1));
    const block = nodeBlock(lines, '(unknown)');
    assert.equal(block.get('addr'), dead);
    assert.equal(block.get('Status'), 'Pending');
    assert.equal(block.get('Containers'), '0');
    assert.match(block.get('Error') ?? '', /ECONNREFUSED|connect/i);
    // The healthy nodes still serve: a listing works.
    assert.equal((await other.docker(['ps'])).code, 0);
  } finally {
    await other.close();
  }
});

test('GET and HEAD /_ping answer with the headers the CLI negotiates from', async (t) => {
  if (!m) return t.skip('no engines');
  const get = await request(m.host, 'GET', '/_ping');
  assert.equal(get.status, 200);
  assert.equal(get.text, 'OK');
  assert.equal(get.headers['api-version'], '1.41');
  assert.equal(get.headers.ostype, 'linux');
  assert.equal(get.headers['cache-control'], 'no-cache, no-store, must-revalidate');
  const head = await request(m.host, 'HEAD', '/_ping');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers['content-length'], '0');
  assert.equal(head.headers['api-version'], '1.41');
});

test('HEAD on a GET route answers like the GET, without a body', async (t) => {
  if (!m) return t.skip('no engines');
  const get = await request(m.host, 'GET', '/v1.41/containers/json?all=1');
  const head = await request(m.host, 'HEAD', '/v1.41/containers/json?all=1');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers['content-type'], get.headers['content-type']);
  const missing = await request(m.host, 'HEAD', '/v1.41/containers/no-such-container-anywhere/json');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, '');
});

test('HEAD on a streaming route (/events) ends, so a keep-alive connection serves the next request', async (t) => {
  if (!m) return t.skip('no engines');
  const listenersBefore = Number(await m.docker.ok(['info', '--format', '{{.NEventsListener}}']));
  const received = await onOneConnection(m.host, [
    'HEAD /v1.41/events HTTP/1.1\r\nHost: docker\r\n\r\n',
    'GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n',
  ]);
  const statuses = [...received.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((x) => x[1]);
  assert.deepEqual(statuses, ['200', '200'], received);
  assert.ok(received.endsWith('OK'), `the ping after the HEAD must be answered:\n${received}`);
  const listenersAfter = Number(await m.docker.ok(['info', '--format', '{{.NEventsListener}}']));
  assert.equal(listenersAfter, listenersBefore, 'the HEAD must not leave an event listener behind');
});

test('every answer carries the identity headers, errors included', async (t) => {
  if (!m) return t.skip('no engines');
  for (const path of ['/version', '/v1.41/info', '/v1.41/containers/no-such-container-anywhere/json', '/nowhere']) {
    const answer = await request(m.host, 'GET', path);
    assert.equal(answer.headers['api-version'], '1.41', path);
    assert.equal(answer.headers.ostype, 'linux', path);
    assert.match(String(answer.headers.server), /^mesoswarm\//, path);
  }
});
