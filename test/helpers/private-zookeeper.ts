// A ZooKeeper of the test's own (the machine's Debian `zookeeper` package, standalone, on its own port and data
// dir), for a test that stops and restarts ZooKeeper under the managers; the shared one on 2181 is never touched.
// stop() ends the server with SIGTERM and keeps its data dir, so start() brings back the same znodes and sessions.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './manager-process.js';
import { eventually } from './manager.js';

const JAR = '/usr/share/java/zookeeper.jar';
const CONF = '/etc/zookeeper/conf';

export function privateZooKeeperMissing(): string | undefined {
  return existsSync(JAR) ? undefined : `no ZooKeeper server (${JAR}): apt-get install zookeeper`;
}

export class PrivateZooKeeper {
  readonly port: number;
  readonly #dir: string;
  #child: ChildProcess | undefined;
  #log = '';

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  /** `tickTimeMs` bounds the session timeouts the server grants: 2 to 20 ticks. */
  static async start(tickTimeMs = 1000): Promise<PrivateZooKeeper> {
    const dir = await mkdtemp(join(tmpdir(), 'mesoswarm-zk-'));
    const port = await freePort();
    await writeFile(
      join(dir, 'zoo.cfg'),
      [
        `tickTime=${tickTimeMs}`,
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${port}`,
        'clientPortAddress=127.0.0.1',
        'admin.enableServer=false',
        '4lw.commands.whitelist=ruok,srvr',
        '',
      ].join('\n'),
    );
    const zk = new PrivateZooKeeper(port, dir);
    await zk.resume();
    return zk;
  }

  /** The connect string. */
  get servers(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  log(): string {
    return this.#log;
  }

  /** Starts the server on its data dir; resolves once it answers `ruok`. */
  async resume(): Promise<void> {
    if (this.#child) return;
    const child = spawn(
      'java',
      [
        `-Dzookeeper.log.dir=${this.#dir}`,
        '-Dzookeeper.root.logger=INFO,CONSOLE',
        '-cp',
        `${CONF}:${JAR}`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        join(this.#dir, 'zoo.cfg'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer) => {
      this.#log += d.toString();
      if (this.#log.length > 1 << 20) this.#log = this.#log.slice(-(1 << 19));
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.#child = child;
    try {
      await eventually(async () => (await fourLetters(this.port, 'ruok')) === 'imok', 60_000, 200);
    } catch (err) {
      await this.stop('SIGKILL');
      throw new Error(`the private ZooKeeper did not come up: ${(err as Error).message}\n${this.#log}`, { cause: err });
    }
  }

  /** Ends the server (SIGTERM: it exits at once, as on a host's shutdown); the data dir stays. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  async close(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** A four-letter command's answer ('' when the server does not answer). */
function fourLetters(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('connect', () => socket.write(command));
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(out.trim()));
  });
}
