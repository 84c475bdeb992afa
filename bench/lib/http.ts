// The load generator's HTTP client: node:http on keep-alive agents against 127.0.0.1, reading whole answers.
// Deliberately plain (no dockerode, no fetch/undici) so the client's own cost is small, steady and the same for the
// manager and for the baselines it is compared with.
import http from 'node:http';

export interface Answer {
  readonly status: number;
  readonly body: Buffer;
  readonly json: unknown;
}

/** A keep-alive agent holding up to `sockets` connections: one per concurrent client, reused call after call. */
export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'lifo' });
}

const defaultAgent = keepAliveAgent(8);

export function request(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  agent: http.Agent = defaultAgent,
  parse = true,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = {};
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        let json: unknown;
        if (parse && all.length && /json/.test(String(res.headers['content-type']))) {
          try {
            json = JSON.parse(all.toString('utf8'));
          } catch {
            json = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, body: all, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const getJson = (port: number, path: string, agent?: http.Agent) => request(port, 'GET', path, undefined, agent);

/** Throws with the answer's message unless the status is one of `ok`. */
export function expectStatus(answer: Answer, what: string, ...ok: number[]): Answer {
  if (!ok.includes(answer.status)) {
    const message = (answer.json as { message?: string } | undefined)?.message ?? answer.body.toString('utf8', 0, 300);
    throw new Error(`${what}: HTTP ${answer.status}: ${message}`);
  }
  return answer;
}
