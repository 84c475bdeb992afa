// What this copy of the manager is: its package version and the git commit it was built from, for `mesoswarm -v`
// (classic Swarm's `swarm version 1.2.9 (527a849)`) and GET /version. The commit is written into
// dist/build-info.json by the build (scripts/build-info.mjs), so an installed copy knows it without a checkout; run
// from the sources (tsx), the checkout is asked; with neither, it is unknown.
import { readFileSync, realpathSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  readonly version: string;
  /** Short commit hash, `-dirty` when built with uncommitted changes; undefined when nothing says. */
  readonly commit: string | undefined;
  /** ISO time of the build, when built. */
  readonly builtAt: string | undefined;
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  cached ??= read();
  return cached;
}

/** `mesoswarm version 0.1.0 (03d7594)`, as classic Swarm printed its `-v`. */
export function versionLine(info: BuildInfo = buildInfo()): string {
  return `mesoswarm version ${info.version} (${info.commit ?? 'unknown'})`;
}

function read(): BuildInfo {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const stamped = readStamp();
  if (stamped) return { version: pkg.version, commit: stamped.commit, builtAt: stamped.builtAt };
  return { version: pkg.version, commit: checkoutCommit(), builtAt: undefined };
}

function readStamp(): { commit?: string; builtAt?: string } | undefined {
  try {
    return JSON.parse(readFileSync(new URL('../build-info.json', import.meta.url), 'utf8')) as {
      commit?: string;
      builtAt?: string;
    };
  } catch {
    return undefined; // not built (run from the sources) or the file was lost
  }
}

/**
 * The commit of the checkout the sources are, when they are one and git is installed. Only the package's own
 * checkout counts: a copy unpacked inside some other repository (a project's node_modules) would otherwise report
 * that project's commit.
 */
function checkoutCommit(): string | undefined {
  const root = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));
  const result = spawnSync('git', ['rev-parse', '--show-toplevel', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const [top, commit] = result.stdout.trim().split('\n');
  return top && commit && realpathSync(top) === root ? commit : undefined;
}
