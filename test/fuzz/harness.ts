// The fuzz harness shared by both drivers' runs: sends generated requests to a manager, tallies answers by status
// class, and checks the properties of issue 12 on each one and at the end — no 5xx for a client's mistake (an
// invalid body must be a 400), no hang (every answer within a deadline), no crash (the manager still answers),
// nothing left that the client was not told about, engines Healthy, RSS and journal bounded.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bodies } from '../../src/api/schema/index.js';
import { request, type HttpAnswer } from '../helpers/http.js';
import type { Engine } from '../../src/engine/engine.js';
import { validFrom, invalidFrom, type Json, type Overrides, type BrokenBody } from './arbitraries.js';

/** Seeded, so a failure is replayed by running again; MESOSWARM_FUZZ_SEED picks another. */
export const SEED = Number(process.env.MESOSWARM_FUZZ_SEED ?? 20_260_512);

export interface Tally {
  requests: number;
  byClass: Record<string, number>;
  hangs: number;
  /** Answers that broke a property, with what was sent. */
  failures: string[];
  /** Why valid-but-odd bodies were refused (message → count), printed with MESOSWARM_FUZZ_VERBOSE=1. */
  refusals: Map<string, number>;
}

export const newTally = (): Tally => ({ requests: 0, byClass: {}, hangs: 0, failures: [], refusals: new Map() });

export function summary(driver: string, tally: Tally, extra = ''): string {
  const classes = Object.entries(tally.byClass)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `fuzz ${driver}: ${tally.requests} requests (${classes}), hangs ${tally.hangs}, crashes 0${extra}`;
}

/** One request; a missing answer within the deadline counts as a hang (and fails the property). */
export async function send(
  tally: Tally,
  host: string,
  method: string,
  path: string,
  body?: string,
  timeoutMs = 20_000,
): Promise<HttpAnswer | undefined> {
  tally.requests++;
  try {
    const answer = await request(host, method, path, { body, timeoutMs });
    const cls = `${Math.floor(answer.status / 100)}xx`;
    tally.byClass[cls] = (tally.byClass[cls] ?? 0) + 1;
    return answer;
  } catch (err) {
    tally.hangs++;
    tally.failures.push(`${method} ${path}: no answer (${(err as Error).message}) for ${body?.slice(0, 300)}`);
    return undefined;
  }
}

/** A valid-but-odd create body for a shared test engine (see `createOverrides`). */
export function validCreate(overrides: Overrides): fc.Arbitrary<Json> {
  // Nearly always an image: without one, dockerd's first refusal ("Config cannot be empty") hides everything else.
  return fc
    .tuple(validFrom(bodies.containerCreate.schema, overrides), overrides.Image!, fc.nat(19))
    .map(([body, image, dice]) =>
      dice === 0 ? body : { ...(body as Record<string, Json>), Image: image ?? 'busybox' },
    );
}

export function invalidCreate(overrides: Overrides): fc.Arbitrary<BrokenBody> {
  return invalidFrom(bodies.containerCreate.schema, validCreate(overrides));
}

/**
 * Where a random value would reach outside the engine (a host device, a volume plugin, a log driver, a registry)
 * or outlive the run (a named volume), the generated value comes from a list of odd but harmless ones.
 */
