// Owns the translation of Go RE2 patterns (the dialect classic Swarm's constraint, affinity and whitelist values
// are written in) into JavaScript RegExps.
//
// The value grammar (expression.ts) only lets through letters, digits, whitespace and `: - _ . * / ( ) ? + [ ] \ ^
// $ |`, so only the RE2 constructs spellable with those characters need care. Inline flags are the one users rely
// on (`/(?i)node1/`, documented by classic Swarm); the others below keep their RE2 meaning or are refused, never
// silently reinterpreted.

/** Thrown when a pattern is not valid RE2, or uses RE2 syntax JavaScript cannot express. */
export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
}

// Go's ASCII classes, written as JS character-class contents.
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

// `\A` and `\z` are absolute text boundaries in RE2 whatever the flags; JS `^`/`$` follow the `m` flag, so
// lookarounds say "nothing before" / "nothing after" instead.
const TEXT_START = '(?<![\\s\\S])';
const TEXT_END = '(?![\\s\\S])';

const escapeLiteral = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * Compiles an RE2 pattern to a JS RegExp with the same matching behaviour (unanchored, like Go's MatchString).
 * Inline flags (`(?i)`, `(?s)`, `(?m)`, combined) are accepted at the start of the pattern, or right after a
 * leading `^` (where a glob puts them). Throws UnsupportedPatternError otherwise.
 */
export function compileRe2(pattern: string): RegExp {
  let flags = '';
  let out = '';
  let i = 0;
  if (pattern.startsWith('^')) {
    out = '^';
    i = 1;
  }
  for (let m = /^\(\?([a-zA-Z]+)\)/.exec(pattern.slice(i)); m; m = /^\(\?([a-zA-Z]+)\)/.exec(pattern.slice(i))) {
    for (const flag of m[1] ?? '') {
      if (flag !== 'i' && flag !== 's' && flag !== 'm') {
        throw new UnsupportedPatternError(`unsupported inline flag (?${flag})`);
      }
      if (!flags.includes(flag)) flags += flag;
    }
    i += m[0].length;
  }

  let inClass = false;
  let classStart = false; // just after `[` or `[^`, where RE2 reads `]` as a literal
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new UnsupportedPatternError('trailing backslash');
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = pattern.slice(i + 2, end < 0 ? undefined : end);
        out += escapeLiteral(literal);
        i = end < 0 ? pattern.length : end + 2;
        classStart = false;
        continue;
      }
      if (next === 'p' || next === 'P' || next === 'C' || next === 'E') {
        throw new UnsupportedPatternError(`unsupported escape \\${next}`);
      }
      if (/[1-9]/.test(next)) throw new UnsupportedPatternError(`RE2 has no backreference \\${next}`);
      if (!inClass && next === 'A') out += TEXT_START;
      else if (!inClass && next === 'z') out += TEXT_END;
      else out += c + next;
      i += 2;
      classStart = false;
      continue;
    }
    if (inClass) {
      if (c === ']' && classStart) {
        out += '\\]';
      } else if (c === ']') {
        out += ']';
        inClass = false;
      } else if (c === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        const name = close < 0 ? undefined : pattern.slice(i + 2, close);
        const members = name === undefined ? undefined : POSIX_CLASSES[name];
        if (name !== undefined && members === undefined) {
          throw new UnsupportedPatternError(`unsupported character class [:${name}:]`);
        }
        if (members !== undefined) {
          out += members;
          i = close + 2;
          classStart = false;
          continue;
        }
        out += '\\[';
      } else if (c === '[') {
        out += '\\[';
      } else {
        out += c;
      }
      classStart = false;
      i += 1;
      continue;
    }
    if (c === '[') {
      inClass = true;
      classStart = true;
      out += '[';
      if (pattern[i + 1] === '^') {
        out += '^';
        i += 1;
      }
      i += 1;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?' && pattern[i + 2] !== ':') {
      throw new UnsupportedPatternError('inline flags are supported only at the start of the pattern');
    }
    out += c;
    i += 1;
  }
  if (inClass) throw new UnsupportedPatternError('missing closing ]');
  try {
    return new RegExp(out, flags);
  } catch (err) {
    throw new UnsupportedPatternError((err as Error).message);
  }
}
