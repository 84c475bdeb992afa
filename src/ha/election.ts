// The election among managers, on one ZooKeeper session: each candidate is an ephemeral sequential znode under the
// election path holding its `--advertise` address, and the lowest leads. A candidate waits on its predecessor alone
// (no herd: a leader's death wakes one candidate, not all), and checks again when it goes. Everyone also follows
// the candidate list, which says who leads now (where replicas proxy to) and who the managers are (`docker info`).
// This file decides nothing about acting: it reports `elected` and the members; replication.ts acts on them.
import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import type { ZooKeeperSession } from './zk-session.js';
import { call, ensurePath, isNoNode } from '../util/zookeeper.js';

const { CreateMode, ACL, Id, Permission } = zookeeper;
const PREFIX = 'n_';

export interface Member {
  /** The znode's name under the election path (its sequence orders the candidates). */
  readonly node: string;
  readonly address: string;
}

export interface ElectionEvents {
  /** This candidate's znode became the lowest: it leads until its session is lost. */
  elected: [];
  /** The candidates, lowest (the leader) first, whenever the list changes. */
  members: [members: readonly Member[]];
  /** ZooKeeper refused or failed a call the election needs; the session should be given up. */
  failed: [err: Error];
}

export class Election extends EventEmitter<ElectionEvents> {
  readonly #session: ZooKeeperSession;
  readonly #path: string;
  readonly #address: string;
  readonly #secured: boolean;
  #node: string | undefined;
  #closed = false;
  #elected = false;

  constructor(session: ZooKeeperSession, path: string, address: string, secured: boolean) {
    super();
    this.#session = session;
    this.#path = path;
    this.#address = address;
    this.#secured = secured;
  }

  /** The full path of this candidate's znode, once created: what fenced writes check. */
  get node(): string | undefined {
    return this.#node ? `${this.#path}/${this.#node}` : undefined;
  }

  get elected(): boolean {
    return this.#elected;
  }

  async join(): Promise<void> {
    await ensurePath(this.#session.client, this.#path, this.#acls(false));
    const created = await call<string>((done) =>
      this.#session.client.create(
        `${this.#path}/${PREFIX}`,
        Buffer.from(this.#address, 'utf8'),
        this.#acls(true),
        CreateMode.EPHEMERAL_SEQUENTIAL,
        done,
      ),
    );
    this.#node = created.slice(this.#path.length + 1);
    this.#follow();
    this.#contend();
  }

  close(): void {
    this.#closed = true;
    this.removeAllListeners();
  }

  /** Finds the predecessor; leads when there is none, else waits for it to go. */
  #contend(): void {
    if (this.#closed || this.#elected) return;
    this.#children(undefined)
      .then((names) => {
        const mine = names.indexOf(this.#node!);
        if (mine < 0) throw new Error(`our candidate znode ${this.node} is gone`);
        if (mine === 0) {
          this.#elected = true;
          this.emit('elected');
          return;
        }
        const predecessor = `${this.#path}/${names[mine - 1]}`;
        this.#session.client.exists(
          predecessor,
          (event) => {
            if (event.getType() === zookeeper.Event.NODE_DELETED) this.#contend();
          },
          (err, stat) => {
            if (err) this.#fail(err);
            else if (!stat) this.#contend(); // gone before the watch was set
          },
        );
      })
      .catch((err: unknown) => this.#fail(err));
  }

  /** Reads the candidate list and its addresses, and again whenever it changes. */
  #follow(): void {
    if (this.#closed) return;
    this.#children(() => this.#follow())
      .then(async (names) => {
        const members: Member[] = [];
        for (const node of names) {
          const address = await call<Buffer | undefined>((done) =>
            this.#session.client.getData(`${this.#path}/${node}`, done),
          ).catch((err: unknown) => {
            if (isNoNode(err)) return undefined; // went meanwhile: the watch reports it
            throw err;
          });
          if (address !== undefined) members.push({ node, address: address.toString('utf8') });
        }
        if (!this.#closed) this.emit('members', members);
      })
      .catch((err: unknown) => this.#fail(err));
  }

  /** The candidates' znode names in election order (sequence numbers, which ZooKeeper pads to ten digits). */
  async #children(watcher: (() => void) | undefined): Promise<string[]> {
    const names = await call<string[]>((done) =>
      watcher
        ? this.#session.client.getChildren(this.#path, () => watcher(), done)
        : this.#session.client.getChildren(this.#path, done),
    );
    return names.filter((n) => n.startsWith(PREFIX)).sort((a, b) => sequence(a) - sequence(b));
  }

  /** With credentials: candidates may be read by anyone and written by their holder only (Mesos' own rule). */
  #acls(own: boolean): zookeeper.ACL[] {
    if (!this.#secured) return [new ACL(Permission.ALL, new Id('world', 'anyone'))];
    const owner = new ACL(Permission.ALL, new Id('auth', ''));
    return own
      ? [owner, new ACL(Permission.READ, new Id('world', 'anyone'))]
      : [owner, new ACL(Permission.READ | Permission.CREATE, new Id('world', 'anyone'))];
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    this.emit('failed', err instanceof Error ? err : new Error(String(err)));
  }
}

const sequence = (name: string) => Number(name.slice(PREFIX.length));
