// The installed command, `bin/mesoswarm`, for suites that run it as a user would. It runs the compiled dist/ (built
// by `npm ci`); `ensureBuilt` rebuilds it as `npm run build` would when the sources are newer or the build stamp
// names another commit than the checkout's. Type errors elsewhere in the tree do not stop tsc from emitting, and do
// not concern these suites.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { within } from './deadline.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'bin', 'mesoswarm');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const info = statSync(path);
    latest = Math.max(latest, info.isDirectory() ? newest(path) : info.mtimeMs);
  }
  return latest;
}

/** The checkout's short commit. */
export function headCommit(): string {
  return spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
}

function stampedCommit(): string | undefined {
  try {
    const info = JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8')) as { commit?: string };
    return info.commit?.replace(/-dirty$/, '');
  } catch {
    return undefined;
  }
}

export function ensureBuilt(): void {
  const main = join(root, 'dist', 'cli', 'main.js');
  const fresh = existsSync(main) && statSync(main).mtimeMs >= newest(join(root, 'src'));
  if (!fresh) {
    spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'ignore',
    });
  }
  if (!fresh || stampedCommit() !== headCommit()) {
    spawnSync(process.execPath, [join(root, 'scripts', 'build-info.mjs')], { cwd: root, stdio: 'ignore' });
  }
  assert.ok(existsSync(main), 'the build produced dist/cli/main.js');
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a `mesoswarm` binary to completion (start-up refusals exit at once; 15 s on an idle machine is a hang). */
export function runBinary(path: string, args: readonly string[], cwd?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { encoding: 'utf8', timeout: within(15_000), cwd }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

export const mesoswarm = (args: readonly string[]) => runBinary(bin, args);
