// A `POST /build` read for placement, as classic Swarm read it: build args of the scheduling kinds
// (`--build-arg constraint:node==n1`, `affinity:image==busybox`, `whitelist:…`) steer where the build runs and are
// taken out of what the engine sees; `cpushares` and `memory` are the resources it asks placement for. Everything
// else in the query goes to the engine as the client sent it.
import type { CreateBody } from './cluster.js';
import { badParameter, notImplemented } from '../errors.js';
import { extractSchedulingExpressions, validateSchedulingLabels } from '../scheduler/index.js';
import type { OwnerLabel } from './prune.js';

export interface BuildRequest {
  /** A create body for placement only: the scheduling expressions in its labels, the build's resources. */
  readonly placement: CreateBody;
  /** The query for the engine: the client's, with the scheduling build args taken out. */
  readonly engineQuery: URLSearchParams;
  /** `docker build -q`: the output is the image ID only, so nothing is added to it. */
  readonly quiet: boolean;
}

const SCHEDULING_ARG = /^(constraint|affinity|whitelist|reschedule):/;

/** `owner`: the label the manager puts on what it makes, added to the image's labels when there is one. */
export function buildRequest(query: URLSearchParams, owner?: OwnerLabel): BuildRequest {
  const version = query.get('version');
  if (version === '2') {
    throw notImplemented(
      'BuildKit builds are not supported by Mesoswarm: build with the classic builder (DOCKER_BUILDKIT=0)',
    );
  }
  const args = buildArgs(query.get('buildargs'));
  const scheduling: string[] = [];
  const kept: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(args)) {
    // `--build-arg constraint:node==n1` arrives as key `constraint:node`, value `=n1`: the env form, split at the
    // first `=`, which joining them back restores.
    if (SCHEDULING_ARG.test(key) && typeof value === 'string') scheduling.push(`${key}=${value}`);
    else kept[key] = value;
  }
  const { Labels } = extractSchedulingExpressions({ Env: scheduling, Labels: {} });
  validateSchedulingLabels(Labels);
  const engineQuery = new URLSearchParams(query);
  if (scheduling.length) engineQuery.set('buildargs', JSON.stringify(kept));
  if (owner)
    engineQuery.set('labels', JSON.stringify({ ...jsonObject(query.get('labels'), 'labels'), [owner[0]]: owner[1] }));
  return {
    placement: {
      Image: '',
      Labels,
      HostConfig: { CpuShares: integer(query, 'cpushares'), Memory: integer(query, 'memory') },
    },
    engineQuery,
    quiet: ['1', 'true', 'True'].includes(query.get('q') ?? ''),
  };
}

function buildArgs(raw: string | null): Record<string, string | null> {
  return jsonObject(raw, 'buildargs');
}

/** A query value holding a JSON object of strings (null allowed: a build arg taken from the environment). */
function jsonObject(raw: string | null, name: string): Record<string, string | null> {
  if (raw === null || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw badParameter(`invalid ${name}: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badParameter(`invalid ${name}: expected a JSON object of names to values`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== null && typeof value !== 'string') {
      throw badParameter(`invalid ${name}: the value of ${key} is not a string`);
    }
  }
  return parsed as Record<string, string | null>;
}

function integer(query: URLSearchParams, name: string): number {
  const value = query.get(name);
  if (value === null || value === '') return 0;
  if (!/^\d+$/.test(value)) throw badParameter(`invalid value for ${name}: ${value} is not a non-negative integer`);
  return Number(value);
}
