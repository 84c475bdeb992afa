// A zk:// discovery's engines for the native-mode HA suites: `mesoswarm join` processes registering engines (stopped
// with stopJoins), and `mesoswarm list` reading what is registered.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './manager.js';

const bin = fileURLToPath(new URL('../../bin/mesoswarm', import.meta.url));

export interface Joins {
  /** Registers `address` (host:port) in the discovery until stopped. */
  join(address: string): ChildProcess;
  /** What `mesoswarm list` shows. */
  listed(): Promise<string>;
  /** Resolves once every address is listed. */
  waitListed(addresses: readonly string[], timeoutMs?: number): Promise<void>;
  stop(): void;
}

export function swarmJoins(discovery: string, heartbeat = '2s', ttl = '6s'): Joins {
  const children: ChildProcess[] = [];
  const listed = () =>
    new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [bin, 'list', discovery]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
    });
  return {
    join(address) {
      const child = spawn(
        process.execPath,
        [bin, 'join', '--advertise', address, '--heartbeat', heartbeat, '--ttl', ttl, discovery],
        { stdio: 'ignore' },
      );
      children.push(child);
      return child;
    },
    listed,
    async waitListed(addresses, timeoutMs = 15_000) {
      await eventually(async () => {
        const list = await listed();
        return addresses.every((a) => list.includes(a));
      }, timeoutMs);
    },
    stop() {
      for (const child of children) child.kill('SIGTERM');
    },
  };
}
