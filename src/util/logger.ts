// The process logger: pino to stderr, so stdout stays free for command output.
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'mesoswarm' } }, pino.destination({ dest: 2, sync: false }));
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
