// Starts a manager in-process for a test, on a free loopback port, with the same start-up path as
// `mesoswarm manage` (flags → config → cluster → API). Containers made through it are cleaned up at close.
import { buildManageConfig, type ManageFlags } from '../../src/cli/options.js';
import { startManager, type Manager } from '../../src/cli/manage.js';
import { silentLogger, createLogger, type Logger } from '../../src/util/logger.js';
import type { ApiLimits } from '../../src/api/limits.js';
import { dockerCli, type DockerCli } from './docker-cli.js';
import { ENGINES } from './services.js';
import { within } from './deadline.js';

export interface TestManager {
  readonly manager: Manager;
  /** tcp://127.0.0.1:<port> */
  readonly host: string;
  readonly docker: DockerCli;
  close(): Promise<void>;
}

export const MANAGE_DEFAULTS: ManageFlags = {
  host: ['tcp://127.0.0.1:0'],
  strategy: 'spread',
  clusterDriver: 'swarm',
  heartbeat: '60s',
  engineRefreshMinInterval: '30s',
  engineRefreshMaxInterval: '60s',
  engineFailureRetry: '3',
};

export async function startTestManager(
  flags: Partial<ManageFlags> = {},
  discovery: string | undefined = ENGINES.join(','),
  options: { logger?: Logger; limits?: Partial<ApiLimits> } = {},
): Promise<TestManager> {
  const config = { ...buildManageConfig({ ...MANAGE_DEFAULTS, ...flags }, discovery), apiLimits: options.limits };
  const logger = options.logger ?? (process.env.TEST_LOG ? createLogger(process.env.TEST_LOG) : silentLogger);
  const manager = await startManager(config, logger, 'test');
  const host = manager.api.addresses()[0]!;
  return {
    manager,
    host,
    docker: dockerCli(host),
    close: () => manager.close(),
  };
}

/** Removes, straight on the engines, every container whose name starts with `prefix`. */
export async function removeContainersNamed(prefix: string): Promise<void> {
  for (const engine of ENGINES) {
    const docker = dockerCli(engine);
    const ids = (await docker(['ps', '-aq', '--filter', `name=${prefix}`])).stdout.split('\n').filter(Boolean);
    if (ids.length) await docker(['rm', '-f', ...ids]);
  }
}

/** A name prefix unique to one suite run, so suites never touch each other's containers. */
export function uniquePrefix(suite: string): string {
  return `mst-${suite}-${process.pid}-${Date.now().toString(36)}-`;
}

/** Polls `check` until it returns a truthy value or the time is up. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  stepMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + within(timeoutMs);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${within(timeoutMs)} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
