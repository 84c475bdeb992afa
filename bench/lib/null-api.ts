// A Docker Engine API server that does no work, run as its own process (`node --import tsx bench/lib/null-api.ts
// <port>`). The throughput and API benchmarks drive it with the very load they put on the manager: what it
// sustains is the ceiling of node:http plus the load generator on this machine, the baseline beside each figure.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const port = Number(process.argv[2] ?? 0);

const server = http.createServer((req, res) => {
  // Read the body, as the manager must, before answering.
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = req.url ?? '/';
    if (req.method === 'POST' && /\/containers\/create/.test(url)) {
      JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const body = JSON.stringify({ Id: randomBytes(32).toString('hex'), Warnings: [] });
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } else if (req.method === 'POST' && /\/start$/.test(url)) {
      res.writeHead(204);
      res.end();
    } else if (/\/_ping$/.test(url)) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
      res.end('OK');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
      res.end('{}');
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
