// Build contexts for the `docker build` suites: a directory of files (Dockerfile, files to COPY), the same as a tar
// for `docker build -` and for a remote context served over HTTP on loopback (the engines share this machine's
// network, so they fetch it themselves), which engines hold an image, the compose build case both drivers run, and
// the clean-up of every image a suite built, found by its label.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { dockerCli, run, type DockerCli } from './docker-cli.js';
import { ENGINES, IN_CI } from './services.js';
import { eventually } from './manager.js';

/** A fresh directory holding `files` (path → content). */
export async function buildContext(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mst-build-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** The directory as an uncompressed tar, as `docker build -` reads it from stdin. */
export function tarOf(dir: string): Buffer {
  const result = spawnSync('tar', ['-C', dir, '-c', '.'], { maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`tar failed: ${String(result.stderr)}`);
  return result.stdout;
}

/** Serves `body` at `http://127.0.0.1:<port>/context.tar` until closed; counts the requests. */
export async function serveContext(body: Buffer): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'Content-Type': 'application/x-tar', 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/context.tar`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Removes, straight on the engines, every image carrying `label=value` (what a suite built, tagged or not). */
export async function removeImagesLabelled(label: string): Promise<void> {
  for (const engine of ENGINES) {
    const docker = dockerCli(engine);
    const ids = (await docker(['images', '-aq', '--filter', `label=${label}`])).stdout.split('\n').filter(Boolean);
    if (ids.length) await docker(['rmi', '-f', ...new Set(ids)]);
  }
}

/** Whether each engine (node-1, node-2) holds `tag`, asked of the engines themselves. */
export async function holders(tag: string): Promise<boolean[]> {
  return Promise.all(ENGINES.map(async (engine) => (await dockerCli(engine)(['image', 'inspect', tag])).code === 0));
}

/**
 * docker-compose 1.29 on a `build:` service (context `dir`, whose Dockerfile writes `greeting` to /greeting) whose
 * build args pin it to `node` (node-2): `docker-compose build`, then `up -d --build` with a changed arg; the image
 * is on node-2 only and the service runs there, printing the rebuilt greeting. `service` adds lines to the service
 * (resources, affinities). Skips when docker-compose is missing, except under CI.
 */
export async function composeBuildAndUp(
  t: TestContext,
  m: { host: string; docker: DockerCli },
  dir: string,
  names: { project: string; tag: string; label: string; node: string },
  service = '',
): Promise<void> {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) {
    if (IN_CI) throw new Error('CI=true and docker-compose is not installed');
    t.skip('docker-compose is not installed');
    return;
  }
  const file = join(dir, 'docker-compose.yml');
  const composeFile = (greeting: string) => `version: "2.4"
services:
  app:
    build:
      context: .
      args:
        - constraint:node==${names.node}
        - greeting=${greeting}
      labels:
        mst.suite: "${names.label}"
    image: ${names.tag}
    command: ["sh", "-c", "cat /greeting; sleep 300"]
    # A project network would be created on whichever node has the fewest containers, and pin the service there,
    # away from its image: the engine's default bridge lets it go where the build put the image.
    network_mode: bridge
${service}`;
  const compose = (args: string[]) =>
    run('docker-compose', ['-p', names.project, '-f', file, ...args], m.host, { timeoutMs: 180_000 });
  try {
    await writeFile(file, composeFile('compose'));
    const built = await compose(['build']);
    assert.equal(built.code, 0, `${built.stdout}\n${built.stderr}`);
    assert.match(built.stdout, new RegExp(`Building on ${names.node} `));
    assert.deepEqual(await holders(names.tag), [false, true]);

    await writeFile(file, composeFile('rebuilt'));
    const up = await compose(['up', '-d', '--build']);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const id = (await compose(['ps', '-q'])).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(await m.docker.ok(['inspect', '--format', '{{.Node.Name}}', id]), names.node);
    assert.match(await eventually(() => m.docker.ok(['logs', id])), /^built with rebuilt/);
  } finally {
    await compose(['down', '-t', '1']);
  }
}
