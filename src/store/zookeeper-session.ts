// One ZooKeeper session for the shared state, as promises: connect (with digest credentials), read, create, multi.
// It owns the session's end: node-zookeeper-client keeps a request made while disconnected queued for as long as it
// takes, and never answers it when the session turns out to have expired. Here every call in flight fails once the
// session is lost (the server said it expired, or the client stayed disconnected for the session timeout, after which
// the server has expired it whatever it says later), so a write never hangs on an ensemble that is gone.
import zookeeper from 'node-zookeeper-client';
import { connectedClient } from '../mesos/zookeeper-guard.js';

export const { Exception, CreateMode } = zookeeper;
const { ACL, Id, Permission } = zookeeper;

/** A ZooKeeper error's code (Exception.NO_NODE, …), undefined for anything else. */
export const zkCode = (err: unknown): number | undefined => (err as { getCode?: () => number })?.getCode?.();

/** The session is over: nothing written through it can be trusted to land any more. */
export class SessionLost extends Error {
  constructor(reason: string) {
    super(`ZooKeeper session lost: ${reason}`);
    this.name = 'SessionLost';
  }
}

/** A multi-op that the server refused: `index` is the op that failed, `code` its error. */
export class MultiRefused extends Error {
  constructor(
    readonly index: number,
    readonly code: number,
  ) {
    super(`ZooKeeper multi-op refused at op ${index} (code ${code})`);
    this.name = 'MultiRefused';
  }
}

export type ZkOp =
  | { readonly op: 'check'; readonly path: string; readonly version: number }
  | { readonly op: 'create'; readonly path: string; readonly data: Buffer }
  | { readonly op: 'set'; readonly path: string; readonly data: Buffer; readonly version: number }
  | { readonly op: 'remove'; readonly path: string };

export interface ZkSessionOptions {
  readonly auth?: { readonly user: string; readonly password: string } | undefined;
  readonly sessionTimeoutMs?: number | undefined;
}

export class ZooKeeperSession {
  readonly #client: zookeeper.Client;
  readonly #inFlight = new Set<(err: Error) => void>();
  readonly #lostListeners: ((err: SessionLost) => void)[] = [];
  #lost: SessionLost | undefined;
  #disconnectTimer: NodeJS.Timeout | undefined;
  /**
   * The ACL of the nodes this session creates: with credentials, the creator may do anything and the world may only
   * read (Mesos' EVERYONE_READ_CREATOR_ALL, as zookeeper-value.ts); the shared parents also let anyone add a child.
   */
  readonly ownAcl: zookeeper.ACL[];
  readonly parentAcl: zookeeper.ACL[];

  private constructor(client: zookeeper.Client, secured: boolean) {
    this.#client = client;
    const world = (perms: number) => new ACL(perms, new Id('world', 'anyone'));
    const owner = new ACL(Permission.ALL, new Id('auth', ''));
    this.ownAcl = secured ? [owner, world(Permission.READ)] : [world(Permission.ALL)];
    this.parentAcl = secured ? [owner, world(Permission.READ | Permission.CREATE)] : [world(Permission.ALL)];
  }

