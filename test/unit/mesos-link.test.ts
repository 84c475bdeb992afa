// The Mesos link's settings from the master address and options: when TLS is on, which files it uses (ours first,
// the manager's --tls files as fallback), verification on unless turned off, ZooKeeper credentials, and the
// address as shown with its password hidden.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mesosLink } from '../../src/cluster/mesos/mesos-link.js';
import { parseClusterOptions } from '../../src/cluster/options.js';
import { makeTestPki, type TestPki } from '../helpers/test-ca.js';

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => pki.remove());

const options = (...pairs: string[]) => parseClusterOptions('mesos-experimental', pairs, {});

describe('mesosLink', () => {
  it('plain http unless the address or an option asks for TLS', () => {
    assert.equal(mesosLink('10.0.0.1:5050', options(), undefined).scheme, 'http');
    assert.equal(mesosLink('zk://h:2181/mesos', options(), undefined).tls, undefined);
    assert.equal(mesosLink('https://m:5050', options(), undefined).scheme, 'https');
    assert.equal(mesosLink('zk://h:2181/mesos', options('mesos.tls=true'), undefined).scheme, 'https');
    assert.equal(mesosLink('m:5050', options(`mesos.tlscacert=${pki.files.ca}`), undefined).scheme, 'https');
  });

  it('verifies by default, with our CA, else the manager’s; tlsverify=false turns it off', () => {
    const manager = { verify: true, cert: pki.pem('clientCert'), key: pki.pem('clientKey'), ca: pki.pem('otherCa') };
    const own = mesosLink('https://m:5050', options(`mesos.tlscacert=${pki.files.ca}`), manager).tls!;
    assert.equal(own.rejectUnauthorized, true);
    assert.deepEqual(own.ca, pki.pem('ca'));
    const fallback = mesosLink('https://m:5050', options(), manager).tls!;
    assert.deepEqual(fallback.ca, pki.pem('otherCa'));
    assert.deepEqual(fallback.cert, pki.pem('clientCert'), 'the manager’s --tlscert when mesos.tlscert is unset');
    assert.deepEqual(fallback.key, pki.pem('clientKey'));
    const system = mesosLink('https://m:5050', options(), undefined).tls!;
    assert.equal(system.ca, undefined, 'the system’s CAs');
    assert.equal(system.rejectUnauthorized, true);
    assert.equal(
      mesosLink('https://m:5050', options('mesos.tlsverify=false'), undefined).tls!.rejectUnauthorized,
      false,
    );
  });

  it('refuses what cannot work, naming the option, and never shows the password', () => {
    assert.throws(
      () => mesosLink('https://m:5050', options(`mesos.tlscert=${pki.files.clientCert}`), undefined),
      /go together/,
    );
    assert.throws(
      () => mesosLink('https://m:5050', options('mesos.tlscacert=/nonexistent'), undefined),
      /mesos\.tlscacert/,
    );
    assert.throws(() => mesosLink('http://m:5050', options('mesos.tls=true'), undefined), /http:\/\//);
    const link = mesosLink('zk://alice:s3cret@h1:2181,h2:2181/mesos', options(), undefined);
    assert.deepEqual(link.zookeeper, { servers: 'h1:2181,h2:2181', auth: { user: 'alice', password: 's3cret' } });
    assert.equal(link.masterForDisplay, 'zk://alice:***@h1:2181,h2:2181/mesos');
  });
});
