#!/usr/bin/env node
// Runs every test file (`test/**/*.test.ts`, or the paths given) with node:test through tsx.
// Node 20's --test takes no globs, so the files are found here. Files run one at a time by default because
// the end-to-end suites share the machine's Docker engines; TEST_CONCURRENCY raises that.
// The mesos-mode suites (the files that take their cluster from test/helpers/mesos.ts) run twice: against the Mesos
// test double with everything else, then against real Apache Mesos (MESOSWARM_TEST_MESOS=real). Setting
// MESOSWARM_TEST_MESOS to `double` or `real` runs that pass only. A table of tests per file and backend ends the run.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
const mesosMode = (file) => /from '(\.\.\/)+helpers\/mesos\.js'/.test(readFileSync(file, 'utf8'));
const chosen = process.env.MESOSWARM_TEST_MESOS;
const passes = [
  { backend: 'double', files: files },
  { backend: 'real', files: files.filter(mesosMode) },
].filter((pass) => pass.files.length && (!chosen || chosen === pass.backend));
const concurrency = process.env.TEST_CONCURRENCY ?? '1';
const countsDir = mkdtempSync(join(tmpdir(), 'mesoswarm-test-counts-'));

function runPass({ backend, files }) {
  const countsFile = join(countsDir, `${backend}.json`);
  if (passes.length > 1)
    console.log(
      `\n# ${files.length} test file${files.length === 1 ? '' : 's'} against the ${backend === 'real' ? 'real Apache Mesos' : 'Mesos test double'}`,
    );
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(fileURLToPath(import.meta.url), '..', 'test-counts.mjs')}`,
      `--test-reporter-destination=${countsFile}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, MESOSWARM_TEST_MESOS: backend } },
  );
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      let counts = {};
      try {
        counts = JSON.parse(readFileSync(countsFile, 'utf8'));
      } catch {
        // the run died before its reporter wrote: its failure is the exit code
      }
      resolve({ backend, code: code ?? (signal ? 1 : 0), counts });
    }),
  );
}

const results = [];
for (const pass of passes) results.push(await runPass(pass));
rmSync(countsDir, { recursive: true, force: true });

// Tests per file and backend: passed (and failed, skipped where any).
const cell = (c) => (c ? `${c.pass}${c.fail ? ` ${c.fail} failed` : ''}${c.skip ? ` (${c.skip} skipped)` : ''}` : '');
const rows = files
  .map((file) => [relative(process.cwd(), file), ...results.map((r) => cell(r.counts[join(process.cwd(), file)]))])
  .filter((row) => row.slice(1).some(Boolean));
const header = ['file', ...results.map((r) => `${r.backend} backend`)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (row) =>
  row
    .map((v, i) => v.padEnd(widths[i]))
    .join('  ')
    .trimEnd();
console.log(`\n# tests passed per file${results.length > 1 ? ' and Mesos backend' : ''}\n${line(header)}`);
for (const row of rows) console.log(line(row));
const total = (r, k) => Object.values(r.counts).reduce((n, c) => n + c[k], 0);
console.log(
  line([
    'total',
    ...results.map((r) => cell({ pass: total(r, 'pass'), fail: total(r, 'fail'), skip: total(r, 'skip') })),
  ]),
);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
