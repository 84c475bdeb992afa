// Secrets never reach a log line or an error message: a whole run of the manager as its own process, at debug level,
// with every secret it can be given (the Mesos principal's secret, ZooKeeper credentials in the master URL, the TLS
// private key), driven through real work with the real docker CLI over TLS (runs, listings, a container that cannot
// be placed, refused requests), then every line it wrote and every answer it gave is searched for each secret.
// Against the Mesos test double and real Mesos (MESOSWARM_TEST_MESOS), each authenticating the framework.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needBackend } from '../helpers/mesos.js';
import { startMesosBackend } from '../helpers/mesos-backend.js';
import { ZOOKEEPER } from '../helpers/services.js';
import { removeZkTrees } from '../helpers/zookeeper.js';
import { eventually, uniquePrefix } from '../helpers/manager.js';
import { freePort } from '../helpers/manager-process.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { makeCertificates } from '../helpers/tls.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PRINCIPAL = 'mesoswarm-ops';
const SECRET = 'Mesos-S3cret-7c1f0e';
const ZK_PASSWORD = 'zk-Pa55-word-93ab';

describe('secrets in a full run', () => {
  it('appear in no log line, CLI output or API answer', async (t) => {
    if (!(await needBackend(t, true))) return;
    const prefix = uniquePrefix('secrets');
    const name = prefix.replace(/-$/, '');
    // On real Mesos a master of the test's own, with HTTP framework authentication.
    const backend = await startMesosBackend({ zookeeper: true, credentials: { [PRINCIPAL]: SECRET } });
    const certs = await makeCertificates();
    const state = await mkdtemp(join(tmpdir(), 'mesoswarm-state-'));
    // The docker CLI's TLS files, under the names it looks for.
    const cliCerts = await mkdtemp(join(tmpdir(), 'mesoswarm-cli-'));
    await copyFile(certs.ca, join(cliCerts, 'ca.pem'));
    await copyFile(certs.clientCert, join(cliCerts, 'cert.pem'));
    await copyFile(certs.clientKey, join(cliCerts, 'key.pem'));
    const port = await freePort();
    const master = backend.master.replace(/^zk:\/\//, `zk://ops:${ZK_PASSWORD}@`);
    const args = [
      `${root}/bin/mesoswarm`,
      '--debug',
      'manage',
      '-H',
      `tcp://127.0.0.1:${port}`,
      '--tlsverify',
      '--tlscacert',
      certs.ca,
      '--tlscert',
      certs.serverCert,
      '--tlskey',
      certs.serverKey,
      '-c',
      'mesos-experimental',
      '--cluster-opt',
      `mesos.principal=${PRINCIPAL}`,
      '--cluster-opt',
      `mesos.secret=${SECRET}`,
      '--cluster-opt',
      'mesos.user=root',
      '--cluster-opt',
      `mesos.statedir=${state}`,
      '--cluster-opt',
      `mesos.name=${name}`,
      '--cluster-opt',
      'mesos.tasktimeout=3s',
      master,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let written = '';
    child.stdout.on('data', (d: Buffer) => (written += d.toString()));
    child.stderr.on('data', (d: Buffer) => (written += d.toString()));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const answers: string[] = [];
    const docker = dockerCli(`tcp://127.0.0.1:${port}`);
    const env = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: cliCerts };
    const cli = async (cliArgs: string[]) => {
      const result = await docker(cliArgs, { env });
      answers.push(result.stdout, result.stderr);
      return result;
    };
    const tlsOptions = {
      ca: await readFile(certs.ca),
      cert: await readFile(certs.clientCert),
      key: await readFile(certs.clientKey),
    };
    const raw = (method: string, path: string, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = https.request(
          { host: '127.0.0.1', port, method, path, headers: { 'Content-Type': 'application/json' }, ...tlsOptions },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => {
              answers.push(JSON.stringify(res.headers), text);
              resolve(res.statusCode ?? 0);
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      await eventually(async () => {
        const info = await cli(['info', '--format', '{{json .SystemStatus}}']);
        return info.code === 0 && /"Mesos","subscribed"/.test(info.stdout) && /"Nodes","2"/.test(info.stdout);
      }, 30_000);
      // Real work, and the failures an operator's run has: a refused request, a missing container, a start that
      // cannot be placed, an engine the manager cannot reach over TLS (the agents' daemons speak plain HTTP).
      const run = await cli(['run', '-d', '-m', '32m', '--name', `${prefix}a`, 'busybox', 'sleep', '60']);
      assert.equal(run.code, 0, run.stderr);
      await cli(['ps', '-a']);
      await cli(['inspect', `${prefix}a`]);
      await cli(['logs', `${prefix}a`]);
      await cli(['run', '-d', '-m', '64g', '--name', `${prefix}huge`, 'busybox', 'true']);
      await cli(['inspect', 'no-such-container']);
      assert.equal(await raw('POST', '/containers/create', '{"Image": '), 400);
      assert.equal(await raw('GET', '/metrics'), 200);
      assert.equal(await raw('GET', '/dashboard/api/overview'), 200);
      await cli(['rm', '-f', `${prefix}a`, `${prefix}huge`]);
    } finally {
      child.kill('SIGTERM');
      await closed;
      await backend.close();
      await removeZkTrees(`/mesoswarm/${name}`).catch(() => undefined);
      await rm(state, { recursive: true, force: true });
      await rm(cliCerts, { recursive: true, force: true });
    }
    // A start-up failure's message names the master it could not use.
    const refused = spawn(
      process.execPath,
      [
        `${root}/bin/mesoswarm`,
        'manage',
        '-c',
        'mesos-experimental',
        '-H',
        `tcp://127.0.0.1:${await freePort()}`,
        `zk://ops:${ZK_PASSWORD}@${ZOOKEEPER}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let refusal = '';
    refused.stderr.on('data', (d: Buffer) => (refusal += d.toString()));
    await new Promise<void>((resolve) => refused.once('close', () => resolve()));

    const key = await readFile(certs.serverKey, 'utf8');
    await certs.remove();
    const secrets = [
      SECRET,
      Buffer.from(`${PRINCIPAL}:${SECRET}`).toString('base64'),
      ZK_PASSWORD,
      ...key.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')),
    ];
    const lines = written.split('\n').filter(Boolean);
    // The run was real and verbose: debug request lines, placements, Mesos updates and failures were all logged.
    assert.ok(lines.length > 40, `only ${lines.length} lines`);
    for (const wanted of ['"msg":"request"', 'subscribed to Mesos', 'TASK_RUNNING', 'no resources available']) {
      assert.ok(written.includes(wanted) || answers.join('\n').includes(wanted), `nothing mentions ${wanted}`);
    }
    assert.match(refusal, /\*\*\*/, `the refusal did not mention the master: ${refusal}`);
    const everything = [...lines, ...answers, refusal];
    for (const secret of secrets) {
      const leaks = everything.filter((line) => line.includes(secret));
      assert.deepEqual(leaks, [], `a secret reached the output`);
    }
  });
});
