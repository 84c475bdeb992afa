// Engine health counts only what says something about the engine: a refused or reset connection does; a request's
// own failure (a body that cannot be serialized, a stack overflow, an invalid header) does not, and neither does a
// client that hangs up while its request is proxied. Against a stand-in daemon that accepts and never answers, and a
// port nothing listens on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Engine } from '../../src/engine/engine.js';
import { engineError } from '../../src/engine/call.js';
import { engineFault } from '../../src/engine/faults.js';
import { forward } from '../../src/engine/proxy.js';
import { silentLogger } from '../../src/util/logger.js';
import { freePort } from '../helpers/http.js';
import { eventually } from '../helpers/manager.js';

const engineAt = (address: string) =>
  new Engine({
    address,
    tls: undefined,
    refreshMinMs: 60_000,
    refreshMaxMs: 60_000,
    failureRetry: 3,
    logger: silentLogger,
  });

const withCode = (code: string) => Object.assign(new Error(code), { code });

test('which failures count against an engine', () => {
  for (const code of [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'HPE_INVALID_CONSTANT',
    'CERT_HAS_EXPIRED',
  ]) {
    assert.ok(engineFault(withCode(code)), code);
  }
  for (const err of [
    new RangeError('Maximum call stack size exceeded'),
    new TypeError('Converting circular structure to JSON'),
    withCode('ERR_INVALID_CHAR'),
    withCode('EMFILE'),
    'a string',
    undefined,
  ]) {
    assert.ok(!engineFault(err), String(err));
  }
});

test('a request’s own error is not counted; a refused connection is', async () => {
  const engine = engineAt(`tcp://127.0.0.1:${await freePort()}`);
  try {
    engineError(engine, new RangeError('Maximum call stack size exceeded'));
    engineError(engine, withCode('ERR_INVALID_CHAR'));
    assert.equal(engine.failureCount, 0);
    engineError(engine, withCode('ECONNREFUSED'));
    assert.equal(engine.failureCount, 1);
  } finally {
    engine.close();
  }
});

test('a client hanging up on a proxied request is not the engine’s failure', async () => {
  // A daemon that takes the request and never answers, like one busy with a slow call.
  const sockets: net.Socket[] = [];
  let closed = 0;
  const daemon = net.createServer((s) => {
    sockets.push(s.on('error', () => undefined).on('close', () => closed++));
    s.resume();
  });
  await new Promise<void>((resolve) => daemon.listen(0, '127.0.0.1', resolve));
  const engine = engineAt(`tcp://127.0.0.1:${(daemon.address() as net.AddressInfo).port}`);
  const proxy = http.createServer((req, res) => {
    forward(engine, { method: 'GET', path: '/containers/x/logs', headers: req.headers }, res).catch(() => undefined);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    const client = http.get({
      host: '127.0.0.1',
      port: (proxy.address() as net.AddressInfo).port,
      path: '/',
      agent: false,
    });
    client.on('error', () => undefined);
    await eventually(() => sockets.length === 1, 5000);
    client.destroy();
    await eventually(() => closed === 1, 5000); // the proxy cut its request to the engine
    assert.equal(engine.failureCount, 0, engine.lastError);
  } finally {
    engine.close();
    proxy.close();
    for (const s of sockets) s.destroy();
    daemon.close();
  }
});
