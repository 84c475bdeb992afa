// Runs the machine's real `docker` CLI against a manager, the way a user would, and returns what it printed.
import { spawn } from 'node:child_process';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export function run(command: string, args: readonly string[], host: string, options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
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

/** A docker CLI bound to one daemon address. */
export function dockerCli(host: string) {
  const docker = (args: readonly string[], options?: CliOptions) => run('docker', args, host, options);
  /** Like docker(), but fails with the CLI's output when the exit code is not 0. */
  docker.ok = async (args: readonly string[], options?: CliOptions) => {
    const result = await docker(args, options);
    if (result.code !== 0) {
      throw new Error(`docker ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    }
    return result.stdout.trim();
  };
  return docker;
}

export type DockerCli = ReturnType<typeof dockerCli>;
