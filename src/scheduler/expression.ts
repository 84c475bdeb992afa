// Owns the expression language of constraints, affinities and whitelists (`key==value`, `key!=value`, soft `~`,
// globs and `/regex/`): its grammar, its error texts, and how a value matches a candidate string. Word for word
// classic Swarm's `scheduler/filter/expr.go`, except that a malformed expression is refused up front (400)
// instead of surfacing as a placement failure.

import { badParameter } from '../errors.js';
import { compileRe2, UnsupportedPatternError } from './regex.js';

export type Operator = '==' | '!=';

export interface Expression {
  readonly key: string;
  readonly operator: Operator;
  /** The value with its soft marker removed: a glob, or `/regex/`. */
  readonly value: string;
  /** Written `key==~value`: enforced in the first pass only (see README, "soft"). */
  readonly soft: boolean;
  /** Whether the value matches one candidate string, before the operator is applied. */
  readonly matches: (candidate: string) => boolean;
}

// `==` is looked for before `!=`, so `a!==b` splits on `==` and fails on its key, as in classic Swarm.
const OPERATORS: readonly Operator[] = ['==', '!='];
// Go's `(?i)[a-z_][a-z0-9\-_.]+`: at least two characters.
const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
// Go's `\s` is exactly [\t\n\f\r ]; JS's is wider, so it is spelled out.
const VALUE = /^[=!/]?~?[a-z0-9:\-_\t\n\f\r .*/()?+[\]\\^$|]+$/i;
// A glob without any of these is a plain string, compared with `===` rather than a regex (same result, faster).
const RE2_METACHARACTERS = /[\\.+*?()|[\]{}^$]/;

/** Parses one expression (`region==us-*`, `node!=/node[12]/`, `image==~redis`). Throws a 400 on bad syntax. */
export function parseExpression(text: string): Expression {
  const operator = OPERATORS.find((op) => text.includes(op));
  if (operator === undefined) throw badParameter('One of operator ==, != is expected');
  const at = text.indexOf(operator);
  const key = text.slice(0, at);
  const rawValue = text.slice(at + operator.length);
  if (!KEY.test(key)) throw badParameter(`Key '${key}' is invalid`);
  if (!VALUE.test(rawValue)) throw badParameter(`Value '${rawValue}' is invalid`);
  const soft = rawValue.startsWith('~');
  const value = soft ? rawValue.slice(1) : rawValue;
  return { key, operator, value, soft, matches: compileValue(value, rawValue) };
}

export function parseExpressions(texts: readonly string[]): Expression[] {
  return texts.map(parseExpression);
}

/** Applies the operator to "did any candidate match": `==` wants a match, `!=` wants none. */
export function holds(expression: Expression, anyCandidateMatched: boolean): boolean {
  return expression.operator === '==' ? anyCandidateMatched : !anyCandidateMatched;
}

/** Evaluates the expression over a set of candidate strings, the way classic Swarm's `expr.Match` does. */
export function evaluate(expression: Expression, candidates: Iterable<string>): boolean {
  let matched = false;
  for (const candidate of candidates) {
    if (expression.matches(candidate)) {
      matched = true;
      break;
    }
  }
  return holds(expression, matched);
}

/** `key==value`, as classic Swarm lists it in placement errors; affinities and whitelists add ` (soft=…)`. */
export function formatExpression(expression: Expression, withSoft: boolean): string {
  const text = `${expression.key}${expression.operator}${expression.value}`;
  return withSoft ? `${text} (soft=${expression.soft})` : text;
}

function compileValue(value: string, rawValue: string): (candidate: string) => boolean {
  // A lone "/" would be an empty-bodied regex; classic Swarm crashes on it (slice out of range), we read it as text.
  const isRegex = value.length >= 2 && value.startsWith('/') && value.endsWith('/');
  if (!isRegex && !RE2_METACHARACTERS.test(value)) return (candidate) => candidate === value;
  // A glob is a regex too: only `*` is rewritten, every other metacharacter keeps its regex meaning.
  const pattern = isRegex ? value.slice(1, -1) : `^${value.replaceAll('*', '.*')}$`;
  let regex: RegExp;
  try {
    regex = compileRe2(pattern);
  } catch (err) {
    if (err instanceof UnsupportedPatternError) throw badParameter(`Value '${rawValue}' is invalid: ${err.message}`);
    throw err;
  }
  return (candidate) => regex.test(candidate);
}
