// Runs the machine's real `docker` CLI against a manager, the way a user would, and returns what it printed; or, for
// commands that keep running (logs -f, attach, events), starts it and lets the test watch its output as it comes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { within } from './deadline.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Written to stdin, then stdin is closed (a build context tar is bytes). */
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export function run(
  command: string,
  args: readonly string[],
  host: string,
  options: CliOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timeoutMs = within(options.timeoutMs ?? 60_000);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** A command still running: its output so far, a wait for some expected output, and its end. */
export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once it matches; rejects (with what was printed) after `timeoutMs` or an early exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the command exits; never rejects. */
  readonly exited: Promise<CliResult>;
  /** Kills it (if still running) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

export function start(command: string, args: readonly string[], host: string, env?: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(command, args, {
    env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let code: number | undefined;
  const watchers = new Set<() => void>();
  const notify = () => watchers.forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    notify();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliResult>((resolve) => {
    child.on('error', (err) => {
      stderr += String(err);
      code = -1;
      notify();
      resolve({ code: -1, stdout, stderr });
    });
    child.on('close', (c) => {
      code = c ?? -1;
      notify();
      resolve({ code: code, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, ms = 15_000) {
      const timeoutMs = within(ms);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) done(() => resolve(stdout));
          else if (code !== undefined)
            done(() =>
              reject(
                new Error(
                  `${command} ${args.join(' ')} exited ${code} before printing ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new Error(
                  `${command} ${args.join(' ')}: no ${pattern} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          settle();
        };
        watchers.add(check);
        check();
      });
    },
    async stop(signal = 'SIGKILL') {
      if (code === undefined) child.kill(signal);
      return exited;
    },
  };
}

/** A docker CLI bound to one daemon address. */
export function dockerCli(host: string) {
  const docker = (args: readonly string[], options?: CliOptions) => run('docker', args, host, options);
  /** Starts a command that keeps running (logs -f, attach, events); stdin stays open until the test ends it. */
  docker.start = (args: readonly string[], env?: NodeJS.ProcessEnv) => start('docker', args, host, env);
  /** Like docker(), but fails with the CLI's output when the exit code is not 0. */
  docker.ok = async (args: readonly string[], options?: CliOptions) => {
    const result = await docker(args, options);
    if (result.code !== 0) {
      throw new Error(
        `docker ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
      );
    }
    return result.stdout.trim();
  };
  return docker;
}

export type DockerCli = ReturnType<typeof dockerCli>;

/** The events the manager recorded from `sinceMs` until now, through `--filter`s, one `format`ted line each. */
export async function pastEvents(
  docker: DockerCli,
  sinceMs: number,
  filters: string[],
  format: string,
): Promise<string[]> {
  const until = (Date.now() / 1000 + 1).toFixed(9);
  const args = ['events', '--since', (sinceMs / 1000).toFixed(9), '--until', until];
  const out = await docker.ok([...args, ...filters.flatMap((f) => ['--filter', f]), '--format', format]);
  return out.split('\n').filter(Boolean);
}
