// The engine's container cache when reads of the daemon overlap: a full refresh whose listing was taken before a
// create must not drop the new container, an inspect answered before a destroy must not bring the container back,
// and a single inspect that overlaps a listing still lands. A small fake daemon holds chosen answers back, so the
// interleavings are exact; each answer is what the daemon held when the request arrived, as a real one's would be.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Engine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/util/logger.js';

interface FakeContainer {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean };
}

/** A Docker daemon reduced to what the engine's cache reads, whose answers a test can hold back. */
class FakeDaemon {
  readonly containers = new Map<string, FakeContainer>();
  /** Requests whose path matches are answered only when the test calls `release()`. */
  hold: RegExp | undefined;
  readonly #held: (() => void)[] = [];
  readonly #arrived: (() => void)[] = [];
  readonly #events: http.ServerResponse[] = [];
  readonly server = http.createServer((req, res) => this.#handle(req, res));

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `tcp://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  add(id: string, name: string): void {
    this.containers.set(id, { Id: id, Name: `/${name}`, State: { Status: 'created', Running: false } });
  }

  /** Resolves once a held request has arrived (its answer is already decided). */
  arrived(): Promise<void> {
    return new Promise((resolve) => this.#arrived.push(resolve));
  }

  release(): void {
    this.hold = undefined;
    for (const answer of this.#held.splice(0)) answer();
  }

  event(action: string, id: string): void {
    const line = JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: {} } });
    for (const res of this.#events) res.write(`${line}\n`);
  }

  close(): void {
    for (const res of this.#events) res.end();
    this.server.closeAllConnections();
    this.server.close();
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').replace(/\?.*$/, '');
    if (path === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      this.#events.push(res);
      return;
    }
    const answer = this.#answer(path);
    const body = JSON.stringify(answer.body); // now, not when it is sent
    const send = () => {
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    if (this.hold?.test(path)) {
      this.#held.push(send);
      for (const resolve of this.#arrived.splice(0)) resolve();
    } else send();
  }

  /** The answer as of now: what the daemon holds when the request arrives. */
  #answer(path: string): { status: number; body: unknown } {
    if (path === '/info') return { status: 200, body: { ID: 'FAKE:ID', Name: 'fake', NCPU: 1, MemTotal: 1 << 30 } };
    if (path === '/version') return { status: 200, body: { Version: '20.10.0', ApiVersion: '1.41' } };
    if (path === '/images/json') return { status: 200, body: [] };
    if (path === '/containers/json') {
      const list = [...this.containers.values()].map((c) => ({ Id: c.Id, Names: [c.Name], State: c.State.Status }));
      return { status: 200, body: list };
    }
    const inspect = /^\/containers\/([^/]+)\/json$/.exec(path);
    if (inspect) {
      const found = this.containers.get(inspect[1]!);
      if (!found) return { status: 404, body: { message: `No such container: ${inspect[1]}` } };
      return { status: 200, body: { ...found, Config: { Labels: {} }, HostConfig: {} } };
    }
    return { status: 404, body: { message: `page not found: ${path}` } };
  }
}

const daemons: FakeDaemon[] = [];
const engines: Engine[] = [];
after(() => {
  for (const engine of engines) engine.close();
  for (const daemon of daemons) daemon.close();
});

async function connected(...ids: string[]): Promise<{ daemon: FakeDaemon; engine: Engine }> {
  const daemon = new FakeDaemon();
  daemons.push(daemon);
  for (const id of ids) daemon.add(id, `c-${id}`);
  const engine = new Engine({
    address: await daemon.listen(),
    tls: undefined,
    refreshMinMs: 3_600_000,
    refreshMaxMs: 3_600_000,
    failureRetry: 3,
    logger: silentLogger,
  });
  engines.push(engine);
  await engine.connect();
  assert.equal(engine.state, 'healthy');
  assert.deepEqual([...engine.containers.keys()].sort(), [...ids].sort());
  return { daemon, engine };
}

test('a full refresh listed before a create keeps the new container', async () => {
  const { daemon, engine } = await connected('a');
  daemon.hold = /^\/containers\/json$/;
  const arrived = daemon.arrived();
  const refresh = engine.refreshContainers();
  await arrived; // the listing says: only a
  daemon.add('b', 'new');
  await engine.refreshContainer('b'); // what the manager does right after creating b
  assert.ok(engine.containers.has('b'));
  daemon.release();
  await refresh;
  assert.deepEqual([...engine.containers.keys()].sort(), ['a', 'b']);
});

test('an inspect answered before a destroy does not bring the container back', async () => {
  const { daemon, engine } = await connected('a', 'b');
  daemon.hold = /^\/containers\/b\/json$/;
  const arrived = daemon.arrived();
  const stale = engine.refreshContainer('b');
  await arrived; // the daemon answers: b exists
  daemon.containers.delete('b');
  const destroyed = new Promise<void>((resolve) =>
    engine.on('containers', (id) => {
      if (id === 'b' && !engine.containers.has('b')) resolve();
    }),
  );
  daemon.event('destroy', 'b');
  await destroyed;
  daemon.release();
  await stale;
  assert.deepEqual([...engine.containers.keys()], ['a']);
  // And a later refresh agrees.
  await engine.refreshContainers();
  assert.deepEqual([...engine.containers.keys()], ['a']);
});

test('a single inspect overlapping a listing still lands (the listing only saw the state unchanged)', async () => {
  const { daemon, engine } = await connected('a');
  daemon.hold = /^\/containers\/a\/json$/;
  const arrived = daemon.arrived();
  daemon.containers.get('a')!.Name = '/renamed'; // a rename leaves the state as it was
  const inspect = engine.refreshContainer('a');
  await arrived;
  daemon.hold = undefined;
  await engine.refreshContainers(); // lists a as still "created": nothing to inspect
  daemon.release();
  await inspect;
  assert.equal(engine.containers.get('a')?.Name, '/renamed');
});

test('overlapping refreshes of one container: the later read wins whatever order the answers come in', async () => {
  const { daemon, engine } = await connected('a');
  daemon.hold = /^\/containers\/a\/json$/;
  const arrived = daemon.arrived();
  const first = engine.refreshContainer('a'); // answered as "created", held back
  await arrived;
  daemon.hold = undefined;
  const state = daemon.containers.get('a')!.State;
  state.Status = 'running';
  state.Running = true;
  await engine.refreshContainer('a'); // answered as "running", lands first
  assert.equal(engine.containers.get('a')?.State.Status, 'running');
  daemon.release();
  await first;
  assert.equal(engine.containers.get('a')?.State.Status, 'running');
});
