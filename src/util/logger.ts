// The process logger: pino to stderr, so stdout stays free for command output. JSON lines by default off a
// terminal, readable text lines on one (`--log-format` chooses); every line passes the secret redactor, and a line
// written while an API request is handled carries its ID (`req`).
import { pino } from 'pino';
import { formatLine } from './log-text.js';
import { Redactor } from './secrets.js';
import { currentRequestId } from './request-scope.js';

export type Logger = pino.Logger;
export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly redactor?: Redactor;
  /** Where lines go: stderr (fd 2) unless a test wants them. */
  readonly write?: (line: string) => void;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  // Synchronous writes, as Node's own stderr does on pipes and files. An asynchronous destination flushes at exit
  // with a loop that retries a broken pipe forever: with stderr's reader gone (`mesoswarm manage … 2>&1 | head`),
  // SIGTERM ran the shutdown and then `process.exit` never returned. Synchronously, a broken pipe surfaces at once
  // and pino stops logging.
  const stderr = options.write ? undefined : pino.destination({ dest: 2, sync: true });
  const out = options.write ?? ((line: string) => stderr!.write(line));
  const redactor = options.redactor ?? new Redactor();
  const text = (options.format ?? defaultFormat()) === 'text';
  const colour = text && !options.write && process.stderr.isTTY === true;
  const stream = {
    write(line: string) {
      const clean = redactor.scrub(line);
      out(text ? formatLine(clean, colour) : clean);
    },
  };
  return pino(
    {
      level,
      // No base fields: pid and hostname say nothing a collector does not know, and a base `name` clashed with the
      // engines' own `name` field (two "name" keys on one line).
      base: undefined,
      mixin() {
        const req = currentRequestId();
        // A new object each time: pino merges the line's fields into what the mixin returns.
        return req === undefined ? {} : { req };
      },
    },
    stream,
  );
}

/** Text on a terminal, JSON lines for anything that reads them (a file, a pipe, a log collector). */
export function defaultFormat(): LogFormat {
  return process.stderr.isTTY ? 'text' : 'json';
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
