// The API request a piece of work belongs to: the server runs each request's handling inside its scope, and the
// logger stamps every line written there (`req=<id>`), in whichever component writes it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomHex } from './random.js';

const scope = new AsyncLocalStorage<string>();

/** A client's own X-Request-Id is kept when it is a plain token; anything else gets ours. */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && CLIENT_ID.test(header) ? header : randomHex(8);
}

export function inRequest<T>(id: string, work: () => T): T {
  return scope.run(id, work);
}

export function currentRequestId(): string | undefined {
  return scope.getStore();
}
