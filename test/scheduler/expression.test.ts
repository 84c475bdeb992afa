// The expression grammar and matching (classic Swarm's expr_test.go), plus the RE2 → JS translation.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isManagerError } from '../../src/errors.js';
import { evaluate, formatExpression, parseExpression } from '../../src/scheduler/expression.js';
import { compileRe2, UnsupportedPatternError } from '../../src/scheduler/regex.js';

function rejects(text: string, message: string | RegExp) {
  assert.throws(
    () => parseExpression(text),
    (err: unknown) => {
      assert.ok(isManagerError(err));
      assert.equal(err.status, 400);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

describe('expression grammar', () => {
  it('refuses keys with a leading digit, a space, * or $', () => {
    rejects('1node==node1', "Key '1node' is invalid");
    rejects('node ==node1', "Key 'node ' is invalid");
    rejects('no*de==node1', "Key 'no*de' is invalid");
    rejects('no$de==node1', "Key 'no$de' is invalid");
  });

  it('refuses one-character keys', () => rejects('a==b', "Key 'a' is invalid"));

  it('needs an operator', () => {
    rejects('1node', 'One of operator ==, != is expected');
    rejects('name=node0', 'One of operator ==, != is expected');
    rejects('name=!node0', 'One of operator ==, != is expected');
  });

  it('refuses an empty value and a second ~', () => {
    rejects('node==', "Value '' is invalid");
    rejects('region==~us~', "Value '~us~' is invalid");
    rejects('region==~~us', "Value '~~us' is invalid");
    rejects('image==~ima~ge-0:tag3', "Value '~ima~ge-0:tag3' is invalid");
  });

  it('accepts upper case, dots and a leading underscore in keys', () => {
    assert.deepEqual(pick(parseExpression('NoDe==node1')), {
      key: 'NoDe',
      value: 'node1',
      operator: '==',
      soft: false,
    });
    assert.deepEqual(pick(parseExpression('no.de==node1')), {
      key: 'no.de',
      value: 'node1',
      operator: '==',
      soft: false,
    });
    assert.deepEqual(pick(parseExpression('_node==_node1')), {
      key: '_node',
      value: '_node1',
      operator: '==',
      soft: false,
    });
  });

  it('accepts globs, /regex/ values and spaces in values', () => {
    assert.equal(parseExpression('node==*node*').value, '*node*');
    assert.equal(parseExpression('node==/(?i)^[a-b]+c*(n|b)$/').value, '/(?i)^[a-b]+c*(n|b)$/');
    assert.equal(parseExpression('node==node 1').value, 'node 1');
  });

  it('reads a leading ~ as soft and strips it', () => {
    assert.deepEqual(pick(parseExpression('node==~node-1')), {
      key: 'node',
      value: 'node-1',
      operator: '==',
      soft: true,
    });
    assert.deepEqual(pick(parseExpression('container!=~redis*')), {
      key: 'container',
      value: 'redis*',
      operator: '!=',
      soft: true,
    });
  });

  it('looks for == before !=, so a!==b fails on its key', () => rejects('ab!==b', "Key 'ab!' is invalid"));

  it('keeps a leading = or ! in the value (a===b compares against "=b")', () => {
    const e = parseExpression('ab===b');
    assert.equal(e.value, '=b');
    assert.ok(e.matches('=b'));
    assert.ok(!e.matches('b'));
  });

  it('formats as classic Swarm lists it', () => {
    assert.equal(formatExpression(parseExpression('node==~x'), true), 'node==x (soft=true)');
    assert.equal(formatExpression(parseExpression('node!=x'), false), 'node!=x');
  });
});

describe('expression matching', () => {
  it('== holds when any candidate matches, != when none does', () => {
    const eq = parseExpression('ab==foo');
    assert.ok(evaluate(eq, ['foo']));
    assert.ok(!evaluate(eq, ['bar']));
    assert.ok(evaluate(eq, ['foo', 'bar']));
    const ne = parseExpression('ab!=foo');
    assert.ok(!evaluate(ne, ['foo']));
    assert.ok(evaluate(ne, ['bar']));
    assert.ok(!evaluate(ne, ['foo', 'bar']));
    assert.ok(!evaluate(ne, ['bar', 'foo']));
  });

  it('globs are anchored and * matches anything', () => {
    const eq = parseExpression('ab==f*o');
    assert.ok(evaluate(eq, ['foo']));
    assert.ok(evaluate(eq, ['fuo']));
    assert.ok(evaluate(eq, ['foo', 'fuo', 'bar']));
    assert.ok(!evaluate(eq, ['xfoo']));
    const ne = parseExpression('ab!=f*o');
    assert.ok(!evaluate(ne, ['foo']));
    assert.ok(!evaluate(ne, ['foo', 'fuo', 'bar']));
  });

  it('glob values keep the other regex metacharacters (a . matches any character)', () => {
    const e = parseExpression('host==node.example');
    assert.ok(e.matches('node.example'));
    assert.ok(e.matches('nodeXexample'));
    const alternation = parseExpression('name==node1|node2');
    assert.ok(alternation.matches('node1-suffix'), 'Go reads ^node1|node2$ as (^node1)|(node2$)');
  });

  it('a plain value is an exact, case-sensitive comparison', () => {
    const e = parseExpression('name==node1');
    assert.ok(e.matches('node1'));
    assert.ok(!e.matches('Node1'));
    assert.ok(!e.matches('node10'));
  });

  it('/regex/ is unanchored, case-sensitive unless (?i)', () => {
    assert.ok(parseExpression('name==/node\\d/').matches('xxnode3yy'));
    assert.ok(!parseExpression('name==/abcdef/').matches('aBcDeF'));
    assert.ok(parseExpression('name==/(?i)abcdef/').matches('aBcDeF'));
    assert.ok(parseExpression('name==/(?i)^[a-b]+c*(n|b)$/').matches('ABCCN'));
  });

  it('(?i) works in a glob too', () => {
    const e = parseExpression('name==(?i)node*');
    assert.ok(e.matches('NODE-1'));
    assert.ok(!e.matches('xnode'));
  });

  it('refuses regexes JavaScript cannot read the way RE2 does', () => {
    rejects('name==/\\pL+/', /^Value '\/\\pL\+\/' is invalid: unsupported escape/);
    rejects('name==/a(?i)b/', /inline flags are supported only at the start/);
    rejects('name==/(?U)a+/', /unsupported inline flag/);
    rejects('name==/[a/', /missing closing/);
  });
});

describe('RE2 translation', () => {
  it('translates POSIX classes, \\A, \\z and \\Q…\\E', () => {
    assert.ok(compileRe2('^[[:alpha:]]+$').test('abcXYZ'));
    assert.ok(!compileRe2('^[[:alpha:]]+$').test('abc1'));
    assert.ok(compileRe2('^[[:punct:]]+$').test('!/[]\\^-`~'));
    assert.ok(compileRe2('\\Aab').test('abc'));
    assert.ok(!compileRe2('(?m)\\Aab').test('x\nab'));
    assert.ok(compileRe2('bc\\z').test('abc'));
    assert.ok(!compileRe2('(?m)bc\\z').test('abc\nx'));
    assert.ok(compileRe2('\\Qa.b\\E').test('a.b'));
    assert.ok(!compileRe2('\\Qa.b\\E').test('axb'));
  });

  it('reads a ] right after [ as a literal, as RE2 does', () => {
    assert.ok(compileRe2('^[]a]+$').test(']a]'));
    assert.ok(compileRe2('^[^]a]$').test('b'));
    assert.ok(!compileRe2('^[^]a]$').test(']'));
  });

  it('refuses backreferences, which RE2 does not have', () => {
    assert.throws(() => compileRe2('(a)\\1'), UnsupportedPatternError);
  });
});

function pick(e: ReturnType<typeof parseExpression>) {
  return { key: e.key, value: e.value, operator: e.operator, soft: e.soft };
}
