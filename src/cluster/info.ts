// The header and per-node lines of `docker info` (classic Swarm's SystemStatus layout), shared by both drivers:
//  <name>: <addr>
//   └ ID, Status, Containers, Reserved CPUs, Reserved Memory, Labels, Error, UpdatedAt, ServerVersion
import type { Engine } from '../engine/engine.js';
import type { NodeView } from '../scheduler/types.js';
import type { Scheduler } from '../scheduler/index.js';
import { humanBytes } from '../util/bytes.js';

export type StatusLine = readonly [string, string];

/** The first lines of both drivers' `docker info`: the manager's role and how it places containers. */
export function infoHeader(scheduler: Scheduler): StatusLine[] {
  return [
    ['Role', 'primary'],
    ['Strategy', scheduler.strategy],
    ['Filters', scheduler.filters.join(', ')],
  ];
}

const STATE_NAMES = { pending: 'Pending', healthy: 'Healthy', unhealthy: 'Unhealthy', disconnected: 'Disconnected' };

export function nodeStatusLines(engines: readonly Engine[], view: (engine: Engine) => NodeView): StatusLine[] {
  const out: StatusLine[] = [];
  const sorted = [...engines].sort((a, b) => naturalCompare(a.name || '(unknown)', b.name || '(unknown)'));
  for (const engine of sorted) {
    out.push([` ${engine.name || '(unknown)'}`, engine.addr]);
    out.push(...nodeDetailLines(engine, engine.id ? view(engine) : undefined));
  }
  return out;
}

function nodeDetailLines(engine: Engine, view: NodeView | undefined): StatusLine[] {
  const lines: StatusLine[] = [];
  lines.push(['  └ ID', engine.id ? `${engine.id}|${engine.addr}` : '']);
  lines.push(['  └ Status', STATE_NAMES[engine.state]]);
  const containers = [...engine.containers.values()];
  if (engine.isHealthy) {
    const running = containers.filter((c) => c.State?.Running && !c.State.Paused).length;
    const paused = containers.filter((c) => c.State?.Paused).length;
    const stopped = containers.length - running - paused;
    lines.push(['  └ Containers', `${containers.length} (${running} Running, ${paused} Paused, ${stopped} Stopped)`]);
  } else lines.push(['  └ Containers', String(containers.length)]);
  lines.push(['  └ Reserved CPUs', `${round(view?.usedCpus ?? 0)} / ${round(view?.totalCpus ?? 0)}`]);
  lines.push(['  └ Reserved Memory', `${humanBytes(view?.usedMemory ?? 0)} / ${humanBytes(view?.totalMemory ?? 0)}`]);
  lines.push(labelsLine(view?.labels ?? engine.labels));
  if (engine.lastError) lines.push(['  └ Error', engine.lastError]);
  lines.push(['  └ UpdatedAt', engine.updatedAt.toISOString().replace(/\.\d+Z$/, 'Z')]);
  lines.push(['  └ ServerVersion', engine.serverVersion]);
  return lines;
}

function round(n: number): string {
  return String(Number(n.toFixed(3)));
}

// One collator for every comparison: `localeCompare` with options builds a new one per call, which made sorting
// 1,000 nodes for `docker info` cost milliseconds. Same locale and options, so the same order.
const NATURAL = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural sort (node-2 before node-10), as classic Swarm orders nodes. */
export function naturalCompare(a: string, b: string): number {
  return NATURAL.compare(a, b);
}

/** `  └ Labels: k=v, k2=v2`, sorted by key. */
export function labelsLine(labels: Readonly<Record<string, string>>): StatusLine {
  const keys = Object.keys(labels).sort();
  return ['  └ Labels', keys.map((k) => `${k}=${labels[k]}`).join(', ')];
}
