// The simulated cluster for the `sim`-mode benchmarks, as one process: the Mesos test double (startMesosSim, sim
// executor) with N agents, plus a stand-in Docker daemon for every agent. Without the stand-ins each agent's
// hostname (`agent-<n>.mesos-sim`) does not resolve, and the manager's 5,000 engine connections fail and retry in
// DNS lookups that fill libuv's thread pool — the same pool the manager's journal fsyncs wait on — which measures
// the fixture, not the manager. Here each agent is a distinct loopback address (127.x.y.z, all of 127/8 is
// loopback on Linux) whose `docker_port` reaches one small HTTP server answering /_ping, /version, /info and
// /images/json as a daemon with no containers would: the manager keeps one healthy engine per agent, as it would
// on a real cluster, at the cost of a real cluster's connections and refreshes.
//
//   node --import tsx bench/lib/cluster-double.ts '{"agents":5000,"cpus":4,"memMb":16384}'
//
// Prints the master's URL on the first line of stdout; stops on SIGTERM.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMesosSim, type AgentSpec } from '../../test/mesos-sim/index.js';

export interface DoubleOptions {
  readonly agents: number;
  readonly cpus?: number;
  readonly memMb?: number;
  /** The master's allocation interval (the double's default, like Mesos', is 1000 ms; 0 = on every change). */
  readonly allocationIntervalMs?: number;
}

/** Agent n's address: 127.a.b.c with every octet in 1…254, unique for a million agents. */
export function agentAddress(n: number): string {
  return `127.${1 + Math.floor(n / (254 * 254))}.${1 + (Math.floor(n / 254) % 254)}.${1 + (n % 254)}`;
}

/** One server playing every agent's Docker daemon; which agent was asked is the address the client dialled. */
function startDaemons(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const address = req.socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const path = (req.url ?? '/').replace(/^\/v\d+\.\d+/, '').replace(/\?.*$/, '');
    let body: unknown;
    switch (path) {
      case '/_ping':
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': '1.41' });
        res.end('OK');
        return;
      case '/version':
        body = { Version: '20.10.24', ApiVersion: '1.41', MinAPIVersion: '1.12', Os: 'linux', Arch: 'amd64' };
        break;
      case '/info':
        body = {
          ID: `SIM:${address}`,
          Name: `sim-${address}`,
          NCPU: 4,
          MemTotal: 16 * 1024 ** 3,
          Driver: 'overlay2',
          KernelVersion: '6.1.0',
          OperatingSystem: 'Debian GNU/Linux 12',
          OSType: 'linux',
          ServerVersion: '20.10.24',
          Labels: [],
          Containers: 0,
          Images: 0,
        };
        break;
      case '/images/json':
        body = [];
        break;
      case '/containers/json':
        body = [];
        break;
      default:
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `the benchmark's stand-in daemon does not serve ${path}` }));
        return;
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  return new Promise((resolve) => server.listen(0, '0.0.0.0', () => resolve(server)));
}

export async function startDouble(options: DoubleOptions): Promise<{ url: string; close(): Promise<void> }> {
  const daemons = await startDaemons();
  const dockerPort = (daemons.address() as AddressInfo).port;
  const agents: AgentSpec[] = Array.from({ length: options.agents }, (_, n) => ({
    hostname: agentAddress(n),
    cpus: options.cpus ?? 4,
    mem: options.memMb ?? 16384,
    dockerPort,
  }));
  const sim = await startMesosSim({
    executor: 'sim',
    agents,
    allocationIntervalMs: options.allocationIntervalMs,
    // A test hook that keeps every task's docker argv: at 100,000 tasks it would be the double's largest cost.
    recordArgv: false,
  });
  return {
    url: sim.url,
    async close() {
      await sim.close();
      daemons.closeAllConnections();
      await new Promise<void>((resolve) => daemons.close(() => resolve()));
    },
  };
}

if (process.argv[1]?.endsWith('cluster-double.ts')) {
  const options = JSON.parse(process.argv[2] ?? '{}') as DoubleOptions;
  const double = await startDouble(options);
  console.log(double.url);
  const stop = () => void double.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
