// The Docker SDK for Python as a client, for calls the docker CLI never makes (`attach(stream=False, logs=True)`,
// the websocket attach). Debian's python3-docker (5.0, the SDK docker-compose 1.29 runs on, with python3-websocket)
// under the system interpreter: PyPI is out of reach, and docker-compose brings it on every machine the suites run.
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { run, type CliResult } from './docker-cli.js';
import { IN_CI } from './services.js';

const PYTHON = '/usr/bin/python3';

/** True when the SDK imports; otherwise skips (and fails under CI=true), like a missing service. */
export function needDockerSdk(t: TestContext): boolean {
  const found = spawnSync(PYTHON, ['-c', 'import docker, websocket'], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  const reason = `the Docker SDK for Python is not installed (apt-get install python3-docker python3-websocket)`;
  if (IN_CI) throw new Error(`CI=true and ${reason}`);
  t.skip(reason);
  return false;
}

/**
 * Runs `script` with `client`, a docker.APIClient on the manager at `host`, and `args` as sys.argv[1:]. The script
 * prints what the test checks.
 */
export function python(host: string, script: string, args: readonly string[] = []): Promise<CliResult> {
  const prelude = `import os, sys, docker\nclient = docker.APIClient(base_url=os.environ['DOCKER_HOST'], version='1.41')\n`;
  return run(PYTHON, ['-c', prelude + script, ...args], host, { timeoutMs: 120_000 });
}
