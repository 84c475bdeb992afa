// Replicas proxy over TLS: two native managers with --tlsverify on a zk:// discovery (no engines needed), a
// replica reaching the leader with its own certificate (the leader verifies it as a client), the docker CLI with
// its client certificate against the replica; a client without a certificate is refused by the replica itself.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { needZooKeeper, ZOOKEEPER } from '../helpers/services.js';
import { makeTestPki } from '../helpers/test-ca.js';
import { run } from '../helpers/docker-cli.js';
import { removeZkTrees } from '../helpers/zookeeper.js';
import { freePort } from '../helpers/manager-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '../helpers/manager.js';

const bin = fileURLToPath(new URL('../../bin/mesoswarm', import.meta.url));
const base = `/mesoswarm-test/${randomUUID()}`;
const children: ChildProcess[] = [];

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await removeZkTrees(base);
});

test('a replica proxies to the leader over TLS with its own certificate', async (t) => {
  if (!(await needZooKeeper(t))) return;
  const pki = makeTestPki();
  t.after(() => pki.remove());
  const f = pki.files;
  const tls = ['--tlsverify', '--tlscacert', f.ca, '--tlscert', f.managerCert, '--tlskey', f.managerKey];
  const ports = [await freePort(), await freePort()];
  for (const port of ports) {
    const child = spawn(
      process.execPath,
      [
        bin,
        'manage',
        '-H',
        `tcp://127.0.0.1:${port}`,
        ...tls,
        '--replication',
        '--advertise',
        `127.0.0.1:${port}`,
        '--replication-ttl',
        '4s',
        `zk://${ZOOKEEPER}${base}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
  }
  const client = ['--tlsverify', '--tlscacert', f.ca, '--tlscert', f.clientCert, '--tlskey', f.clientKey];
  const docker = (port: number, args: string[]) => run('docker', [...client, ...args], `tcp://127.0.0.1:${port}`);
  const role = async (port: number) => {
    const out = await docker(port, ['info', '--format', '{{json .SystemStatus}}']);
    if (out.code !== 0) return '';
    return (JSON.parse(out.stdout) as [string, string][]).find(([k]) => k === 'Role')?.[1] ?? '';
  };
  const replica = await eventually(async () => {
    const roles = await Promise.all(ports.map(role));
    if (roles.filter((r) => r === 'primary').length !== 1 || !roles.includes('replica')) return undefined;
    return ports[roles.indexOf('replica')];
  }, 30_000);
  // The replica has no cluster: a listing it answers came from the leader, over TLS.
  const ps = await docker(replica!, ['ps', '--format', '{{.Names}}']);
  assert.equal(ps.code, 0, ps.stderr);
  const info = await docker(replica!, ['info']);
  assert.match(info.stdout, /Role: replica/);
  assert.match(info.stdout, /Nodes: 0/, 'the leader’s figures, fetched over TLS');
  const bare = await run('docker', ['--tls', 'ps'], `tcp://127.0.0.1:${replica}`);
  assert.notEqual(bare.code, 0, 'a client without a certificate is refused');
});
