// The process-level guard of `mesoswarm manage`: an error nobody caught is logged, and the process keeps serving
// only when the error is provably contained — an I/O error of one connection (a client or engine socket reset,
// a pipe closed under a write), which ends that connection and touches no other state. Anything else is a bug whose
// damage cannot be bounded (a half-applied change, a broken invariant): it is logged with its stack and the process
// exits non-zero, as node would, so a supervisor restarts it from the journal rather than letting it serve wrong.
import type { Logger } from '../util/logger.js';

/** Error codes of one connection's I/O: the connection is gone, and nothing else is. */
const CONNECTION_ERRORS = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_HTTP_HEADERS_SENT',
]);

export function isContained(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CONNECTION_ERRORS.has(code) || code.startsWith('HPE_'));
}

/** What the guard does with one uncaught error (`kind`: uncaughtException or unhandledRejection). */
export function guardHandler(logger: Logger, exit: (code: number) => void) {
  return (kind: string) => (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error ? err.stack : undefined;
    if (isContained(err)) {
      logger.error({ err: message, code: (err as { code?: string }).code, kind }, 'contained error; still serving');
      return;
    }
    logger.fatal({ err: message, stack, kind }, 'uncaught error; exiting');
    exit(1);
  };
}

/** Installs the guard for the whole process. */
export function installProcessGuard(logger: Logger): void {
  const handle = guardHandler(logger, (code) => process.exit(code));
  process.on('uncaughtException', handle('uncaughtException'));
  process.on('unhandledRejection', handle('unhandledRejection'));
}
