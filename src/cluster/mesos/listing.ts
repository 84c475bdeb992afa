// `docker ps` in mesos mode: the store's containers filtered, newest first, each written as the UTF-8 JSON parts
// its summary caches (container.ts summaryParts), so a list of thousands is concatenated, not serialised again.
import type { ListContainersQuery } from '../cluster.js';
import { containerPredicate, impliesAll } from '../container-filters.js';
import type { AgentRegistry } from './agents.js';
import type { MesosContainer } from './container.js';
import type { ContainerStore } from './store.js';

const OPEN_LIST = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']');

export function listContainers(store: ContainerStore, agents: AgentRegistry, query: ListContainersQuery): Buffer[] {
  const predicate = containerPredicate(query.filters, (r) => store.index.find(r));
  const all = query.all || impliesAll(query.filters);
  const hasFilters = query.filters.size > 0;
  const out: MesosContainer[] = [];
  for (const c of store.values()) {
    if (!all && !c.isRunning) continue;
    if (!hasFilters || predicate(c)) out.push(c);
  }
  out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  const limited = query.limit > 0 ? out.slice(0, query.limit) : out;
  const now = Date.now();
  const parts: Buffer[] = [OPEN_LIST];
  for (const c of limited) {
    const agent = c.agentId ? agents.get(c.agentId) : undefined;
    if (parts.length > 1) parts.push(COMMA);
    c.summaryParts(parts, agent?.hostname ?? '', c.task?.phase === 'unreachable', now);
  }
  parts.push(CLOSE_LIST);
  return parts;
}
