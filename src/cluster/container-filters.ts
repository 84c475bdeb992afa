// `docker ps --filter` semantics over the manager's container records: dockerd's keys (id, name, label, status,
// exited, health, ancestor, before, since, volume, network, publish, expose, is-task) plus classic Swarm's `node`.
// Unknown keys and bad values are a 400 with dockerd's wording.
import type { ContainerDetails } from '../engine/engine.js';
import { badParameter } from '../errors.js';

export interface Filterable {
  readonly id: string;
  /** Names as listed (`/node/web`) — the name filter matches these and the bare name. */
  readonly names: readonly string[];
  readonly nodeName: string;
  readonly nodeId: string;
  readonly details: ContainerDetails;
  readonly labels: Readonly<Record<string, string>>;
}

const KEYS = new Set([
  'id',
  'name',
  'label',
  'status',
  'exited',
  'health',
  'ancestor',
  'before',
  'since',
  'volume',
  'network',
  'publish',
  'expose',
  'is-task',
  'node',
  'isolation',
]);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const HEALTH = new Set(['starting', 'healthy', 'unhealthy', 'none']);

/** Parses `filters` JSON: `{"key":["v"]}` or the legacy `{"key":{"v":true}}`. */
export function parseFilters(raw: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badParameter(`invalid filter: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badParameter(`invalid filter: ${raw}`);
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) out.set(key, value.map(String));
    else if (value && typeof value === 'object')
      out.set(
        key,
        Object.keys(value).filter((k) => (value as never)[k]),
      );
    else throw badParameter(`invalid filter: ${raw}`);
  }
  return out;
}

export type ContainerPredicate = (container: Filterable) => boolean;

/**
 * Builds the predicate. `resolve` finds the containers named by `before`/`since`.
 * `showAll` tells whether stopped containers stay: dockerd implies `all` for status and exited filters.
 */
export function containerPredicate(
  filters: ReadonlyMap<string, readonly string[]>,
  resolve: (ref: string) => Filterable | undefined,
): ContainerPredicate {
  for (const key of filters.keys()) if (!KEYS.has(key)) throw badParameter(`Invalid filter '${key}'`);
  const get = (key: string) => filters.get(key) ?? [];
  for (const status of get('status')) {
    if (!STATUSES.has(status)) throw badParameter(`Invalid filter 'status=${status}'`);
  }
  for (const health of get('health')) {
    if (!HEALTH.has(health)) throw badParameter(`Unrecognised filter value for health: ${health}`);
  }
  const exited = get('exited').map((code) => {
    if (!/^-?\d+$/.test(code)) throw badParameter(`invalid filter 'exited=${code}'`);
    return Number(code);
  });
  for (const flag of get('is-task')) {
    if (flag !== 'true' && flag !== 'false') throw badParameter(`Invalid filter 'is-task=${flag}'`);
  }
  const nameRegexps = get('name').map((pattern) => {
    try {
      return new RegExp(pattern);
    } catch {
      throw badParameter(`Invalid filter 'name=${pattern}'`);
    }
  });
  const created = (ref: string) => {
    const found = resolve(ref);
    if (!found) throw badParameter(`No such container: ${ref}`);
    return Date.parse(found.details.Created);
  };
  const before = get('before').map(created);
  const since = get('since').map(created);

  return (c) => {
    const d = c.details;
    if (get('id').length && !get('id').some((id) => c.id.startsWith(id))) return false;
    if (nameRegexps.length) {
      const candidates = c.names.flatMap((n) => [n.replace(/^\//, ''), n.replace(/^\/?[^/]+\//, '')]);
      if (!nameRegexps.some((re) => candidates.some((n) => re.test(n)))) return false;
    }
    for (const want of get('label')) {
      const eq = want.indexOf('=');
      if (eq < 0 ? !(want in c.labels) : c.labels[want.slice(0, eq)] !== want.slice(eq + 1)) return false;
    }
    if (get('status').length && !get('status').includes(d.State?.Status ?? '')) return false;
    if (exited.length && (d.State?.Running || d.State?.Status !== 'exited' || !exited.includes(d.State.ExitCode)))
      return false;
    if (get('health').length) {
      const health = (d.State as { Health?: { Status?: string } } | undefined)?.Health?.Status ?? 'none';
      if (!get('health').includes(health)) return false;
    }
    if (get('ancestor').length && !get('ancestor').some((a) => ancestorMatches(a, d))) return false;
    const createdAt = Date.parse(d.Created);
    if (before.some((t) => createdAt >= t) || since.some((t) => createdAt <= t)) return false;
    if (get('volume').length) {
      const mounts = d.Mounts ?? [];
      if (!get('volume').some((v) => mounts.some((m) => m.Name === v || m.Destination === v))) return false;
    }
    if (get('network').length) {
      const networks = Object.entries(d.NetworkSettings?.Networks ?? {});
      if (!get('network').some((n) => networks.some(([name, net]) => name === n || net.NetworkID?.startsWith(n))))
        return false;
    }
    if (get('publish').length || get('expose').length) {
      const published = Object.entries(d.NetworkSettings?.Ports ?? {}).flatMap(([key, bindings]) =>
        (bindings ?? []).map((b) => `${b.HostPort}/${key.split('/')[1]}`),
      );
      const exposed = Object.keys(d.Config?.ExposedPorts ?? {});
      const norm = (p: string) => (p.includes('/') ? p : `${p}/tcp`);
      if (get('publish').length && !get('publish').some((p) => published.includes(norm(p)))) return false;
      if (get('expose').length && !get('expose').some((p) => exposed.includes(norm(p)))) return false;
    }
    if (get('is-task').length) {
      const isTask = 'com.docker.swarm.task' in c.labels;
      if (!get('is-task').includes(String(isTask))) return false;
    }
    if (get('node').length && !get('node').some((n) => globMatch(n, c.nodeName) || n === c.nodeId)) return false;
    return true;
  };
}

/** True when a status or exited filter is present: dockerd then lists stopped containers without `all`. */
export function impliesAll(filters: ReadonlyMap<string, readonly string[]>): boolean {
  return (filters.get('status')?.length ?? 0) > 0 || (filters.get('exited')?.length ?? 0) > 0;
}

function ancestorMatches(ancestor: string, d: ContainerDetails): boolean {
  const image = d.Config?.Image ?? '';
  const withTag = (ref: string) => (/:[^/]+$/.test(ref) || ref.includes('@') ? ref : `${ref}:latest`);
  return (
    image === ancestor ||
    withTag(image) === withTag(ancestor) ||
    d.Image === ancestor ||
    d.Image.replace(/^sha256:/, '').startsWith(ancestor.replace(/^sha256:/, ''))
  );
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
