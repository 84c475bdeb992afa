// A large answer written from many pieces through reused chunks: the client gets exactly the bytes in order, and a
// client that leaves mid-answer ends the write instead of leaving it pending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { randomBytes, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { writeGathered } from '../../src/util/gathered-write.js';

async function serve(handler: (res: http.ServerResponse) => Promise<void>) {
  const server = http.createServer((_req, res) => void handler(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('many small pieces, a piece larger than a chunk, and empty ones arrive whole and in order', async () => {
  const parts: Buffer[] = [];
  for (let i = 0; i < 20_000; i++) parts.push(randomBytes(1 + (i % 300)));
  parts.splice(7_000, 0, randomBytes(3 << 20), Buffer.alloc(0));
  const expected = Buffer.concat(parts);
  const { server, port } = await serve(async (res) => {
    res.writeHead(200, { 'Content-Length': expected.length });
    await writeGathered(res, parts);
  });
  try {
    // Twice, concurrently: the chunks are shared between answers only once a socket is done with them.
    const fetchAll = async () => Buffer.from(await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer());
    const [a, b] = await Promise.all([fetchAll(), fetchAll()]);
    assert.equal(a.length, expected.length);
    assert.equal(sha(a), sha(expected));
    assert.equal(sha(b), sha(expected));
  } finally {
    server.close();
  }
});

test('a client that leaves mid-answer ends the write', async () => {
  const parts = Array.from({ length: 400 }, () => randomBytes(256 << 10)); // 100 MiB: more than the socket buffers
  let done: Promise<void> | undefined;
  const { server, port } = await serve(async (res) => {
    res.writeHead(200, { 'Content-Length': parts.length * parts[0]!.length });
    done = writeGathered(res, parts);
    await done;
  });
  try {
    await new Promise<void>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}/`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
    });
    const outcome = await Promise.race([
      done!.then(() => 'ended'),
      new Promise((resolve) => setTimeout(resolve, 5_000, 'still pending')),
    ]);
    assert.equal(outcome, 'ended');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
