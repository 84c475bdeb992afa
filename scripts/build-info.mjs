#!/usr/bin/env node
// Writes dist/build-info.json after the compile (the build and prepare scripts run it): the git commit the build was
// made from and when. An installed copy has no git checkout to ask; `mesoswarm -v` and GET /version read this file.
// Built outside a checkout (a source tarball), the commit is left out and the manager says "unknown".
import { writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const git = (...args) => {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

const commit = git('rev-parse', '--short', 'HEAD');
// Uncommitted changes to tracked files make the build something no commit describes.
const dirty = commit !== undefined && git('status', '--porcelain', '--untracked-files=no') !== '';
const info = { ...(commit ? { commit: dirty ? `${commit}-dirty` : commit } : {}), builtAt: new Date().toISOString() };
mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/build-info.json', import.meta.url), `${JSON.stringify(info)}\n`);
