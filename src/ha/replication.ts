// Who acts: the manager's part in the election and what it does with the outcome. One ZooKeeper session at a time;
// while this manager's candidate leads and the session's lease holds, the acting part runs (the Mesos framework, or
// the native driver's engines); the moment either ends, it is stopped, before anything else is read. A lost session
// is followed by a new one, joined as a new candidate (at the back of the line). Everyone keeps the current picture
// (who leads, who the managers are) for the API: replicas proxy to the leader, and `docker info` shows it.
import { EventEmitter } from 'node:events';
import type { Logger } from '../util/logger.js';
import { ZooKeeperSession } from './zk-session.js';
import { Election, type Member } from './election.js';

/** What runs only on the leader; `demote` gives leadership up (Mesos said another scheduler took the framework). */
export interface ActingPart {
  stop(): Promise<void>;
}
export type StartActing = (demote: (why: string) => void) => Promise<ActingPart>;

export interface ReplicationOptions {
  readonly servers: string;
  readonly auth?: { readonly user: string; readonly password: string };
  /** The election's znode, e.g. `/mesoswarm/<name>/leader`. */
  readonly path: string;
  /** This manager's `--advertise` address: what replicas proxy to while it leads. */
  readonly advertise: string;
  /** `--replication-ttl`: the ZooKeeper session timeout asked for. */
  readonly sessionTimeoutMs: number;
  readonly startActing: StartActing;
  readonly logger: Logger;
}

export type Role = 'primary' | 'replica';

export interface ReplicationEvents {
  /** The picture changed: role, leader, members or readiness. */
  changed: [];
}

const REJOIN_MIN_MS = 500;
const REJOIN_MAX_MS = 10_000;

export class Replication extends EventEmitter<ReplicationEvents> {
  readonly #options: ReplicationOptions;
  readonly #log: Logger;
  #session: ZooKeeperSession | undefined;
  #election: Election | undefined;
  #members: readonly Member[] = [];
  #acting: Promise<ActingPart | undefined> | undefined;
  /** The acting part has started and still runs: the leader serves requests itself only then. */
  #ready = false;
  #closed = false;
  #rejoinMs = REJOIN_MIN_MS;
  #rejoinTimer: NodeJS.Timeout | undefined;
  /** Acting parts being stopped; a new one starts only after they have. */
  #stopping: Promise<void> = Promise.resolve();

  constructor(options: ReplicationOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ component: 'replication' });
  }

  get advertise(): string {
    return this.#options.advertise;
  }
  get role(): Role {
    return this.#election?.elected && this.#session?.valid ? 'primary' : 'replica';
  }
  /** True while this manager leads and its acting part runs. */
  get serving(): boolean {
    return this.#ready && this.role === 'primary';
  }
  /** The leader's advertised address, as the candidates list says (ours when we lead). */
  get primary(): string | undefined {
    return this.#members[0]?.address;
  }
  get members(): readonly Member[] {
    return this.#members;
  }
  /** This leader's own candidate znode while it leads (what fenced state writes check), else undefined. */
  fence(): string | undefined {
    return this.role === 'primary' ? this.#election?.node : undefined;
  }

  /** Resolves once the first session has joined the election; rejects when ZooKeeper cannot be reached. */
  async start(): Promise<void> {
    await this.#join();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#rejoinTimer);
    this.#demote('shutting down');
    await this.#stopping;
  }

  async #join(): Promise<void> {
    const session = new ZooKeeperSession({
      servers: this.#options.servers,
      timeoutMs: this.#options.sessionTimeoutMs,
      ...(this.#options.auth ? { auth: this.#options.auth } : {}),
    });
    await session.connect();
    const election = new Election(session, this.#options.path, this.#options.advertise, Boolean(this.#options.auth));
    this.#session = session;
    this.#election = election;
    session.on('lost', (reason) => this.#lose(session, reason));
    election.on('failed', (err) => this.#lose(session, `the election failed: ${err.message}`));
    election.on('members', (members) => {
      if (this.#session !== session) return;
      this.#members = members;
      this.emit('changed');
    });
    election.on('elected', () => this.#promote(session));
    try {
      await election.join();
    } catch (err) {
      this.#lose(session, `cannot join the election: ${(err as Error).message}`);
      throw err;
    }
    this.#log.info(
      { candidate: election.node, advertise: this.#options.advertise, sessionTimeoutMs: session.timeoutMs },
      'joined the election',
    );
  }

  #promote(session: ZooKeeperSession): void {
    if (this.#session !== session || !session.valid || this.#closed) return;
    this.#log.info({ candidate: this.#election?.node }, 'elected primary: starting to act');
    this.#rejoinMs = REJOIN_MIN_MS;
    this.emit('changed');
    const demote = (why: string) => {
      if (this.#session === session) this.#lose(session, why);
    };
    const starting = this.#stopping.then(async () => {
      if (this.#session !== session || !session.valid) return undefined;
      const part = await this.#options.startActing(demote);
      if (this.#session !== session || !session.valid) {
        // Demoted while starting: what started is stopped again at once.
        await part.stop();
        return undefined;
      }
      this.#ready = true;
      this.#log.info('primary is serving');
      this.emit('changed');
      return part;
    });
    this.#acting = starting.catch((err: unknown) => {
      this.#log.error({ err: (err as Error).message }, 'the acting part did not start; leaving the election');
      demote(`start failed: ${(err as Error).message}`);
      return undefined;
    });
  }

  /** The session can no longer be trusted: stop acting first, then take part again on a new session. */
  #lose(session: ZooKeeperSession, reason: string): void {
    if (this.#session !== session) return;
    const wasPrimary = this.#election?.elected === true;
    this.#demote(reason);
    if (wasPrimary) this.#log.warn({ reason }, 'no longer primary: stopped acting');
    else this.#log.warn({ reason }, 'left the election');
    this.#scheduleRejoin();
  }

  #demote(reason: string): void {
    const acting = this.#acting;
    this.#acting = undefined;
    this.#ready = false;
    this.#election?.close();
    this.#session?.close();
    this.#election = undefined;
    this.#session = undefined;
    this.#members = [];
    if (acting) {
      this.#stopping = this.#stopping
        .then(() => acting)
        .then((part) => part?.stop())
        .catch((err: unknown) => this.#log.warn({ err: (err as Error).message, reason }, 'stopping the acting part'));
    }
    this.emit('changed');
  }

  #scheduleRejoin(): void {
    if (this.#closed) return;
    clearTimeout(this.#rejoinTimer);
    const delay = this.#rejoinMs;
    this.#rejoinMs = Math.min(REJOIN_MAX_MS, this.#rejoinMs * 2);
    this.#rejoinTimer = setTimeout(() => {
      this.#join().catch((err: unknown) => {
        this.#log.warn({ err: (err as Error).message }, 'cannot rejoin the election; retrying');
        if (!this.#session) this.#scheduleRejoin();
      });
    }, delay);
  }
}
