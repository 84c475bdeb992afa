// Where the swarm driver learns its engines: address normalisation, classic Swarm's IP ranges, static lists
// (`nodes://…` or bare), files re-read every heartbeat, the local engine when nothing is given, and clear refusals
// for the key-value backends that come with replication.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeEngineAddress, splitHostPort } from '../../src/discovery/address.js';
import { expandRange } from '../../src/discovery/ranges.js';
import { createDiscovery, parseNodeList, DEFAULT_LOCAL_ENGINE, type Discovery } from '../../src/discovery/discovery.js';

/** The first list a discovery reports, and every later one as they come. */
function watch(discovery: Discovery) {
  const seen: string[][] = [];
  const errors: Error[] = [];
  const stop = discovery.watch(
    (addresses) => seen.push(addresses),
    (err) => errors.push(err),
  );
  return { seen, errors, stop };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('normalizeEngineAddress', () => {
  it('turns the loose forms into tcp://host:port or unix:///path', () => {
    assert.equal(normalizeEngineAddress('10.0.0.1:2375'), 'tcp://10.0.0.1:2375');
    assert.equal(normalizeEngineAddress(' tcp://10.0.0.1:2375/ '), 'tcp://10.0.0.1:2375');
    assert.equal(normalizeEngineAddress('http://node-1:2375'), 'tcp://node-1:2375');
    assert.equal(normalizeEngineAddress('https://node-1:2376'), 'tcp://node-1:2376');
    assert.equal(normalizeEngineAddress('[::1]:2375'), 'tcp://[::1]:2375');
    assert.equal(normalizeEngineAddress('unix:///var/run/docker.sock'), 'unix:///var/run/docker.sock');
  });

  it('refuses what is not an engine address, saying which', () => {
    assert.throws(() => normalizeEngineAddress(''), /empty engine address/);
    assert.throws(() => normalizeEngineAddress('node-1'), /invalid address "node-1": expected host:port/);
    assert.throws(() => normalizeEngineAddress('node-1:0'), /port out of range/);
    assert.throws(() => normalizeEngineAddress('node-1:70000'), /port out of range/);
    assert.throws(() => normalizeEngineAddress('unix://docker.sock'), /must be absolute/);
  });

  it('lets a listener ask for port 0 only', () => {
    assert.deepEqual(splitHostPort('127.0.0.1:0', '127.0.0.1:0', true), { host: '127.0.0.1', port: 0 });
    assert.throws(() => splitHostPort('127.0.0.1:0'), /port out of range/);
  });
});

describe('expandRange', () => {
  it('expands one bracketed range, bounds included', () => {
    assert.deepEqual(expandRange('10.0.0.[10:12]:2375'), ['10.0.0.10:2375', '10.0.0.11:2375', '10.0.0.12:2375']);
    assert.deepEqual(expandRange('10.0.0.[7:7]:2375'), ['10.0.0.7:2375']);
    assert.deepEqual(expandRange('10.0.0.1:2375'), ['10.0.0.1:2375']);
  });

  it('refuses a reversed or enormous range', () => {
    assert.throws(() => expandRange('10.0.0.[12:10]:2375'), /12 is greater than 10/);
    assert.throws(() => expandRange('10.0.0.[0:70000]:2375'), /too many addresses/);
  });
});

describe('parseNodeList', () => {
  it('normalises, expands ranges, drops empty entries and duplicates', () => {
    assert.deepEqual(parseNodeList('h1:2375, ,tcp://h1:2375,10.0.0.[1:2]:2376'), [
      'tcp://h1:2375',
      'tcp://10.0.0.1:2376',
      'tcp://10.0.0.2:2376',
    ]);
  });

  it('refuses a list without engines', () => {
    assert.throws(() => parseNodeList(' , '), /lists no engines/);
  });
});

describe('createDiscovery', () => {
  it('serves a static list from nodes:// or a bare list', () => {
    for (const uri of ['nodes://h1:2375,h2:2375', 'h1:2375,h2:2375', 'tcp://h1:2375,tcp://h2:2375']) {
      const w = watch(createDiscovery(uri, 1000, {}));
      assert.deepEqual(w.seen, [['tcp://h1:2375', 'tcp://h2:2375']], uri);
      w.stop();
    }
  });

  it('without a discovery, manages the local engine: DOCKER_HOST, else the default socket', () => {
    assert.deepEqual(watch(createDiscovery(undefined, 1000, {})).seen, [[DEFAULT_LOCAL_ENGINE]]);
    assert.deepEqual(watch(createDiscovery('', 1000, { DOCKER_HOST: 'tcp://10.1.1.1:2375' })).seen, [
      ['tcp://10.1.1.1:2375'],
    ]);
  });

  it('reads file:// every heartbeat, ignoring comments and blank lines, reporting changes only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mst-discovery-'));
    const file = join(dir, 'nodes');
    try {
      await writeFile(file, '# engines\nh1:2375\n\n10.0.0.[1:2]:2375  # a range\n');
      const w = watch(createDiscovery(`file://${file}`, 30, {}));
      // The first list is there when watch returns, so the cluster connects before the API opens.
      assert.deepEqual(w.seen, [['tcp://h1:2375', 'tcp://10.0.0.1:2375', 'tcp://10.0.0.2:2375']]);
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(w.seen.length, 1, 'an unchanged file is not reported again');
      // Rewritten the way a file another process reads should be (writeFile truncates first, and a heartbeat can
      // read the empty file in between: an empty list is a change, reported as one).
      await writeFile(`${file}.new`, 'h2:2375\n');
      await rename(`${file}.new`, file);
      await until(() => w.seen.length === 2);
      assert.deepEqual(w.seen[1], ['tcp://h2:2375']);
      w.stop();
      await writeFile(`${file}.new`, 'h3:2375\n');
      await rename(`${file}.new`, file);
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(w.seen.length, 2, 'nothing after stop');
      assert.deepEqual(w.errors, []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('believes an emptied file only when the next read agrees (a rewrite in place is empty for a moment)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mst-discovery-'));
    const file = join(dir, 'nodes');
    // Heartbeats on a mocked clock, so the test decides how many reads happen; the reads themselves are real.
    t.mock.timers.enable({ apis: ['setInterval'] });
    try {
      await writeFile(file, 'h1:2375\n');
      const w = watch(createDiscovery(`file://${file}`, 1000, {}));
      await writeFile(file, '');
      const heartbeat = async () => {
        t.mock.timers.tick(1000);
        await new Promise((r) => setTimeout(r, 100)); // the read's I/O (setTimeout is not mocked)
      };
      await heartbeat();
      assert.deepEqual(w.seen, [['tcp://h1:2375']], 'one empty read is not believed');
      await writeFile(file, 'h1:2375\n');
      await heartbeat();
      await writeFile(file, '');
      await heartbeat();
      assert.deepEqual(w.seen, [['tcp://h1:2375']], 'nor one after a full read');
      await heartbeat();
      assert.deepEqual(w.seen, [['tcp://h1:2375'], []], 'two in a row are');
      w.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file as an error, not a crash', async () => {
    const w = watch(createDiscovery('file:///nonexistent/mesoswarm-nodes', 30, {}));
    assert.equal(w.errors.length, 1, 'the first read fails at once');
    await until(() => w.errors.length > 1);
    assert.match(w.errors[0]!.message, /ENOENT/);
    assert.deepEqual(w.seen, []);
    w.stop();
  });

  it('refuses key-value backends and unknown schemes with a message that says what to use', () => {
    for (const scheme of ['consul', 'etcd']) {
      assert.throws(
        () => createDiscovery(`${scheme}://10.0.0.1:2181/swarm`, 1000, {}),
        new RegExp(`${scheme}:// discovery is not supported; use zk://, nodes:// or file://`),
      );
    }
    assert.throws(
      () => createDiscovery('zk://10.0.0.1:2181', 1000, {}),
      /expected zk:\/\/host:port\[,host:port\]\/path/,
    );
    assert.throws(() => createDiscovery('token://abc', 1000, {}), /retired/);
    assert.throws(() => createDiscovery('ftp://x:1', 1000, {}), /unsupported discovery "ftp:\/\/x:1"/);
  });
});
