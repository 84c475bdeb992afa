// The logging interface the Mesos client accepts. It is the subset of pino's API we use, so a pino logger (or a child
// of one) can be passed straight in, while this folder stays free of any logging dependency.

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Drops everything; the default when the owner passes no logger. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
