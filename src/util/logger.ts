// The process logger: pino to stderr, so stdout stays free for command output.
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  // Synchronous writes, as Node's own stderr does on pipes and files. An asynchronous destination flushes at exit
  // with a loop that retries a broken pipe forever: with stderr's reader gone (`mesoswarm manage … 2>&1 | head`),
  // SIGTERM ran the shutdown and then `process.exit` never returned. Synchronously, a broken pipe surfaces at once
  // and pino stops logging.
  return pino({ level, base: { name: 'mesoswarm' } }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