export function createOverrides(volume: string): Overrides {
  const absent = fc.constant(undefined);
  return {
    Image: fc.constantFrom('busybox', 'busybox:latest', 'mst-fuzz-missing-image:1'),
    Volumes: fc.constantFrom<Json | undefined>(undefined, {}, { '/data': {} }),
    Healthcheck: fc.constantFrom<Json | undefined>(
      undefined,
      { Test: ['CMD', 'true'], Interval: 1_000_000_000 },
      { Test: ['NONE'] },
    ),
    'HostConfig.Binds': fc.constantFrom<Json | undefined>(
      undefined,
      [],
      ['/data'],
      [`${volume}:/v:ro`],
      ['/tmp:/host-tmp:ro,z'],
      ['/tmp:/t:rslave'],
    ),
    'HostConfig.Mounts': fc.constantFrom<Json | undefined>(
      undefined,
      [],
      [{ Type: 'tmpfs', Target: '/scratch' }],
      [{ Type: 'volume', Target: '/anon' }],
    ),
    'HostConfig.VolumeDriver': fc.constantFrom<Json | undefined>(undefined, '', 'local'),
    'HostConfig.VolumesFrom': absent,
    'HostConfig.Links': absent,
    'HostConfig.Devices': fc.constantFrom<Json | undefined>(
      undefined,
      [],
      [{ PathOnHost: '/dev/null', PathInContainer: '/dev/fuzz-null', CgroupPermissions: 'rwm' }],
    ),
    'HostConfig.DeviceRequests': absent,
    'HostConfig.LogConfig': fc.constantFrom<Json | undefined>(
      undefined,
      { Type: 'json-file', Config: { 'max-size': '1m' } },
      { Type: 'none' },
      { Type: 'no-such-driver' },
    ),
    'HostConfig.NetworkMode': fc.constantFrom<Json | undefined>(
      undefined,
      '',
      'default',
      'bridge',
      'none',
      'host',
      'mst-fuzz-no-such-network',
    ),
    'HostConfig.IpcMode': fc.constantFrom<Json | undefined>(undefined, '', 'private', 'shareable', 'none'),
    'HostConfig.PidMode': fc.constantFrom<Json | undefined>(undefined, '', 'host'),
    'HostConfig.Runtime': fc.constantFrom<Json | undefined>(undefined, '', 'runc', 'no-such-runtime'),
    'HostConfig.Isolation': fc.constantFrom<Json | undefined>(undefined, '', 'default'),
    'HostConfig.RestartPolicy': fc.constantFrom<Json | undefined>(
      undefined,
      { Name: '' },
      { Name: 'no' },
      { Name: 'on-failure', MaximumRetryCount: 2 },
      { Name: 'unless-stopped' },
    ),
    'HostConfig.PortBindings': fc.constantFrom<Json | undefined>(
      undefined,
      {},
      { '80/tcp': [{ HostIp: '', HostPort: '' }] },
      { '53/udp': null },
      { '8080': [{ HostPort: '' }] },
    ),
    'HostConfig.Memory': fc.constantFrom<Json | undefined>(undefined, 0, 8 * 1024 * 1024, 64 * 1024 * 1024, 2 ** 50),
    'HostConfig.MemorySwap': fc.constantFrom<Json | undefined>(undefined, 0, -1),
    'HostConfig.MemoryReservation': absent,
    'HostConfig.KernelMemory': absent,
    'HostConfig.CpuShares': fc.constantFrom<Json | undefined>(undefined, 0, 1, 2, 512),
    'HostConfig.NanoCpus': fc.constantFrom<Json | undefined>(undefined, 0, 100_000_000, 1_000_000_000),
    'HostConfig.CpuPeriod': absent,
    'HostConfig.CpuQuota': absent,
    'HostConfig.CpuRealtimePeriod': absent,
    'HostConfig.CpuRealtimeRuntime': absent,
    'HostConfig.CpusetCpus': fc.constantFrom<Json | undefined>(undefined, '', '0', '0-1', 'x'),
    'HostConfig.CpusetMems': absent,
    'HostConfig.CgroupParent': absent,
    'HostConfig.Cgroup': absent,
    'HostConfig.CgroupnsMode': fc.constantFrom<Json | undefined>(undefined, '', 'private', 'host'),
    'HostConfig.UsernsMode': absent,
    'HostConfig.UTSMode': fc.constantFrom<Json | undefined>(undefined, '', 'host'),
    'HostConfig.StorageOpt': absent,
    'HostConfig.Sysctls': fc.constantFrom<Json | undefined>(
      undefined,
      {},
      { 'net.ipv4.ip_forward': '1' },
      { 'kernel.fuzz': '1' },
    ),
    'HostConfig.Ulimits': fc.constantFrom<Json | undefined>(
      undefined,
      [],
      [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
    ),
    'HostConfig.Tmpfs': fc.constantFrom<Json | undefined>(undefined, {}, { '/run-fuzz': 'size=1m' }),
    'HostConfig.ContainerIDFile': absent,
    'HostConfig.ShmSize': fc.constantFrom<Json | undefined>(undefined, 0, 64 * 1024 * 1024),
    'HostConfig.BlkioWeight': fc.constantFrom<Json | undefined>(undefined, 0, 10, 1000),
    'HostConfig.BlkioWeightDevice': absent,
    'HostConfig.BlkioDeviceReadBps': absent,
    'HostConfig.BlkioDeviceWriteBps': absent,
    'HostConfig.BlkioDeviceReadIOps': absent,
    'HostConfig.BlkioDeviceWriteIOps': absent,
    'HostConfig.IOMaximumIOps': absent,
    'HostConfig.IOMaximumBandwidth': absent,
    'HostConfig.CpuCount': absent,
    'HostConfig.CpuPercent': absent,
    'HostConfig.PidsLimit': fc.constantFrom<Json | undefined>(undefined, 0, -1, 100),
    'HostConfig.MemorySwappiness': fc.constantFrom<Json | undefined>(undefined, -1, 0, 60),
    'HostConfig.OomScoreAdj': fc.constantFrom<Json | undefined>(undefined, 0, -500, 1000),
    'HostConfig.AutoRemove': absent,
    'HostConfig.Privileged': absent,
    'HostConfig.ExtraHosts': fc.constantFrom<Json | undefined>(undefined, [], ['fuzz.example:10.0.0.1']),
    'HostConfig.Dns': fc.constantFrom<Json | undefined>(undefined, [], ['10.0.0.53']),
    'HostConfig.CapAdd': fc.constantFrom<Json | undefined>(undefined, [], ['NET_ADMIN'], 'SYS_TIME'),
    'HostConfig.CapDrop': fc.constantFrom<Json | undefined>(undefined, [], ['ALL']),
    'HostConfig.SecurityOpt': fc.constantFrom<Json | undefined>(undefined, [], ['no-new-privileges']),
    'HostConfig.MaskedPaths': absent,
    'HostConfig.ReadonlyPaths': absent,
    'HostConfig.GroupAdd': fc.constantFrom<Json | undefined>(undefined, [], ['100']),
    ExposedPorts: fc.constantFrom<Json | undefined>(undefined, {}, { '80/tcp': {} }, { '53/udp': {}, '9000': {} }),
    NetworkingConfig: absent,
    StopSignal: fc.constantFrom<Json | undefined>(undefined, '', 'SIGTERM', '9'),
    MacAddress: fc.constantFrom<Json | undefined>(undefined, '', '02:42:ac:11:00:99'),
    User: fc.constantFrom<Json | undefined>(undefined, '', 'root', '1000:1000'),
    WorkingDir: fc.constantFrom<Json | undefined>(undefined, '', '/tmp', '/fuzz/dir'),
    Hostname: fc.constantFrom<Json | undefined>(undefined, '', 'fuzz-host'),
    Domainname: fc.constantFrom<Json | undefined>(undefined, '', 'fuzz.example'),
    OnBuild: absent,
    Shell: absent,
  };
}

/** Asserts the run's properties and prints its figures. */
export function report(driver: string, tally: Tally, extra = ''): void {
  process.stdout.write(`# ${summary(driver, tally, extra)}\n`);
  if (process.env.MESOSWARM_FUZZ_VERBOSE) {
    const top = [...tally.refusals].sort((a, b) => b[1] - a[1]).slice(0, 25);
    for (const [why, count] of top) process.stdout.write(`#   ${count} × ${why}\n`);
  }
  assert.deepEqual(tally.failures, [], `${tally.failures.length} fuzz failures`);
}

/**
 * Creates from generated bodies (valid-but-odd, and invalid ones that must get a 400), each under its own name.
 * Returns the IDs the manager answered 201 with: the containers the client was told about. With `removeEach`, each
 * is removed again at once (a 204 proves it was there), so the run never fills the engines: a full cluster's
 * "no resources available" is the cluster's state, not the request's fault.
 */
export async function fuzzCreates(
  host: string,
  prefix: string,
  runs: number,
  tally: Tally,
  removeEach = false,
): Promise<Set<string>> {
  const overrides = createOverrides(`${prefix}vol`);
  const told = new Set<string>();
  let n = 0;
  const input = fc.oneof(
    validCreate(overrides).map((body) => ({ kind: 'valid' as const, text: JSON.stringify(body), where: '' })),
    invalidCreate(overrides).map((broken) => ({ kind: broken.breakage, text: broken.text, where: broken.where })),
  );
  await fc.assert(
    fc.asyncProperty(input, async ({ kind, text, where }) => {
      const answer = await send(tally, host, 'POST', `/v1.41/containers/create?name=${prefix}${n++}`, text);
      if (!answer) return;
      const id = (answer.json as { Id?: string } | undefined)?.Id;
      if (answer.status === 201 && id) {
        told.add(id);
        if (removeEach) {
          const removed = await send(tally, host, 'DELETE', `/v1.41/containers/${id}?force=1&v=1`);
          if (removed?.status !== 204) tally.failures.push(`remove ${id}: ${removed?.status} ${removed?.text}`);
        }
      }
      if (kind === 'valid' && answer.status >= 400) {
        const why = String((answer.json as { message?: string } | undefined)?.message)
          .replace(/[0-9a-f]{12,}/g, '…')
          .slice(0, 90);
        tally.refusals.set(why, (tally.refusals.get(why) ?? 0) + 1);
      }
      if (answer.status >= 500 || (kind !== 'valid' && answer.status !== 400)) {
        tally.failures.push(
          `${kind} ${where}: ${answer.status} ${answer.text.slice(0, 200)} for ${text.slice(0, 400)}`,
        );
      }
    }),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
  return told;
}

const queryValues = {
  bool: fc.constantFrom('', '1', '0', 'true', 'no', 'none', 'x'),
  strictBool: fc.constantFrom('', 'true', '0', 'False', 'maybe', '2'),
  int: fc.oneof(
    fc.integer({ min: -3, max: 200 }).map(String),
    fc.constantFrom('abc', '1.5', '99999999999999999999', '', '-0', '+7', '0x10', ' 1'),
  ),
  time: fc.constantFrom('', '0', '1700000000.5', '2021-01-01T00:00:00Z', '10m', '1h30m', 'yesterday', '-1', '1e9'),
  filters: fc.constantFrom(
    '',
    '{}',
    '{"label":["a=b"]}',
    '{"status":["exited"]}',
    '{"dangling":{"true":true}}',
    'nope',
    '[1]',
    'null',
    '{"a":[1]}',
    '{"label":"x"}',
    `{"label":${'['.repeat(500)}${']'.repeat(500)}}`,
  ),
  signal: fc.constantFrom('', 'KILL', 'SIGHUP', '9', 'RTMIN+3', 'NOT A SIGNAL', 'SIGNOPE', '99999'),
  string: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('', '%00', '../etc', 'all')),
};

export interface QueryTarget {
  readonly method: string;
  readonly path: string;
  /** Parameter → value kind (query.ts kinds; `oneOf` and `pattern` fall back to strings plus their own values). */
  readonly params: Readonly<Record<string, fc.Arbitrary<string>>>;
  /** Parameters always sent as given (an `until` in the past keeps /events finite). */
  readonly fixed?: Readonly<Record<string, string>>;
  /** Only 400 is acceptable (an engine call with a valid value would leave the machine: registry search). */
  readonly onlyInvalid?: boolean;
}

export const values = queryValues;

/** Sends generated query strings to each target: none may answer 5xx or hang. */
export async function fuzzQueries(
  host: string,
  targets: readonly QueryTarget[],
  runs: number,
  tally: Tally,
): Promise<void> {
  const input = fc.constantFrom(...targets).chain((target) =>
    // A target that may only see invalid values always gets every parameter: without one, the call would be valid.
    fc
      .record(target.params, target.onlyInvalid ? {} : { requiredKeys: [] })
      .map((params) => ({ target, params: params as Record<string, string> })),
  );
  await fc.assert(
    fc.asyncProperty(input, async ({ target, params }) => {
      const query = new URLSearchParams({ ...params, ...target.fixed });
      const path = `/v1.41${target.path}?${query}`;
      const answer = await send(tally, host, target.method, path);
      if (!answer) return;
      if (answer.status >= 500 || (target.onlyInvalid && answer.status < 400)) {
        tally.failures.push(`${target.method} ${path}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }),
    { seed: SEED + 1, numRuns: runs, endOnFailure: true },
  );
}

/** The routes whose query strings are fuzzed, on container `id` (created, never started) and network `bridge`. */
export function queryTargets(id: string, bridge: string): QueryTarget[] {
  return [
    {
      method: 'GET',
      path: '/containers/json',
      params: { all: values.bool, limit: values.int, size: values.bool, filters: values.filters },
    },
    { method: 'GET', path: `/containers/${id}/json`, params: { size: values.bool } },
    { method: 'POST', path: `/containers/${id}/stop`, params: { t: values.int } },
    { method: 'POST', path: `/containers/${id}/kill`, params: { signal: values.signal } },
    { method: 'POST', path: `/containers/${id}/resize`, params: { h: values.int, w: values.int } },
    {
      method: 'GET',
      path: `/containers/${id}/logs`,
      params: {
        stdout: values.bool,
        since: values.time,
        until: values.time,
        timestamps: values.bool,
        tail: fc.constantFrom('', 'all', '5', '-1', 'x'),
      },
    },
    { method: 'GET', path: `/containers/${id}/top`, params: {} },
    {
      method: 'DELETE',
      path: '/containers/mst-fuzz-no-such-container',
      params: { force: values.bool, v: values.bool },
    },
    {
      method: 'GET',
      path: '/images/json',
      params: { all: values.bool, filters: values.filters, digests: values.bool },
    },
    {
      method: 'GET',
      path: '/images/search',
      params: { limit: fc.constantFrom('abc', '0', '101', '1.5', '99999999999999999999', '-1') },
      fixed: { term: 'busybox' },
      onlyInvalid: true,
    },
    { method: 'GET', path: '/networks', params: { filters: values.filters } },
    {
      method: 'GET',
      path: `/networks/${encodeURIComponent(bridge)}`,
      params: { verbose: values.strictBool, scope: fc.constantFrom('', 'local', 'swarm', 'galaxy') },
    },
    { method: 'GET', path: '/volumes', params: { filters: values.filters } },
    {
      method: 'GET',
      path: '/events',
      params: { since: values.time, filters: values.filters },
      fixed: { until: '1' },
    },
  ];
}

/** No crash: the manager still answers; no engine was marked down, and none counted a failure. */
export async function assertServing(host: string, engines: readonly Engine[], tally: Tally): Promise<void> {
  assert.equal((await send(tally, host, 'GET', '/_ping'))?.text, 'OK');
  for (const engine of engines) {
    assert.equal(engine.state, 'healthy', `${engine.addr}: ${engine.lastError}`);
    assert.equal(engine.failureCount, 0, `${engine.addr}: ${engine.lastError}`);
  }
}

/** The container the fuzzed container routes act on: created (never started) under the run's prefix. */
export async function createQueryTarget(host: string, prefix: string, tally: Tally): Promise<string> {
  const target = await send(tally, host, 'POST', `/v1.41/containers/create?name=${prefix}q`, '{"Image":"busybox"}');
  assert.equal(target?.status, 201, target?.text);
  return (target!.json as { Id: string }).Id;
}
