// Owns the once-per-decision preparation of a placement request: its expressions parsed and their patterns
// compiled, its dependencies split out, so that the filters' per-node work is only matching.

import { parseExpressions, type Expression } from './expression.js';
import { readSchedulingExpressions } from './scheduling-labels.js';
import type { PlacementRequest } from './types.js';

export interface Dependencies {
  /** `--volumes-from` container references (the part before `:`). */
  readonly volumesFrom: readonly string[];
  /** `--link` targets (the part before `:`). */
  readonly links: readonly string[];
  /** The `--net container:<x>` target, if any. */
  readonly network: readonly string[];
}

export interface CompiledRequest {
  readonly request: PlacementRequest;
  readonly constraints: readonly Expression[];
  readonly affinities: readonly Expression[];
  readonly whitelists: readonly Expression[];
  /** Whether a second, soft-free pass could give a different answer. */
  readonly hasSoftExpressions: boolean;
  readonly dependencies: Dependencies;
}

/** Parses everything the filters need from the request. Throws a 400 on a malformed expression. */
export function compileRequest(request: PlacementRequest): CompiledRequest {
  const texts = readSchedulingExpressions(request.labels);
  const constraints = parseExpressions(texts.constraints);
  const affinities = parseExpressions(texts.affinities);
  const whitelists = parseExpressions(texts.whitelists);
  const networkTarget = request.networkMode.startsWith('container:')
    ? [request.networkMode.slice('container:'.length)]
    : [];
  return {
    request,
    constraints,
    affinities,
    whitelists,
    hasSoftExpressions: [...constraints, ...affinities, ...whitelists].some((e) => e.soft),
    dependencies: {
      volumesFrom: request.volumesFrom.map(beforeColon),
      links: request.links.map(beforeColon),
      network: networkTarget,
    },
  };
}

// `name:mode` (volumes-from) and `name:alias` (link) both name the container before the colon.
function beforeColon(value: string): string {
  return value.split(':', 1)[0] ?? '';
}
