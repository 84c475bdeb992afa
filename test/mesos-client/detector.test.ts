import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createDetector,
  masterInfoUrl,
  parseMasterAddress,
  parseMasterInfo,
  resolveMasterAddress,
  StaticDetector,
  ZooKeeperDetector,
} from '../../src/mesos/detector.js';
import { MasterAddressError } from '../../src/mesos/errors.js';
import { resolveRedirect, schedulerUrl } from '../../src/mesos/http.js';

const href = (text: string): string => {
  const a = parseMasterAddress(text);
  assert.equal(a.kind, 'url');
  return a.kind === 'url' ? a.url.href : '';
};

test('host:port and http(s) URLs become scheduler endpoints', () => {
  assert.equal(href('m1.example.com:5050'), 'http://m1.example.com:5050/api/v1/scheduler');
  assert.equal(href('10.0.0.11'), 'http://10.0.0.11:5050/api/v1/scheduler');
  assert.equal(href('http://10.0.0.11:5051/'), 'http://10.0.0.11:5051/api/v1/scheduler');
  assert.equal(href('https://m1:5050'), 'https://m1:5050/api/v1/scheduler');
  assert.equal(href('http://m1:80'), 'http://m1/api/v1/scheduler', 'an explicit port is kept, even the default one');
  assert.equal(href('[::1]:5050'), 'http://[::1]:5050/api/v1/scheduler');
  assert.equal(href('http://m1:5050/master'), 'http://m1:5050/master/api/v1/scheduler');
  assert.equal(href('http://m1:5050/api/v1/scheduler'), 'http://m1:5050/api/v1/scheduler');
  const https = parseMasterAddress('m1:5050', 'https');
  assert.equal(https.kind === 'url' && https.url.protocol, 'https:');
});

test('zk:// URLs: servers, path, optional digest credentials', () => {
  assert.deepEqual(parseMasterAddress('zk://h1:2181,h2:2181/mesos'), {
    kind: 'zk',
    servers: 'h1:2181,h2:2181',
    path: '/mesos',
  });
  assert.deepEqual(parseMasterAddress('zk://user:p%40ss@127.0.0.1:2181/a/b/'), {
    kind: 'zk',
    servers: '127.0.0.1:2181',
    path: '/a/b',
    auth: { user: 'user', password: 'p@ss' },
  });
  assert.throws(() => parseMasterAddress('zk://h1:2181'), MasterAddressError);
  assert.throws(() => parseMasterAddress('zk://h1:2181/'), MasterAddressError);
  assert.throws(() => parseMasterAddress('zk://user@h1:2181/mesos'), MasterAddressError);
});

test('bad addresses are refused with MasterAddressError', () => {
  for (const bad of ['', '   ', 'ftp://m1:21', 'http://', 'file:///etc/x']) {
    assert.throws(() => parseMasterAddress(bad), MasterAddressError, bad);
  }
});

test('file:// holds one of the other forms', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mesos-addr-'));
  try {
    const zk = join(dir, 'zk');
    await writeFile(zk, 'zk://127.0.0.1:2181/mesos\n');
    assert.deepEqual(await resolveMasterAddress(pathToFileURL(zk).href), {
      kind: 'zk',
      servers: '127.0.0.1:2181',
      path: '/mesos',
    });
    const plain = join(dir, 'plain');
    await writeFile(plain, '  m1:5050 ');
    const detector = await createDetector(pathToFileURL(plain).href);
    assert.ok(detector instanceof StaticDetector);
    const zkDetector = await createDetector(pathToFileURL(zk).href);
    assert.ok(zkDetector instanceof ZooKeeperDetector);
    await zkDetector.stop();
    const loop = join(dir, 'loop');
    await writeFile(loop, pathToFileURL(plain).href);
    await assert.rejects(resolveMasterAddress(pathToFileURL(loop).href), MasterAddressError);
    await assert.rejects(resolveMasterAddress(pathToFileURL(join(dir, 'missing')).href), /cannot read/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('MasterInfo → endpoint: address.ip, then address.hostname, then pid, then hostname+port', () => {
  const url = (info: object) => masterInfoUrl(info as never)?.href;
  assert.equal(
    url({ id: 'x', address: { hostname: 'm1.example.com', ip: '10.0.0.11', port: 5050 }, hostname: 'm1.example.com' }),
    'http://10.0.0.11:5050/api/v1/scheduler',
  );
  assert.equal(url({ id: 'x', address: { hostname: 'm1', port: 5051 } }), 'http://m1:5051/api/v1/scheduler');
  assert.equal(url({ id: 'x', pid: 'master@10.0.0.12:5050' }), 'http://10.0.0.12:5050/api/v1/scheduler');
  assert.equal(url({ id: 'x', hostname: 'm3', port: 5050 }), 'http://m3:5050/api/v1/scheduler');
  assert.equal(url({ id: 'x', address: { ip: '::1', port: 5050 } }), 'http://[::1]:5050/api/v1/scheduler');
  assert.equal(url({ id: 'x' }), undefined);
  assert.equal(masterInfoUrl({ id: 'x', address: { ip: '10.0.0.1', port: 5050 } }, 'https')?.protocol, 'https:');
});

test('garbage znode data is not a MasterInfo', () => {
  assert.equal(parseMasterInfo(Buffer.from('\x08\x01binary-protobuf')), undefined);
  assert.equal(parseMasterInfo(Buffer.from('[1,2]')), undefined);
  assert.equal(parseMasterInfo(Buffer.from('null')), undefined);
  assert.equal(parseMasterInfo(Buffer.alloc(0)), undefined);
  assert.equal(parseMasterInfo(Buffer.from('{"id":"a"}'))?.id, 'a');
});

test('redirects keep host:port from Location and our scheme and path', () => {
  const ours = new URL('https://m1:5050/api/v1/scheduler');
  assert.equal(resolveRedirect(ours, '//m2:5051/api/v1/scheduler').href, 'https://m2:5051/api/v1/scheduler');
  assert.equal(resolveRedirect(ours, '//m2:5051/master/api/v1/scheduler').href, 'https://m2:5051/api/v1/scheduler');
  assert.equal(resolveRedirect(ours, 'http://m3:5052').href, 'https://m3:5052/api/v1/scheduler');
  assert.equal(resolveRedirect(ours, '//m2:5050').href, 'https://m2:5050/api/v1/scheduler');
  assert.throws(() => resolveRedirect(new URL('http://m1:5050/x'), 'mailto:x'));
  assert.equal(schedulerUrl(new URL('http://m:5050/?q=1#f')).href, 'http://m:5050/api/v1/scheduler');
});
