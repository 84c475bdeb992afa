// The API server's limits (src/api/limits.ts, README "Limits"): the request head's size and time, a JSON body's
// time, the keep-alive idle time, connections in all and per client, requests in flight per client — each hit and
// answered as stated — while streams (events, wait, a followed log) outlive every one of those timers many times.
// The limits are set short here so the test takes seconds; the defaults are checked to be what README says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { needEngines } from '../helpers/services.js';
import {
  eventually,
  startTestManager,
  removeContainersNamed,
  uniquePrefix,
  type TestManager,
} from '../helpers/manager.js';
import { request } from '../helpers/http.js';
import { within } from '../helpers/deadline.js';
import { DEFAULT_LIMITS } from '../../src/api/limits.js';

const prefix = uniquePrefix('limits');
const SHORT = {
  headersTimeoutMs: 1000,
  bodyTimeoutMs: 1000,
  keepAliveTimeoutMs: 1000,
  maxConnections: 40,
  maxConnectionsPerClient: 20,
  maxRequestsPerClient: 8,
};
let m: TestManager | undefined;

before(async () => {
  if (!(await needEngines())) return;
  m = await startTestManager({}, undefined, { limits: SHORT });
});
after(async () => {
  await m?.close();
  await removeContainersNamed(prefix);
});

function endpoint(): { host: string; port: number } {
  const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(m!.host)!;
  return { host: host!, port: Number(port) };
}

/** A raw connection; resolves with everything received once the server closes it (or rejects after `waitMs`). */
function rawUntilClosed(write: (socket: net.Socket) => void, waitMs: number): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(endpoint(), () => write(socket));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${waitMs} ms; received ${JSON.stringify(text.slice(0, 200))}`));
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, ms: Date.now() - started });
    });
  });
}

/** An open stream request (`path`) whose headers arrived; `close()` ends it. */
function openStream(path: string, method = 'GET'): Promise<{ res: http.IncomingMessage; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...endpoint(), method, path, agent: false });
    req.on('response', (res) => resolve({ res, close: () => req.destroy() }));
    req.on('error', reject);
    req.end();
  });
}

test('the defaults are the ones README states', () => {
  assert.deepEqual(DEFAULT_LIMITS, {
    maxHeaderBytes: 64 * 1024,
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 60_000,
    keepAliveTimeoutMs: 60_000,
    maxConnections: 4096,
    maxConnectionsPerClient: 1024,
    maxRequestsPerClient: 256,
  });
});

test('a request head over 64 KiB is a 431; one under it is served', async (t) => {
  if (!m) return t.skip('no engines');
  const big = await rawUntilClosed(
    (s) => s.write(`GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`),
    within(5000),
  );
  assert.match(big.text, /^HTTP\/1\.1 431 /);
  const fine = await request(m.host, 'GET', '/_ping', { headers: { 'X-Registry-Auth': 'a'.repeat(30 * 1024) } });
  assert.equal(fine.text, 'OK');
});

test('a head that never finishes is cut after the headers timeout; a trickled JSON body gets a 408', async (t) => {
  if (!m) return t.skip('no engines');
  const slowHead = await rawUntilClosed((s) => s.write('GET /_ping HTTP/1.1\r\nHost: x\r\n'), within(10_000));
  assert.ok(slowHead.ms >= SHORT.headersTimeoutMs, `closed after ${slowHead.ms} ms`);
  assert.match(slowHead.text, /^HTTP\/1\.1 408 /);
  const slowBody = await rawUntilClosed((s) => {
    s.write(
      `POST /v1.41/containers/create?name=${prefix}slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        'Content-Length: 100\r\nConnection: close\r\n\r\n{"Image":',
    );
  }, within(10_000));
  assert.match(slowBody.text, /^HTTP\/1\.1 408 /);
  assert.match(slowBody.text, /request body not received within 1 s/);
});

test('an idle kept-alive connection is closed after the keep-alive timeout', async (t) => {
  if (!m) return t.skip('no engines');
  const idle = await rawUntilClosed((s) => s.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n'), within(10_000));
  assert.match(idle.text, /^HTTP\/1\.1 200 /);
  assert.ok(idle.ms >= SHORT.keepAliveTimeoutMs, `closed after ${idle.ms} ms`);
});

test('one client gets at most its requests in flight (429 past it), and a freed slot serves again', async (t) => {
  if (!m) return t.skip('no engines');
  const streams = await Promise.all(Array.from({ length: SHORT.maxRequestsPerClient }, () => openStream('/events')));
  try {
    const refused = await request(m.host, 'GET', '/_ping');
    assert.equal(refused.status, 429, refused.text);
    assert.match(refused.text, /too many requests in flight from this client \(at most 8\)/);
    streams.pop()!.close();
    await eventually(async () => (await request(m!.host, 'GET', '/_ping')).text === 'OK', 5000);
  } finally {
    for (const s of streams) s.close();
  }
});

test('connections past the per-client cap are closed at once', async (t) => {
  if (!m) return t.skip('no engines');
  const open: net.Socket[] = [];
  try {
    for (let i = 0; i < SHORT.maxConnectionsPerClient; i++) {
      open.push(
        await new Promise<net.Socket>((resolve) => {
          const s = net.connect(endpoint(), () => resolve(s));
        }),
      );
    }
    const extra = await rawUntilClosed((s) => s.write('GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n'), within(5000));
    assert.equal(extra.text, '', 'closed without an answer');
  } finally {
    for (const s of open) s.destroy();
  }
});

test('streams outlive every timer: events, wait and a followed log deliver after several timeouts', async (t) => {
  if (!m) return t.skip('no engines');
  const name = `${prefix}stream`;
  await m.docker.ok(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'sleep 4; echo late; sleep 1']);
  const events = await openStream(`/v1.41/events?filters=${encodeURIComponent(JSON.stringify({ container: [name] }))}`);
  const logs = await openStream(`/v1.41/containers/${name}/logs?follow=1&stdout=1`);
  const wait = await openStream(`/v1.41/containers/${name}/wait`, 'POST');
  const received = (res: http.IncomingMessage) => {
    const seen = { text: '' };
    res.on('data', (d: Buffer) => (seen.text += d.toString('latin1')));
    return seen;
  };
  const [eventText, logText, waitText] = [received(events.res), received(logs.res), received(wait.res)];
  try {
    // The container ends after ~5 s: five headers, body and keep-alive timeouts later, every stream still delivers.
    await eventually(() => /late/.test(logText.text) && /"StatusCode":0/.test(waitText.text), 20_000);
    await eventually(() => /"status":"die"/.test(eventText.text), 5000);
  } finally {
    for (const s of [events, logs, wait]) s.close();
    await m.docker(['rm', '-f', name]);
  }
});
