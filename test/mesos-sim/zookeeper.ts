// Leader publication and detection through a real ZooKeeper, as Mesos masters do it: each master creates an
// EPHEMERAL_SEQUENTIAL `json.info_` child (MasterInfo JSON, keys sorted) under the group path, the child with the
// smallest sequence number leads, every master watches the children and follows changes. Closing the client ends the
// session, which removes the node, so the next master takes over.
import zookeeper from 'node-zookeeper-client';

export interface ZkOptions {
  /** host:port[,host:port…] */
  connect: string;
  /** Group znode, e.g. /mesos; created (with parents) if missing. */
  path: string;
  sessionTimeoutMs?: number;
  /** Also create the `log_replicas` child a real Mesos cluster has (detectors must skip it). */
  createLogReplicas?: boolean;
}

export type ZkLeader = { self: true } | { self: false; hostname: string; port: number; info: unknown } | null;

const CHILD = /^json\.info_(\d+)$/;

export class ZkMasterContender {
  private readonly opts: ZkOptions;
  private readonly onLeader: (leader: ZkLeader) => void;
  private client?: zookeeper.Client;
  private ownNode?: string;
  private closed = false;

  constructor(opts: ZkOptions, onLeader: (leader: ZkLeader) => void) {
    this.opts = opts;
    this.onLeader = onLeader;
  }

  get nodePath(): string | undefined {
    return this.ownNode;
  }

  async start(data: string): Promise<void> {
    const client = zookeeper.createClient(this.opts.connect, {
      sessionTimeout: this.opts.sessionTimeoutMs ?? 10_000,
      spinDelay: 200,
      retries: 2,
    });
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ZooKeeper at ${this.opts.connect} did not answer`)), 5_000);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    const base = this.opts.path.replace(/\/+$/, '') || '/';
    await new Promise<void>((resolve, reject) =>
      client.mkdirp(base, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())),
    );
    if (this.opts.createLogReplicas) {
      await new Promise<void>((resolve) => client.mkdirp(`${base === '/' ? '' : base}/log_replicas`, () => resolve()));
    }
    this.ownNode = await new Promise<string>((resolve, reject) =>
      client.create(
        `${base === '/' ? '' : base}/json.info_`,
        Buffer.from(data, 'utf8'),
        zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
        (err, created) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(created)),
      ),
    );
    this.watch();
  }

  /** Rewrites this master's node (its MasterInfo changed). */
  update(data: string): void {
    if (this.client && this.ownNode) this.client.setData(this.ownNode, Buffer.from(data, 'utf8'), () => undefined);
  }

  private watch(): void {
    const client = this.client;
    if (!client || this.closed) return;
    const base = this.opts.path.replace(/\/+$/, '') || '/';
    client.getChildren(
      base,
      () => this.watch(),
      (err, children) => {
        if (err || this.closed) return;
        const members = children.filter((c) => CHILD.test(c)).sort();
        const first = members[0];
        if (first === undefined) return this.onLeader(null);
        const full = `${base === '/' ? '' : base}/${first}`;
        if (full === this.ownNode) return this.onLeader({ self: true });
        client.getData(full, (e, data) => {
          if (e || this.closed) return;
          try {
            const info = JSON.parse(data.toString('utf8')) as {
              hostname?: string;
              port?: number;
              address?: { hostname?: string; ip?: string; port?: number };
            };
            this.onLeader({
              self: false,
              hostname: info.address?.hostname ?? info.hostname ?? info.address?.ip ?? '',
              port: info.address?.port ?? info.port ?? 5050,
              info,
            });
          } catch {
            this.onLeader(null); // garbage in the leader's node: nobody usable leads
          }
        });
      },
    );
  }

  close(): void {
    this.closed = true;
    this.client?.close();
    this.client = undefined;
  }
}
