// One test per class of hostile input that issue 12 found, over both drivers: each is a 400 whose message names the
// field, and leaves nothing behind — no container on an engine or record in the manager, no journal line, no failure
// counted against an engine — and the next good request still works. Before the fix these were: a create that
// never answered and wedged dockerd (Ulimits:[null]); engines marked Unhealthy by "Maximum call stack size exceeded"
// (deep nesting); 500s for huge numbers, wrong JSON types, bad bind modes and `limit=abc`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENGINES } from '../helpers/services.js';
import { startTestManager, removeContainersNamed, uniquePrefix, type TestManager } from '../helpers/manager.js';
import {
  needBackend,
  oncePerRun,
  ON_REAL_MESOS,
  startMesosTestCluster,
  type MesosTestCluster,
} from '../helpers/mesos.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { messageOf, request, type HttpAnswer } from '../helpers/http.js';

const prefix = uniquePrefix('classes');
let native: TestManager | undefined;
let mesos: MesosTestCluster | undefined;

// The mesos driver over the Mesos double and over real Mesos (MESOSWARM_TEST_MESOS); the native driver once per run.
before(async () => {
  if (!(await needBackend())) return;
  if (!ON_REAL_MESOS) native = await startTestManager();
  mesos = await startMesosTestCluster();
});
after(async () => {
  await native?.close();
  await mesos?.close();
  await removeContainersNamed(prefix);
});

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Each class: what is sent (raw body text, or a path for query classes) and the message that must come back. */
const CLASSES: { name: string; path?: string; body?: string; message: RegExp }[] = [
  {
    name: 'a null ulimit (dockerd 20.10 panics holding the container lock)',
    body: '{"Image":"busybox","HostConfig":{"Ulimits":[null]}}',
    message: /^invalid HostConfig\.Ulimits\[0\]: expected a ulimit object, got null$/,
  },
  {
    name: 'a null mount',
    body: '{"Image":"busybox","HostConfig":{"Mounts":[null]}}',
    message: /^invalid HostConfig\.Mounts\[0\]: expected a mount object, got null$/,
  },
  {
    name: 'the null ulimit under a key Go folds onto HostConfig',
    body: '{"Image":"busybox","hostconfig":{"Ulimits":[null]}}',
    message: /^invalid HostConfig\.Ulimits\[0\]/,
  },
  {
    name: 'the null ulimit under Ulimitſ (Go folds ſ to s)',
    body: '{"Image":"busybox","HostConfig":{"Ulimit\u017f":[null]}}',
    message: /^invalid HostConfig\.Ulimits\[0\]/,
  },
  {
    name: 'HostConfig given twice in two spellings (dockerd would merge them)',
    body: '{"Image":"busybox","HostConfig":{},"HOSTCONFIG":{"Privileged":true}}',
    message: /^invalid HostConfig: given twice/,
  },
  {
    name: 'Ulimits nested 10,000 arrays deep',
    body: `{"Image":"busybox","HostConfig":{"Ulimits":${deep(10_000)}}}`,
    message: /nested deeper than 32 levels/,
  },
  {
    name: 'Binds nested 10,000 arrays deep',
    body: `{"Image":"busybox","HostConfig":{"Binds":${deep(10_000)}}}`,
    message: /nested deeper than 32 levels/,
  },
  {
    name: 'Healthcheck nested 10,000 objects deep',
    body: `{"Image":"busybox","Healthcheck":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    message: /nested deeper than 32 levels/,
  },
  {
    name: 'Memory past int64',
    body: '{"Image":"busybox","HostConfig":{"Memory":18446744073709551616}}',
    message: /^invalid HostConfig\.Memory: expected an integer from 0 to 9007199254740991 \(int64\)/,
  },
  {
    name: 'CpuShares of 2^63',
    body: '{"Image":"busybox","HostConfig":{"CpuShares":9223372036854775808}}',
    message: /^invalid HostConfig\.CpuShares: expected an integer/,
  },
  {
    name: 'NanoCpus of 1e18',
    body: '{"Image":"busybox","HostConfig":{"NanoCpus":1e18}}',
    message: /^invalid HostConfig\.NanoCpus: expected an integer/,
  },
  {
    name: 'a fraction where Go has an integer',
    body: '{"Image":"busybox","HostConfig":{"Memory":67108864.5}}',
    message: /^invalid HostConfig\.Memory: expected an integer/,
  },
  {
    name: 'a string where Go has a boolean (a field the manager itself never reads)',
    body: '{"Image":"busybox","Tty":"yes"}',
    message: /^invalid Tty: expected a boolean, got "yes"$/,
  },
  {
    name: 'a string where Go has an int (OomScoreAdj)',
    body: '{"Image":"busybox","HostConfig":{"OomScoreAdj":"high"}}',
    message: /^invalid HostConfig\.OomScoreAdj: expected an integer/,
  },
  {
    name: 'an object where Go has a list (Dns)',
    body: '{"Image":"busybox","HostConfig":{"Dns":{"a":"8.8.8.8"}}}',
    message: /^invalid HostConfig\.Dns: expected an array of strings, got an object$/,
  },
  {
    name: 'a number in a map of strings (LogConfig.Config)',
    body: '{"Image":"busybox","HostConfig":{"LogConfig":{"Type":"json-file","Config":{"max-size":10}}}}',
    message: /^invalid HostConfig\.LogConfig\.Config\["max-size"\]: expected a string, got 10$/,
  },
  {
    name: 'a bind with a bogus mode',
    body: '{"Image":"busybox","HostConfig":{"Binds":["/a:/b:bogusmode"]}}',
    message: /^invalid HostConfig\.Binds\[0\]: invalid mode: bogusmode$/,
  },
  {
    name: 'a bind to a relative path',
    body: '{"Image":"busybox","HostConfig":{"Binds":["/a:b"]}}',
    message: /^invalid HostConfig\.Binds\[0\]: invalid volume specification: '\/a:b': invalid mount path/,
  },
  {
    name: 'a port spec that is not one',
    body: '{"Image":"busybox","HostConfig":{"PortBindings":{"80/tcp":[{"HostPort":"eighty"}]}}}',
    message: /^invalid HostConfig\.PortBindings\["80\/tcp"\]\.HostPort: invalid hostPort: eighty$/,
  },
  {
    name: 'a restart policy dockerd does not know',
    body: '{"Image":"busybox","HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}',
    message: /^invalid restart policy 'sometimes'$/,
  },
  { name: 'limit=abc on an image search', path: '/v1.41/images/search?term=busybox&limit=abc', message: /limit/ },
  { name: 'limit=1.5 on a container list', path: '/v1.41/containers/json?limit=1.5', message: /limit/ },
];

for (const driver of ['native', 'mesos'] as const) {
  test(`${driver}: every class of hostile input is a 400 naming the field, and leaves nothing behind`, async (t) => {
    if (driver === 'native' && oncePerRun(t)) return;
    const m: TestManager | undefined = driver === 'native' ? native : mesos?.m;
    if (!m) return t.skip('no engines');
    const journal = driver === 'mesos' ? join(mesos!.stateDir, mesos!.name, 'state.jsonl') : undefined;
    const journalBefore = journal ? await readFile(journal, 'utf8') : '';
    let n = 0;
    for (const hostile of CLASSES) {
      const name = `${prefix}${driver}-${n++}`;
      const answer: HttpAnswer = hostile.path
        ? await request(m.host, 'GET', hostile.path)
        : await request(m.host, 'POST', `/v1.41/containers/create?name=${name}`, { body: hostile.body });
      assert.equal(answer.status, 400, `${hostile.name}: ${answer.status} ${answer.text}`);
      assert.match(messageOf(answer), hostile.message, hostile.name);
    }
    // Many deep bodies in a row (14 marked both engines Unhealthy before): engines still healthy, nothing counted.
    for (let i = 0; i < 20; i++) {
      const answer = await request(m.host, 'POST', '/v1.41/containers/create', {
        body: `{"Image":"busybox","HostConfig":{"Ulimits":${deep(10_000)}}}`,
      });
      assert.equal(answer.status, 400);
    }
    for (const engine of m.manager.cluster.engines()) {
      assert.equal(engine.state, 'healthy', engine.addr);
      assert.equal(engine.failureCount, 0, `${engine.addr}: ${engine.lastError}`);
    }
    // Nothing left: no record, no container on an engine, no journal line.
    const listed = (await request(m.host, 'GET', '/v1.41/containers/json?all=1')).json as { Names: string[] }[];
    assert.deepEqual(
      listed.filter((c) => c.Names.some((x) => x.includes(prefix))),
      [],
    );
    for (const engine of ENGINES) {
      assert.equal(await dockerCli(engine).ok(['ps', '-aq', '--filter', `name=${prefix}`]), '', engine);
    }
    if (journal) assert.equal(await readFile(journal, 'utf8'), journalBefore, 'no journal entry');
    // And the next good request works.
    const good = await request(m.host, 'POST', `/v1.41/containers/create?name=${prefix}${driver}-good`, {
      body: { Image: 'busybox', Cmd: ['true'], HostConfig: { Memory: 16 * 1024 * 1024 } },
    });
    assert.equal(good.status, 201, good.text);
    const id = (good.json as { Id: string }).Id;
    assert.equal((await request(m.host, 'DELETE', `/v1.41/containers/${id}?force=1`)).status, 204);
  });
}

test('native: a container no node could ever hold is a 400 (classic Swarm’s words), nothing created', async (t) => {
  if (oncePerRun(t)) return;
  if (!native) return t.skip('no engines');
  const answer = await request(native.host, 'POST', `/v1.41/containers/create?name=${prefix}huge`, {
    body: { Image: 'busybox', HostConfig: { Memory: 2 ** 50 } },
  });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(messageOf(answer), 'no resources available to schedule container');
  for (const engine of ENGINES)
    assert.equal(await dockerCli(engine).ok(['ps', '-aq', '--filter', `name=${prefix}huge`]), '');
});
