// Images across the cluster's engines, as classic Swarm showed them: one list grouped by image ID (tags merged),
// a `node` filter, lookups answered by the first engine holding the image, tag and remove applied on every engine
// that has it. Pulls and loads fan out in the API layer, which streams their progress.
import type { Engine } from '../engine/engine.js';
import { engineRequest } from '../engine/request.js';
import { badParameter, engineFailed, noSuchImage } from '../errors.js';

type ImageEntry = Record<string, unknown> & { Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null };

/** `GET /images/json` merged over engines. `nodes` (from the `node` filter) limits which engines answer. */
export async function listImages(engines: readonly Engine[], query: URLSearchParams): Promise<ImageEntry[]> {
  const filters = parseJsonFilters(query.get('filters'));
  const nodes = filters.node;
  delete filters.node;
  const engineQuery = new URLSearchParams(query);
  engineQuery.delete('filters');
  if (Object.keys(filters).length) engineQuery.set('filters', JSON.stringify(filters));
  const targets = engines.filter(
    (e) => e.isHealthy && (!nodes?.length || nodes.some((n) => n === e.name || n === e.id)),
  );
  const answers = await Promise.all(
    targets.map((engine) => engineRequest(engine, 'GET', `/images/json?${engineQuery}`)),
  );
  const merged = new Map<string, ImageEntry>();
  for (const answer of answers) {
    if (answer.status !== 200) throw engineFailed(answer.status, answer.message);
    for (const image of answer.json as ImageEntry[]) {
      const seen = merged.get(image.Id);
      if (!seen) {
        merged.set(image.Id, { ...image });
        continue;
      }
      seen.RepoTags = union(seen.RepoTags, image.RepoTags);
      seen.RepoDigests = union(seen.RepoDigests, image.RepoDigests);
    }
  }
  return [...merged.values()].sort((a, b) => Number(b.Created ?? 0) - Number(a.Created ?? 0));
}

/** The healthy engines whose cache shows `ref` (ID, ID prefix, `repo:tag`, or `repo` meaning `:latest`). */
export function enginesWithImage(engines: readonly Engine[], ref: string): Engine[] {
  return engines.filter((engine) => engine.isHealthy && engine.images.some((image) => imageMatches(image, ref)));
}

function imageMatches(
  image: { Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null },
  ref: string,
): boolean {
  const id = image.Id.replace(/^sha256:/, '');
  const bare = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]{4,64}$/.test(bare) && id.startsWith(bare)) return true;
  const tagged = hasTag(ref) ? ref : `${ref}:latest`;
  const normalized = [tagged, tagged.replace(/^docker\.io\/(library\/)?/, '')];
  return (image.RepoTags ?? []).some((tag) => normalized.includes(tag)) || (image.RepoDigests ?? []).includes(ref);
}

function hasTag(ref: string): boolean {
  return ref.includes('@') || /:[^/]+$/.test(ref);
}

/**
 * Asks each healthy engine in turn (those whose cache has the image first) and returns the first answer that is
 * not a 404, so an image cached late or pulled behind our back is still found.
 */
export async function firstEngineWithImage(
  engines: readonly Engine[],
  ref: string,
  path: (engine: Engine) => string,
): Promise<{ engine: Engine; answer: Awaited<ReturnType<typeof engineRequest>> }> {
  const likely = enginesWithImage(engines, ref);
  const ordered = [...likely, ...engines.filter((e) => e.isHealthy && !likely.includes(e))];
  for (const engine of ordered) {
    const answer = await engineRequest(engine, 'GET', path(engine));
    if (answer.status !== 404) return { engine, answer };
  }
  throw noSuchImage(ref);
}

/** `docker tag`: applied on every engine holding the image; 404 when none does. */
export async function tagImage(engines: readonly Engine[], ref: string, query: URLSearchParams): Promise<void> {
  const holders = enginesWithImage(engines, ref);
  if (!holders.length) throw noSuchImage(ref);
  for (const engine of holders) {
    const answer = await engineRequest(engine, 'POST', `/images/${encodeURIComponent(ref)}/tag?${query}`);
    if (answer.status >= 300) throw engineFailed(answer.status, answer.message);
    await engine.refreshImages();
  }
}

/** `docker rmi`: removed on every engine holding it; the engines' delete reports are concatenated. */
export async function removeImage(engines: readonly Engine[], ref: string, query: URLSearchParams): Promise<unknown[]> {
  const holders = enginesWithImage(engines, ref);
  if (!holders.length) throw noSuchImage(ref);
  const report: unknown[] = [];
  for (const engine of holders) {
    const answer = await engineRequest(engine, 'DELETE', `/images/${encodeURIComponent(ref)}?${query}`);
    if (answer.status === 404) continue;
    if (answer.status >= 300) throw engineFailed(answer.status, `${engine.name}: ${answer.message}`);
    report.push(...((answer.json as unknown[]) ?? []));
    await engine.refreshImages();
  }
  return report;
}

function parseJsonFilters(raw: string | null): Record<string, string[]> {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const out: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(parsed)) {
      out[key] = Array.isArray(value)
        ? value.map(String)
        : Object.keys((value as Record<string, boolean>) ?? {}).filter((k) => (value as Record<string, boolean>)[k]);
    }
    return out;
  } catch {
    throw badParameter(`invalid filter: ${raw}`);
  }
}

function union(a: string[] | null | undefined, b: string[] | null | undefined): string[] {
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

/**
 * A create's image named by a bare 64-hex string. Docker reads it as an image ID; when no engine holds such an image
 * (or, with `engines` undefined, in mesos mode, where Mesos pulls images by name and a 64-hex name can never be
 * pulled), it is refused as the reference it is not, in the words of Docker's reference parser that classic Swarm
 * users knew from the CLI. Without this, the engine answered "No such image: sha256:…" and mesos mode failed the
 * task's pull after placement.
 */
export function refuseHexImageName(image: string, engines: readonly Engine[] | undefined): void {
  if (!/^[a-f0-9]{64}$/.test(image)) return;
  if (engines && enginesWithImage(engines, image).length > 0) return;
  throw badParameter(`invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`);
}
