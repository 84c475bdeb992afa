#!/usr/bin/env node
// Runs every test file (`test/**/*.test.ts`, or the paths given) with node:test through tsx.
// Node 20's --test takes no globs, so the files are found here. Files run one at a time by default because
// the end-to-end suites share the machine's Docker engines; TEST_CONCURRENCY raises that.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

// The suites need two Docker engines and ZooKeeper. As root on a machine with dockerd, start them (idempotent,
// instant when they are up); otherwise the suites that need them skip with the reason (or fail under CI=true).
if (
  process.env.MESOSWARM_SKIP_SERVICES !== '1' &&
  process.getuid?.() === 0 &&
  spawnSync('which', ['dockerd']).status === 0
) {
  const setup = spawnSync('bash', ['.ci/services.sh'], { stdio: 'inherit' });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
}

const args = process.argv.slice(2);
const files = (args.length ? args.flatMap((a) => (statSync(a).isDirectory() ? find(a) : [a])) : find('test')).sort();
const concurrency = process.env.TEST_CONCURRENCY ?? '1';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
