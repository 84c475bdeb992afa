// Objects that live on one node (local networks and volumes), shown as `<node>/<name>` and found by ID, ID prefix,
// name or `<node>/<name>`. A bare name that several nodes use (every node has `bridge`) is ambiguous: a 404 that
// tells the client to add the node, as classic Swarm answered.
import type { Engine } from '../engine/engine.js';
import { engineRequest } from '../engine/request.js';
import { engineFailed, notFound } from '../errors.js';

export interface Scoped<T> {
  readonly engine: Engine;
  readonly item: T;
  readonly id: string;
  readonly name: string;
  /** Cluster-wide objects (swarm/global scope) are the same object on every node. */
  readonly global: boolean;
}

/** Fetches `path` from every healthy engine and tags each item with its engine. */
export async function collect<T>(
  engines: readonly Engine[],
  path: string,
  pick: (body: unknown) => T[],
  identify: (item: T) => { id: string; name: string; global: boolean },
): Promise<Scoped<T>[]> {
  const healthy = engines.filter((e) => e.isHealthy);
  const answers = await Promise.all(healthy.map((engine) => engineRequest(engine, 'GET', path)));
  const out: Scoped<T>[] = [];
  answers.forEach((answer, i) => {
    if (answer.status !== 200) throw engineFailed(answer.status, answer.message);
    for (const item of pick(answer.json)) out.push({ engine: healthy[i]!, item, ...identify(item) });
  });
  return out;
}

/** One entry per object: local ones per node, global ones once. */
export function dedupeGlobal<T>(all: readonly Scoped<T>[]): Scoped<T>[] {
  const seen = new Set<string>();
  return all.filter((s) => {
    if (!s.global) return true;
    if (seen.has(s.id)) return false;
    seen.add(s.id);
    return true;
  });
}

export function resolveScoped<T>(all: readonly Scoped<T>[], ref: string, kind: string): Scoped<T> {
  const unique = dedupeGlobal(all);
  const slash = ref.indexOf('/');
  if (slash > 0) {
    const node = ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    const hit = unique.find(
      (s) => (s.engine.name === node || s.engine.id === node) && (s.name === name || s.id === name),
    );
    if (hit) return hit;
  }
  const byId = unique.filter((s) => s.id === ref);
  if (byId.length === 1) return byId[0]!;
  const byName = unique.filter((s) => s.name === ref);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw notFound(
      `${kind} ${ref} is ambiguous (${byName.length} matches found on ${byName.map((s) => s.engine.name).join(', ')}); ` +
        `use <node>/${ref}`,
    );
  }
  const byPrefix = unique.filter((s) => s.id.startsWith(ref));
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) throw notFound(`${kind} ${ref} is ambiguous (${byPrefix.length} matches found)`);
  throw notFound(kind === 'network' ? `network ${ref} not found` : `get ${ref}: no such volume`);
}

/** Splits `node/name` when `node` is a known node; otherwise the whole text is the name. */
export function splitNodeName(engines: readonly Engine[], text: string): { engine?: Engine; name: string } {
  const slash = text.indexOf('/');
  if (slash <= 0) return { name: text };
  const node = text.slice(0, slash);
  const engine = engines.find((e) => e.name === node || e.id === node);
  if (!engine) throw notFound(`No such node: ${node}`);
  return { engine, name: text.slice(slash + 1) };
}
