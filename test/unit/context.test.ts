// One request as handlers see it: dockerd's boolean and integer query rules, and a body reader that refuses what is
// too large or not a JSON object with a 400 rather than buffering or throwing something else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type http from 'node:http';
import { Context } from '../../src/api/context.js';
import type { Services } from '../../src/api/services.js';
import { isManagerError } from '../../src/errors.js';

function context(query: string, body?: Buffer | string, headers: Record<string, string> = {}): Context {
  const req = new PassThrough() as unknown as http.IncomingMessage & PassThrough;
  Object.assign(req, { method: 'POST', headers });
  if (body !== undefined) (req as unknown as PassThrough).end(body);
  else (req as unknown as PassThrough).end();
  return new Context(req, {} as http.ServerResponse, {}, new URLSearchParams(query), '1.41', '/x', {} as Services);
}

const badRequest = (pattern: RegExp) => (err: unknown) =>
  isManagerError(err) && err.status === 400 && pattern.test(err.message);

describe('Context query readers', () => {
  it('reads booleans the way dockerd does', () => {
    const ctx = context('a=1&b=true&c=yes&d=0&e=false&f=no&g=none&h=&i=FALSE&j= no ');
    for (const name of ['a', 'b', 'c']) assert.equal(ctx.bool(name), true, name);
    for (const name of ['d', 'e', 'f', 'g', 'h', 'i', 'j', 'absent']) assert.equal(ctx.bool(name), false, name);
  });

  it('reads integers, absent or empty as undefined, anything else a 400 naming the parameter', () => {
    const ctx = context('limit=5&t=-1&empty=&bad=abc&float=1.5');
    assert.equal(ctx.int('limit'), 5);
    assert.equal(ctx.int('t'), -1);
    assert.equal(ctx.int('empty'), undefined);
    assert.equal(ctx.int('absent'), undefined);
    assert.throws(() => ctx.int('bad'), badRequest(/^invalid value for bad: abc is not an integer$/));
    assert.throws(() => ctx.int('float'), badRequest(/float/));
  });
});

describe('Context body readers', () => {
  it('parses a JSON object, and reads an empty body as {}', async () => {
    assert.deepEqual(await context('', '{"Image":"busybox"}').json(), { Image: 'busybox' });
    assert.deepEqual(await context('', '').json(), {});
    assert.deepEqual(await context('', '  \n').json(), {});
    assert.deepEqual(await context('').json(), {});
  });

  it('refuses malformed JSON and non-objects with a 400', async () => {
    await assert.rejects(context('', '{"Image":').json(), badRequest(/^invalid JSON: /));
    await assert.rejects(context('', '[1]').json(), badRequest(/expected an object/));
    await assert.rejects(context('', '"text"').json(), badRequest(/expected an object/));
    await assert.rejects(context('', 'null').json(), badRequest(/expected an object/));
  });

  it('refuses a body over the limit, declared or as it arrives', async () => {
    await assert.rejects(
      context('', 'x', { 'content-length': String(10 * 1024 * 1024) }).body(),
      badRequest(/too large/),
    );
    await assert.rejects(context('', Buffer.alloc(2048, 'a')).body(1024), badRequest(/more than 1024 bytes/));
    assert.equal((await context('', Buffer.alloc(1024, 'a')).body(1024)).length, 1024);
  });

  it('reads the body once, however often it is asked for', async () => {
    const ctx = context('', '{"a":1}');
    assert.equal(await ctx.body(), await ctx.body());
    assert.deepEqual(await ctx.json(), { a: 1 });
  });
});
