// The real services tests run against (two Docker engines, ZooKeeper, Apache Mesos), found from the environment or from
// `.ci/services.env`, which `.ci/services.sh` writes. A suite that needs a missing service skips with the reason,
// except under CI=true, where a missing service is a failure: CI must never pass by skipping.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { within } from './deadline.js';

const envFile = fileURLToPath(new URL('../../.ci/services.env', import.meta.url));

function fileEnv(): Record<string, string> {
  try {
    return Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#') && line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  } catch {
    return {};
  }
}

const fromFile = fileEnv();
const setting = (name: string, fallback: string) => process.env[name] ?? fromFile[name] ?? fallback;

/** Engine addresses (tcp://host:port), node-1 first. */
export const ENGINES = setting('MESOSWARM_TEST_ENGINES', 'tcp://127.0.0.1:2375,tcp://127.0.0.1:2385').split(',');
export const ZOOKEEPER = setting('MESOSWARM_TEST_ZK', '127.0.0.1:2181');
export const IN_CI = process.env.CI === 'true';

/**
 * One connect attempt: 'up', 'refused' (nothing listens: a service that is down says so at once on loopback), or
 * 'slow' (no answer in time, which a listening service under load does: CI once saw every engine miss a 1 s connect
 * for minutes while a benchmark ran beside it).
 */
function connectOnce(address: string, timeoutMs: number): Promise<'up' | 'refused' | 'slow'> {
  const [host, port] = address.replace(/^tcp:\/\//, '').split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve('up');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'slow'));
    socket.once('timeout', () => {
      socket.destroy();
      resolve('slow');
    });
  });
}

/** Whether the address answers: a refusal ends the wait, a slow answer is tried again until the deadline. */
async function reachable(address: string): Promise<boolean> {
  const deadline = Date.now() + within(10_000);
  for (;;) {
    const outcome = await connectOnce(address, within(1000));
    if (outcome !== 'slow') return outcome === 'up';
    if (Date.now() >= deadline) return false;
  }
}

/**
 * Returns true when every address answers. Otherwise: under CI throws (the suite fails); elsewhere marks the test
 * skipped with the reason and returns false, so the caller returns early.
 */
export async function need(t: TestContext | undefined, what: string, addresses: readonly string[]): Promise<boolean> {
  const missing: string[] = [];
  for (const address of addresses) if (!(await reachable(address))) missing.push(address);
  if (!missing.length) return true;
  const reason = `${what} not reachable at ${missing.join(', ')} (start it with: sudo bash .ci/services.sh)`;
  if (IN_CI) throw new Error(`CI=true and ${reason}`);
  process.stderr.write(`# skipping: ${reason}\n`);
  t?.skip(reason);
  return false;
}

export const needEngines = (t?: TestContext) => need(t, 'Docker engines', ENGINES);
export const needZooKeeper = (t?: TestContext) => need(t, 'ZooKeeper', [ZOOKEEPER]);

/** The suite's real Mesos (.ci/services.sh): its bin/, the master for the manager (zk://…) and its HTTP address. */
export const MESOS = {
  bin: setting('MESOSWARM_TEST_MESOS_BIN', ''),
  master: setting('MESOSWARM_TEST_MESOS_MASTER', ''),
  http: setting('MESOSWARM_TEST_MESOS_HTTP', ''),
  missing: setting('MESOSWARM_TEST_MESOS_MISSING', ''),
};

/** Real Apache Mesos: its binaries were found and the suite's master answers (with ZooKeeper and the engines). */
export async function needMesos(t?: TestContext): Promise<boolean> {
  if (!MESOS.bin || !MESOS.http) {
    const reason = MESOS.missing || 'Apache Mesos is not set up (run: sudo bash .ci/services.sh)';
    if (IN_CI) throw new Error(`CI=true and ${reason}`);
    process.stderr.write(`# skipping: ${reason}\n`);
    t?.skip(reason);
    return false;
  }
  return (
    (await needEngines(t)) &&
    (await needZooKeeper(t)) &&
    need(t, 'the Apache Mesos master', [MESOS.http.replace(/^http:\/\//, '')])
  );
}
