// A throw-away certificate authority for TLS tests, made with the machine's openssl: a CA, a server certificate for
// 127.0.0.1 (an IP SAN, as a client connecting by IP checks), and a client certificate, all signed by the CA, in a
// temporary directory the caller removes. Also a second, unrelated CA, for "signed by someone else".
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** Paths of the PEM files. */
  readonly files: {
    ca: string;
    serverCert: string;
    serverKey: string;
    clientCert: string;
    clientKey: string;
    managerCert: string;
    managerKey: string;
    otherCa: string;
  };
  readonly pem: (file: keyof TestPki['files']) => Buffer;
  remove(): void;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mesoswarm-pki-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) =>
    openssl(
      'req',
      '-x509',
      ...key,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
  ca('test-ca');
  ca('other-ca');
  const leaf = (name: string, extensions: string) => {
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    writeFileSync(path(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'test-ca.pem',
      '-CAkey',
      'test-ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  // A manager's: it serves clients and is itself the client of the other managers (a replica proxying to the leader).
  leaf('manager', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  const files = {
    ca: path('test-ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
    managerCert: path('manager.pem'),
    managerKey: path('manager.key'),
    otherCa: path('other-ca.pem'),
  };
  return {
    dir,
    files,
    pem: (file) => readFileSync(files[file]),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
