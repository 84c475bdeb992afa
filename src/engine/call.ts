// Structured calls to an engine, with the daemon's own status and message carried through as a ManagerError (so
// a 409 or 404 from dockerd reaches the client as-is) and connection failures counted against the engine's health.
import { ManagerError, cannotConnect, engineFailed } from '../errors.js';
import { errorText, statusOf, type Engine } from './engine.js';

export async function engineCall<T>(engine: Engine, call: () => Promise<T>): Promise<T> {
  try {
    const result = await call();
    engine.noteSuccess();
    return result;
  } catch (err) {
    throw engineError(engine, err);
  }
}

export function engineError(engine: Engine, err: unknown): ManagerError {
  if (err instanceof ManagerError) return err;
  const status = statusOf(err);
  if (status === undefined) {
    engine.noteCallFailure(err);
    return cannotConnect(engine.address, err);
  }
  engine.noteSuccess();
  return engineFailed(status, errorText(err), err);
}