  /** `hosts` is a connect string (`h1:2181,h2:2181`). */
  static async connect(hosts: string, options: ZkSessionOptions = {}): Promise<ZooKeeperSession> {
    const timeoutMs = options.sessionTimeoutMs ?? 10_000;
    // Hardened: without it a connection cut mid-answer threw 'Unknown code' from the library's socket handler.
    const client = await connectedClient(hosts, { timeoutMs, retries: 2, auth: options.auth });
    const session = new ZooKeeperSession(client, options.auth !== undefined);
    client.on('disconnected', () => {
      // The server expires a session it has not heard from for its timeout; past that, waiting is pointless.
      session.#disconnectTimer ??= setTimeout(
        () => session.#lose('disconnected for longer than the session timeout'),
        client.getSessionTimeout() || timeoutMs,
      );
    });
    client.on('connected', () => {
      clearTimeout(session.#disconnectTimer);
      session.#disconnectTimer = undefined;
    });
    client.on('expired', () => session.#lose('expired'));
    client.on('authenticationFailed', () => session.#lose('authentication failed'));
    return session;
  }

  get lost(): SessionLost | undefined {
    return this.#lost;
  }

  onLost(listener: (err: SessionLost) => void): void {
    if (this.#lost) listener(this.#lost);
    else this.#lostListeners.push(listener);
  }

  /** The node's data and version; undefined when it does not exist. */
  getData(path: string): Promise<{ data: Buffer; version: number } | undefined> {
    return this.#again((done) =>
      this.#client.getData(path, (err, data, stat) =>
        zkCode(err) === Exception.NO_NODE ? done(null, undefined) : done(err, { data, version: stat?.version }),
      ),
    );
  }

  exists(path: string): Promise<boolean> {
    return this.#again((done) => this.#client.exists(path, (err, stat) => done(err, Boolean(stat))));
  }

  getChildren(path: string): Promise<string[]> {
    return this.#again((done) =>
      this.#client.getChildren(path, (err, children) =>
        zkCode(err) === Exception.NO_NODE ? done(null, []) : done(err, children),
      ),
    );
  }

  /** Creates a persistent node; false when it already existed (so asking again after a lost answer is safe). */
  create(path: string, data: Buffer | undefined, acl: zookeeper.ACL[]): Promise<boolean> {
    return this.#again((done) => {
      const callback = (err: unknown) => (zkCode(err) === Exception.NODE_EXISTS ? done(null, false) : done(err, true));
      if (data) this.#client.create(path, data, acl, CreateMode.PERSISTENT, callback);
      else this.#client.create(path, acl, CreateMode.PERSISTENT, callback);
    });
  }

  /** Applies `ops` atomically, or none of them (MultiRefused names the op that failed). */
  multi(ops: readonly ZkOp[]): Promise<void> {
    const tx = this.#client.transaction();
    for (const o of ops) {
      // Version 0 must never be asked for: the client takes it for -1 ("any"), so the checks below never see it
      // (the state's nodes are created at version 1, see zookeeper-state.ts).
      if (o.op === 'check') tx.check(o.path, o.version);
      else if (o.op === 'create') tx.create(o.path, o.data, this.ownAcl, CreateMode.PERSISTENT);
      else if (o.op === 'set') tx.setData(o.path, o.data, o.version);
      else tx.remove(o.path, -1);
    }
    return this.#call((done) =>
      tx.commit((err, results: { err?: number }[] | undefined) => {
        if (!err) return done(null, undefined);
        const index = results?.findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== -2) ?? -1;
        if (index >= 0) return done(new MultiRefused(index, results![index]!.err!));
        done(err);
      }),
    );
  }

  close(): void {
    this.#lose('closed');
  }

  #lose(reason: string): void {
    if (this.#lost) return;
    clearTimeout(this.#disconnectTimer);
    this.#lost = new SessionLost(reason);
    for (const reject of [...this.#inFlight]) reject(this.#lost);
    for (const listener of this.#lostListeners.splice(0)) listener(this.#lost);
    this.#client.close();
  }

  /** A call that may be repeated: one whose answer was lost with the connection is asked again once reconnected. */
  async #again<T>(fn: (done: (err: unknown, value?: T) => void) => void): Promise<T> {
    for (;;) {
      try {
        return await this.#call(fn);
      } catch (err) {
        if (zkCode(err) !== Exception.CONNECTION_LOSS) throw err;
      }
    }
  }

  #call<T>(fn: (done: (err: unknown, value?: T) => void) => void): Promise<T> {
    if (this.#lost) return Promise.reject(this.#lost);
    return new Promise<T>((resolve, reject) => {
      const fail = (err: Error) => {
        this.#inFlight.delete(fail);
        reject(err);
      };
      this.#inFlight.add(fail);
      fn((err, value) => {
        if (!this.#inFlight.delete(fail)) return; // already failed by the session's loss
        if (err)
          reject(err as Error); // a ZooKeeper Exception keeps its getCode()
        else resolve(value as T);
      });
    });
  }
}
