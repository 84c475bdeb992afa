// The process-level guard: an uncaught error that is one connection's I/O failure is logged and the process keeps
// serving; anything else is logged with its stack and the process exits non-zero (a bug is never swallowed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { guardHandler, isContained } from '../../src/cli/process-guard.js';

test('a connection’s I/O error is contained and logged; any other error exits with 1, logged with its stack', () => {
  const lines: string[] = [];
  const logger = pino(
    {},
    new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const exits: number[] = [];
  const handle = guardHandler(logger, (code) => exits.push(code))('uncaughtException');
  {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    assert.ok(isContained(reset));
    handle(reset);
    assert.deepEqual(exits, []);
    assert.match(lines.join(''), /contained error; still serving/);
    const bug = new TypeError("Cannot read properties of null (reading 'Name')");
    assert.ok(!isContained(bug));
    handle(bug);
    assert.deepEqual(exits, [1]);
    assert.match(lines.at(-1)!, /uncaught error; exiting/);
    assert.match(lines.at(-1)!, /TypeError: Cannot read properties of null/);
  }
});
