// The API server's limits, in one place (README's "Limits" lists them). Long streams — attach, exec, `logs -f`,
// `events`, `wait`, `stats` — have no time limit at all: once a request is in, nothing here ends its response. What
// is bounded is what a client can hold without doing anything useful: the time to send its head and its body, the
// idle time of a kept-alive connection, how many connections and requests one client may hold, and how many
// connections the manager takes in all.
export interface ApiLimits {
  /** Largest request head (request line and headers); past it, a 431. */
  readonly maxHeaderBytes: number;
  /** A request's head must arrive within this (slow-loris); then the connection is closed with a 408. */
  readonly headersTimeoutMs: number;
  /** A JSON body the manager reads whole must arrive within this; then a 408. Uploads streamed on have no limit. */
  readonly bodyTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections open at once, all clients together; more are closed at once. */
  readonly maxConnections: number;
  /** Connections one client address may hold at once; more are closed at once. */
  readonly maxConnectionsPerClient: number;
  /** Requests (streams included) one client address may have in flight; more get a 429. */
  readonly maxRequestsPerClient: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  // Go's net/http allows 1 MiB; the largest real header is X-Registry-Auth (a base64 JSON of a few KiB).
  maxHeaderBytes: 64 * 1024,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
  keepAliveTimeoutMs: 60_000,
  maxConnections: 4096,
  maxConnectionsPerClient: 1024,
  // Far above what docker-compose opens for a large project (a log stream per service), low enough that one
  // client cannot hold most of the engines' connections.
  maxRequestsPerClient: 256,
};

/** Counts what each client holds, for the per-client caps. */
export class ClientCounter {
  readonly #counts = new Map<string, number>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Takes one for `client`; false when it has its limit already. The caller gives it back with `release`. */
  take(client: string): boolean {
    const held = this.#counts.get(client) ?? 0;
    if (held >= this.#limit) return false;
    this.#counts.set(client, held + 1);
    return true;
  }

  release(client: string): void {
    const held = (this.#counts.get(client) ?? 1) - 1;
    if (held <= 0) this.#counts.delete(client);
    else this.#counts.set(client, held);
  }
}
