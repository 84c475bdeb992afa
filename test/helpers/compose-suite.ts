// The setup a native-mode suite with a compose project shares: one manager over the two engines, a work folder for
// the project's file, and, after the file, the project down, the manager closed and every container named with the
// suite's prefix removed.
import { before, after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { needEngines } from './services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from './manager.js';
import { run } from './docker-cli.js';

export interface ComposeSuite {
  readonly prefix: string;
  readonly hasCompose: boolean;
  /** The manager, once `before` ran with the engines up. */
  m: TestManager | undefined;
  /** The project's docker-compose.yml (written by the tests). */
  readonly composeFile: () => string;
  /** docker-compose against the manager, the project named after the prefix. */
  readonly compose: (args: string[]) => ReturnType<typeof run>;
}

export function composeSuite(name: string): ComposeSuite {
  let dir = '';
  const suite: ComposeSuite = {
    prefix: uniquePrefix(name),
    hasCompose: spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0,
    m: undefined,
    composeFile: () => join(dir, 'docker-compose.yml'),
    compose: (args) =>
      run('docker-compose', ['-p', `${suite.prefix}p`, '-f', suite.composeFile(), ...args], suite.m!.host, {
        timeoutMs: 90_000,
      }),
  };
  before(async () => {
    if (!(await needEngines())) return;
    suite.m = await startTestManager();
    dir = await mkdtemp(join(tmpdir(), `mst-${name}-`));
  });
  after(async () => {
    if (suite.m && dir && suite.hasCompose) await suite.compose(['down', '-t', '1']).catch(() => undefined);
    await suite.m?.close();
    await removeContainersNamed(suite.prefix);
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return suite;
}
