// `docker container prune` in mesos mode: the manager's own containers that are not running (ended, or created and
// never started), matching dockerd's prune filters (`until`, `label`, `label!`), removed as `docker rm` removes
// them. Nothing else on the agents' daemons is touched: other frameworks' containers share them. SpaceReclaimed is
// what dockerd counts, each removed container's writable layer on its agent.
import type { MesosContainer } from './container.js';
import type { Filters } from '../prune.js';
import { badParameter } from '../../errors.js';
import { parseDuration } from '../../util/duration.js';

const ACCEPTED = new Set(['until', 'label', 'label!']);

export async function pruneStopped(
  containers: Iterable<MesosContainer>,
  filters: Filters,
  sizeOf: (container: MesosContainer) => Promise<number>,
  remove: (container: MesosContainer) => Promise<void>,
  now = Date.now(),
): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
  for (const key of filters.keys()) if (!ACCEPTED.has(key)) throw badParameter(`Invalid filter '${key}'`);
  const until = (filters.get('until') ?? []).map((value) => untilTime(value, now));
  const wanted = (filters.get('label') ?? []).map(splitLabel);
  const unwanted = (filters.get('label!') ?? []).map(splitLabel);
  const chosen = [...containers].filter((c) => {
    if (c.isRunning || c.isStarting || c.removing) return false;
    const created = Date.parse(c.created);
    if (until.some((limit) => !(created < limit))) return false;
    const labels = c.labels;
    if (!wanted.every((l) => hasLabel(labels, l))) return false;
    return !unwanted.some((l) => hasLabel(labels, l));
  });
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const container of chosen) {
    const size = await sizeOf(container).catch(() => 0);
    await remove(container);
    deleted.push(container.id);
    reclaimed += size;
  }
  return { ContainersDeleted: deleted, SpaceReclaimed: reclaimed };
}

/** dockerd's `until`: a duration back from now (`24h`), Unix seconds, or a date. */
function untilTime(value: string, now: number): number {
  try {
    return now - parseDuration(value);
  } catch {
    /* not a duration */
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date))
    throw badParameter(`invalid until filter "${value}": expected a duration, Unix seconds or a date`);
  return date;
}

function splitLabel(filter: string): [string, string | undefined] {
  const eq = filter.indexOf('=');
  return eq < 0 ? [filter, undefined] : [filter.slice(0, eq), filter.slice(eq + 1)];
}

function hasLabel(labels: Readonly<Record<string, string>>, [key, value]: [string, string | undefined]): boolean {
  return Object.hasOwn(labels, key) && (value === undefined || labels[key] === value);
}
