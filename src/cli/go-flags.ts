// Go-style flags on the command line. Classic Swarm parsed its flags with Go's flag package, which takes every
// long flag with one dash as well as two (`-cluster-opt k=v`, `-strategy=binpack`), and users' scripts and old docs
// are written that way. commander reads `-cluster-opt` as `-c luster-opt`; so before it parses, each single-dash
// spelling of a known long flag is rewritten to its double-dash form. Short flags keep commander's meaning (`-H x`,
// `-Hx`, `-D`); a single-dash word that is neither is refused here, by its name, instead of being split into short
// flags that happen to exist.
import type { Command, Option } from 'commander';

/** `argv` as commander should see it (the first two entries, node and the script, are kept as they are). */
export function goStyleFlags(program: Command, argv: readonly string[]): string[] {
  const out = argv.slice(0, 2);
  let command = program;
  let afterSubcommand = false;
  for (let i = 2; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const known = [...command.options, ...(command === program ? [] : program.options)];
    if (token.startsWith('--')) {
      out.push(token);
      const option = known.find((o) => hasLong(o, token.split('=')[0]!));
      if (option && !token.includes('=') && consumesNext(option, argv[i + 1])) out.push(argv[++i]!);
      continue;
    }
    if (!token.startsWith('-') || token.length <= 2) {
      out.push(token);
      if (token.startsWith('-')) {
        const option = known.find((o) => o.short === token);
        if (option && consumesNext(option, argv[i + 1])) out.push(argv[++i]!);
      } else if (!afterSubcommand) {
        const sub = command.commands.find((c) => c.name() === token || c.aliases().includes(token));
        if (sub) {
          command = sub;
          afterSubcommand = true;
        }
      }
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq < 0 ? token.slice(1) : token.slice(1, eq);
    const long = name === 'help' ? undefined : known.find((o) => hasLong(o, `--${name}`));
    if (long || name === 'help') {
      out.push(`-${token}`);
      if (long && eq < 0 && consumesNext(long, argv[i + 1])) out.push(argv[++i]!);
      continue;
    }
    const short = known.find((o) => o.short === `-${name}`);
    if (short && eq > 0) {
      // Go's `-H=tcp://…`: commander would take the value as `=tcp://…`.
      out.push(short.short!, token.slice(eq + 1));
      continue;
    }
    if (attachedShort(known, token)) {
      out.push(token);
      continue;
    }
    command.error(`error: unknown option '${token}'`, { code: 'commander.unknownOption', exitCode: 1 });
  }
  return out;
}

/** commander keeps the first of two long names (`--advertise, --addr`) in `short`. */
function hasLong(option: Option, flag: string): boolean {
  return option.long === flag || option.short === flag;
}

/** Whether commander will take `next` as the option's value: always for `<value>`, for `[value]` unless it is a flag. */
function consumesNext(option: Option, next: string | undefined): boolean {
  if (next === undefined) return false;
  return option.required || (option.optional && !next.startsWith('-'));
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

/**
 * Whether commander's own short-flag forms explain the token: a short flag with its value attached (`-Htcp://…`,
 * `-lDEBUG`; for a flag with choices, only one of them, so `-cluster-optt` is not `-c luster-optt`), or short boolean
 * flags run together (`-Dv`). A word shaped like a long flag (`-log-levl`) never is.
 */
function attachedShort(known: readonly Option[], token: string): boolean {
  const first = known.find((o) => o.short === token.slice(0, 2));
  if (first && takesValue(first)) {
    const value = token.slice(2);
    if (first.argChoices) return first.argChoices.includes(value);
    return !/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(token.slice(1));
  }
  return [...token.slice(1)].every((letter) => known.some((o) => o.short === `-${letter}` && !takesValue(o)));
}
