// Owns where scheduling expressions live on a container: the env form (`-e constraint:…`, `affinity:`,
// `whitelist:`, `reschedule:`) is moved into the `com.docker.swarm.*` labels (JSON arrays of strings), which are
// the one canonical home from then on; they travel with the container to its engine (and to Mesos), so a restarted
// manager reads them back from the container itself. Also owns their validation at create time.

import { badParameter } from '../errors.js';
import { parseExpression } from './expression.js';

export const SWARM_LABEL_NAMESPACE = 'com.docker.swarm';
export const CONSTRAINTS_LABEL = `${SWARM_LABEL_NAMESPACE}.constraints`;
export const AFFINITIES_LABEL = `${SWARM_LABEL_NAMESPACE}.affinities`;
export const WHITELISTS_LABEL = `${SWARM_LABEL_NAMESPACE}.whitelists`;
export const RESCHEDULE_POLICIES_LABEL = `${SWARM_LABEL_NAMESPACE}.reschedule-policies`;

export const RESCHEDULE_POLICIES = ['off', 'on-node-failure'] as const;
export type ReschedulePolicy = (typeof RESCHEDULE_POLICIES)[number];

export interface SchedulingExpressions {
  readonly constraints: readonly string[];
  readonly affinities: readonly string[];
  readonly whitelists: readonly string[];
  readonly reschedulePolicies: readonly string[];
}

/** The two fields of a Docker create body that can carry scheduling expressions. */
export interface EnvAndLabels {
  readonly Env?: readonly string[] | null;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

type Kind = keyof SchedulingExpressions;

// Env prefix (before the first `:`) → where it goes. Case-sensitive, as in classic Swarm.
const ENV_KINDS: Readonly<Record<string, Kind>> = {
  constraint: 'constraints',
  affinity: 'affinities',
  whitelist: 'whitelists',
  reschedule: 'reschedulePolicies',
};
// Kind → label. The order is the order classic Swarm writes them; it has no meaning.
const LABELS: Readonly<Record<Kind, string>> = {
  affinities: AFFINITIES_LABEL,
  constraints: CONSTRAINTS_LABEL,
  reschedulePolicies: RESCHEDULE_POLICIES_LABEL,
  whitelists: WHITELISTS_LABEL,
};
const KINDS = Object.keys(LABELS) as Kind[];

/**
 * Moves the env-form expressions of a create body into its labels, appended after what the labels already held.
 * Returns new Env and Labels (the input is not touched). A label is rewritten only when it ends up non-empty,
 * exactly as classic Swarm's BuildContainerConfig does.
 */
export function extractSchedulingExpressions(body: EnvAndLabels): {
  Env: string[] | undefined;
  Labels: Record<string, string>;
} {
  const labels: Record<string, string> = { ...(body.Labels ?? {}) };
  const found = readSchedulingExpressions(labels);
  const merged: Record<Kind, string[]> = {
    constraints: [...found.constraints],
    affinities: [...found.affinities],
    whitelists: [...found.whitelists],
    reschedulePolicies: [...found.reschedulePolicies],
  };
  const env: string[] = [];
  for (const entry of body.Env ?? []) {
    const colon = entry.indexOf(':');
    const kind = colon < 0 ? undefined : ownValue(ENV_KINDS, entry.slice(0, colon));
    if (kind === undefined) env.push(entry);
    else merged[kind].push(entry.slice(colon + 1));
  }
  for (const kind of KINDS) {
    if (merged[kind].length > 0) labels[LABELS[kind]] = JSON.stringify(merged[kind]);
  }
  return { Env: body.Env == null ? undefined : env, Labels: labels };
}

/**
 * Reads the expressions back from a container's labels. Lenient like Go's json.Unmarshal into []string: a label
 * that is not JSON, or not an array, counts as empty; a non-string element reads as "" (and then fails to parse
 * as an expression, which `validateSchedulingLabels` reports).
 */
export function readSchedulingExpressions(labels: Readonly<Record<string, string>>): SchedulingExpressions {
  return {
    constraints: readList(labels, CONSTRAINTS_LABEL),
    affinities: readList(labels, AFFINITIES_LABEL),
    whitelists: readList(labels, WHITELISTS_LABEL),
    reschedulePolicies: readList(labels, RESCHEDULE_POLICIES_LABEL),
  };
}

/**
 * Checks the scheduling labels of a container about to be created (after `extractSchedulingExpressions`): each
 * label must be a JSON array of strings, every expression must parse, and the reschedule policies must be valid.
 * Throws a 400 naming the first problem. Stricter than classic Swarm, which silently ignored a label that was not
 * a JSON array (a common way to lose a constraint without noticing).
 */
export function validateSchedulingLabels(labels: Readonly<Record<string, string>>): void {
  for (const kind of KINDS) {
    const label = LABELS[kind];
    const raw = ownValue(labels, label);
    if (raw === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      throw badParameter(`Invalid label ${label}: expected a JSON array of strings, got ${raw}`);
    }
  }
  const found = readSchedulingExpressions(labels);
  for (const text of [...found.constraints, ...found.affinities, ...found.whitelists]) parseExpression(text);
  validateReschedulePolicies(found.reschedulePolicies);
}

/** At most one policy, `off` or `on-node-failure` (classic Swarm's ContainerConfig.Validate). Throws a 400. */
export function validateReschedulePolicies(policies: readonly string[]): void {
  if (policies.length > 1) throw badParameter('too many reschedule policies');
  const [policy] = policies;
  if (policy !== undefined && !(RESCHEDULE_POLICIES as readonly string[]).includes(policy)) {
    throw badParameter(`invalid reschedule policy: ${policy}`);
  }
}

/** Whether the container asked for this reschedule policy (no policy at all means `off`). */
export function hasReschedulePolicy(labels: Readonly<Record<string, string>>, policy: ReschedulePolicy): boolean {
  return readList(labels, RESCHEDULE_POLICIES_LABEL).includes(policy);
}

/** A hard `node==…` constraint pins the container; the swarm driver then skips its image-affinity retry. */
export function hasHardNodeConstraint(labels: Readonly<Record<string, string>>): boolean {
  return readList(labels, CONSTRAINTS_LABEL).some((c) => c.startsWith('node==') && !c.startsWith('node==~'));
}

function readList(labels: Readonly<Record<string, string>>, label: string): string[] {
  const raw = ownValue(labels, label);
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.map((item) => (typeof item === 'string' ? item : ''));
}

// Maps decoded from JSON: a key like `constructor` must not reach Object.prototype.
function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
