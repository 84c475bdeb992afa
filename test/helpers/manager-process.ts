// The manager as its own process (`bin/mesoswarm manage …`), for tests that crash it (kill -9) and start it again,
// as an operator would. The compiled CLI must exist (`npm run build`; `npm ci` builds it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { dockerCli, type DockerCli } from './docker-cli.js';
import { eventually } from './manager.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ManagerProcess {
  readonly host: string;
  readonly docker: DockerCli;
  readonly child: ChildProcess;
  /** What the manager logged (stderr), for failure messages. */
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function spawnManager(args: readonly string[], port?: number): Promise<ManagerProcess> {
  if (!existsSync(`${root}/dist/cli/main.js`)) throw new Error('dist/ is missing: run `npm run build` first');
  const chosen = port ?? (await freePort());
  const host = `tcp://127.0.0.1:${chosen}`;
  const child = spawn(
    process.execPath,
    [`${root}/bin/mesoswarm`, '--log-level', 'info', 'manage', '-H', host, ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    if (log.length > 1 << 20) log = log.slice(-(1 << 19));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const docker = dockerCli(host);
  try {
    await eventually(async () => (await docker(['version', '--format', '{{.Server.Version}}'])).code === 0, 15_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`manager did not come up: ${(err as Error).message}\n${log}`, { cause: err });
  }
  return {
    host,
    docker,
    child,
    log: () => log,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
