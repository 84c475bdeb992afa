// The request schemas and their checks (src/api/schema): what the docker CLI, docker-compose and dockerode send
// passes unchanged in meaning; a wrong type, a null entry, a number past its Go type, a key Go would fold onto a
// field, a nesting too deep, bad grammar — each is a 400 naming the field; unknown and null fields are dropped so
// what reaches an engine is what was checked. Query parameters follow dockerd's parsers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bodies, parseBody } from '../../src/api/schema/index.js';
import { checkQuery, q } from '../../src/api/schema/query.js';
import { goFold } from '../../src/api/schema/body.js';
import { isManagerError } from '../../src/errors.js';

const create = (body: unknown) => parseBody(bodies.containerCreate, Buffer.from(JSON.stringify(body)));
const refusedWith = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err) => isManagerError(err) && err.status === 400 && message.test(err.message), String(message));

/** Close to what `docker run -d -p 80 -e A=1 -l x=y --name web busybox sleep 1` sends (docker CLI 28, API 1.41). */
const cliBody = {
  Hostname: '',
  Env: ['A=1'],
  Cmd: ['sleep', '1'],
  Image: 'busybox',
  Entrypoint: null,
  Labels: { x: 'y' },
  ExposedPorts: { '80/tcp': {} },
  Volumes: {},
  HostConfig: {
    Binds: null,
    NetworkMode: 'default',
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] },
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    Links: null,
    VolumesFrom: null,
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: null,
    ConsoleSize: [0, 0],
    LogConfig: { Type: '', Config: {} },
    Mounts: [{ Type: 'tmpfs', Target: '/run' }],
  },
  NetworkingConfig: { EndpointsConfig: {} },
  StopTimeout: null,
};

describe('container create body', () => {
  it('keeps what clients send, drops nulls and unknown fields', () => {
    const parsed = create({ ...cliBody, Future: 1, HostConfig: { ...cliBody.HostConfig, Annotations: { a: 'b' } } });
    assert.deepEqual(parsed.Cmd, ['sleep', '1']);
    assert.deepEqual(parsed.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '' }] });
    assert.ok(!('Entrypoint' in parsed), 'null is Go’s zero value: dropped');
    assert.ok(!('Future' in parsed) && !('Annotations' in parsed.HostConfig!), 'unknown fields dropped');
    assert.deepEqual(create({}), {});
    assert.deepEqual(create({ Image: 'busybox', Cmd: 'echo hi' }).Cmd, 'echo hi');
    assert.deepEqual(create({ Image: 'b', HostConfig: { PortBindings: { '53/udp': null } } }).HostConfig, {
      PortBindings: { '53/udp': null },
    });
  });

  it('matches keys as Go does, and refuses one field given twice', () => {
    assert.equal(goFold('Ulimit\u017f'), 'ulimits');
    assert.equal(goFold('\u212aernelMemory'), 'kernelmemory');
    assert.deepEqual(create({ image: 'busybox', hostconfig: { memory: 8 * 1024 * 1024 } }), {
      Image: 'busybox',
      HostConfig: { Memory: 8 * 1024 * 1024 },
    });
    refusedWith(() => create({ Image: 'a', IMAGE: 'b' }), /^invalid Image: given twice \(as "Image" and "IMAGE"\)$/);
  });

  it('keeps a label called __proto__ a label', () => {
    const parsed = parseBody(bodies.containerCreate, Buffer.from('{"Image":"b","Labels":{"__proto__":"x"}}'));
    assert.equal(Object.getPrototypeOf(parsed.Labels), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(parsed.Labels, '__proto__')?.value, 'x');
  });

  it('refuses wrong types and ranges, naming the field', () => {
    refusedWith(() => create({ Image: 5 }), /^invalid Image: expected a string, got 5$/);
    refusedWith(() => create({ Env: 'A=1' }), /^invalid Env: expected an array of strings, got "A=1"$/);
    refusedWith(() => create({ Env: ['A=1', 2] }), /^invalid Env\[1\]: expected a string, got 2$/);
    refusedWith(() => create({ Labels: { n: 1 } }), /^invalid Labels\.n: expected a string, got 1$/);
    refusedWith(() => create({ HostConfig: 'bridge' }), /^invalid HostConfig: expected an object, got "bridge"$/);
    refusedWith(
      () => create({ HostConfig: { BlkioWeight: 70000 } }),
      /^invalid HostConfig\.BlkioWeight: expected an integer from 0 to 1000/,
    );
    refusedWith(
      () => create({ HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 2, Hard: 1 }] } }),
      /soft limit must be less/,
    );
    refusedWith(() => create({ HostConfig: { Memory: 1024 } }), /^Minimum memory limit allowed is 6MB$/);
    refusedWith(() => create({ HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }), /AutoRemove/);
    refusedWith(
      () => create({ HostConfig: { Mounts: [{ Type: 'bind', Target: '/x' }] } }),
      /Mounts\[0\]: Field Source/,
    );
    refusedWith(() => create({ ExposedPorts: { '80/icmp': {} } }), /^invalid ExposedPorts: invalid port specification/);
    refusedWith(() => create({ HostConfig: { Binds: ['/a:/b:ro,rw'] } }), /invalid mode: ro,rw/);
    refusedWith(() => parseBody(bodies.containerCreate, Buffer.from('{"HostConfig":[1,')), /^invalid JSON/);
    refusedWith(() => parseBody(bodies.containerCreate, Buffer.from('[]')), /expected an object/);
  });

  it('counts depth outside strings only', () => {
    const brackets = '['.repeat(100);
    assert.equal(create({ Image: 'busybox', Labels: { a: brackets } }).Labels!.a, brackets);
    refusedWith(
      () => parseBody(bodies.containerCreate, Buffer.from(`{"Labels":{"a":"\\"${brackets}"},"Env":${'['.repeat(33)}`)),
      /nested deeper than 32/,
    );
  });
});

describe('query parameters', () => {
  const spec = { limit: q.int({ min: 1, max: 100 }), all: q.bool(), t: q.int(), since: q.time(), signal: q.signal() };
  it('checks what dockerd parses strictly and passes on only what is declared', () => {
    const out = checkQuery(spec, new URLSearchParams('limit=5&all=whatever&other=x&since=1700000000.5&signal=HUP'));
    assert.equal(out.toString(), 'limit=5&all=whatever&since=1700000000.5&signal=HUP');
    refusedWith(() => checkQuery(spec, new URLSearchParams('limit=abc')), /^invalid value for limit: "abc"/);
    refusedWith(() => checkQuery(spec, new URLSearchParams('limit=101')), /limit/);
    refusedWith(() => checkQuery(spec, new URLSearchParams('t=99999999999999999999')), /\bt\b/);
    refusedWith(() => checkQuery(spec, new URLSearchParams('since=10m')), /since/);
    refusedWith(() => checkQuery(spec, new URLSearchParams('signal=99999')), /^Invalid signal: 99999$/);
    refusedWith(() => checkQuery({ h: q.int({ required: true }) }, new URLSearchParams()), /h: an integer is required/);
    refusedWith(() => checkQuery({ filters: q.filters() }, new URLSearchParams('filters={"a":[1]}')), /invalid filter/);
  });
});
