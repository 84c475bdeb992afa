// Requests sent to several engines at once whose JSON-lines progress is merged into one stream for the client
// (pull, import, load), each line tagged with the node it came from. When every engine refuses, the client gets
// the first refusal as an ordinary error response; when some do, a final error line says which.
import type http from 'node:http';
import { PassThrough } from 'node:stream';
import type { Engine } from '../engine/engine.js';
import { splitLines } from '../engine/lines.js';
import { engineFailed, unavailable } from '../errors.js';

interface Answer {
  readonly engine: Engine;
  readonly response?: http.IncomingMessage;
  readonly error?: string;
  readonly status: number;
}

export interface FanOutOptions {
  readonly method: string;
  readonly path: string;
  readonly headers: http.OutgoingHttpHeaders;
  /** The client's body, copied to every engine (load, import). */
  readonly body?: NodeJS.ReadableStream;
  /** Rewrites one progress line from one engine. */
  readonly tag: (line: Record<string, unknown>, engine: Engine) => Record<string, unknown>;
}

export async function fanOut(
  engines: readonly Engine[],
  options: FanOutOptions,
  res: http.ServerResponse,
): Promise<void> {
  const targets = engines.filter((e) => e.isHealthy);
  if (!targets.length) throw unavailable('No healthy node available in the cluster');
  const copies = targets.map(() => new PassThrough());
  if (options.body) for (const copy of copies) options.body.pipe(copy);
  const answers = await Promise.all(targets.map((engine, i) => send(engine, options, copies[i]!, !!options.body)));

  const ok = answers.filter((a) => a.response && a.status === 200);
  if (!ok.length) {
    const first = answers[0]!;
    throw engineFailed(first.status || 500, answers.length > 1 ? `${first.engine.name}: ${first.error}` : first.error!);
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const failures = answers.filter((a) => a.status !== 200).map((a) => `${a.engine.name}: ${a.error}`);
  await Promise.all(
    ok.map(
      (answer) =>
        new Promise<void>((resolve) => {
          splitLines(answer.response!, (line) => {
            let parsed: Record<string, unknown>;
            try {
              parsed = JSON.parse(line) as Record<string, unknown>;
            } catch {
              parsed = { stream: line };
            }
            if (parsed.error) failures.push(`${answer.engine.name}: ${String(parsed.error)}`);
            else res.write(`${JSON.stringify(options.tag(parsed, answer.engine))}\r\n`);
          });
          answer.response!.on('end', resolve);
          answer.response!.on('error', (err) => {
            failures.push(`${answer.engine.name}: ${err.message}`);
            resolve();
          });
        }),
    ),
  );
  if (failures.length) {
    const message = failures.join('; ');
    res.write(`${JSON.stringify({ errorDetail: { message }, error: message })}\r\n`);
  }
  res.end();
}

function send(engine: Engine, options: FanOutOptions, body: PassThrough, hasBody: boolean): Promise<Answer> {
  return new Promise((resolve) => {
    const request = engine.transport.request({ method: options.method, path: options.path, headers: options.headers });
    request.on('response', (response) => {
      engine.noteSuccess();
      if (response.statusCode === 200) {
        resolve({ engine, response, status: 200 });
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let message = text.trim();
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {
          /* not JSON: keep the text */
        }
        resolve({ engine, status: response.statusCode ?? 500, error: message });
      });
    });
    request.on('error', (err) => {
      engine.noteCallFailure(err);
      resolve({ engine, status: 500, error: err.message });
    });
    if (hasBody) body.pipe(request);
    else request.end();
  });
}
