// The Docker API versions the manager honours. We advertise the version of the engines we proxy to (dockerd 20.10
// speaks 1.41), accept requests from 1.24 up to it, and refuse newer ones the way dockerd does, so a client pinned
// to a higher version gets a clear error instead of fields we would silently drop.
import { badParameter } from '../errors.js';

export const API_VERSION = '1.41';
export const MIN_API_VERSION = '1.24';

/** Compares dotted versions numerically (1.9 < 1.24). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Splits `/v1.41/containers/json` into the version and the unversioned path; checks the version is honoured. */
export function splitVersion(path: string): { version: string; path: string } {
  const match = /^\/v(\d+\.\d+)(\/.*)?$/.exec(path);
  if (!match) return { version: API_VERSION, path };
  const version = match[1]!;
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw badParameter(
      `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (compareVersions(version, API_VERSION) > 0) {
    throw badParameter(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  return { version, path: match[2] ?? '/' };
}
