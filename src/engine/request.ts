// A buffered JSON request to an engine, for calls whose answer the manager reads or merges (listings, inspects,
// creates) rather than streams through. Connection failures count against the engine's health.
import type http from 'node:http';
import type { Engine } from './engine.js';
import { cannotConnect } from '../errors.js';

export interface EngineAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** dockerd's `message` for errors, else the body text. */
  readonly message: string;
}

export function engineRequest(
  engine: Engine,
  method: string,
  path: string,
  body?: unknown,
  headers: http.OutgoingHttpHeaders = {},
): Promise<EngineAnswer> {
  return new Promise((resolve, reject) => {
    const payload =
      body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body), 'utf8');
    const request = engine.transport.request({
      method,
      path,
      headers: {
        ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
        ...headers,
      },
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        engine.noteSuccess();
        const buffer = Buffer.concat(chunks);
        const text = buffer.toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        const message =
          json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string'
            ? (json as { message: string }).message
            : text.trim();
        resolve({ status: res.statusCode ?? 500, headers: res.headers, body: buffer, json, message });
      });
    });
    request.on('error', (err) => {
      engine.noteCallFailure(err);
      reject(cannotConnect(engine.address, err));
    });
    request.end(payload);
  });
}
