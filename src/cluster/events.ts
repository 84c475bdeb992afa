// Cluster events: Docker events from every engine (and the manager's own), decorated with the node they came from
// as classic Swarm did (`from` gets " node:<name>", Actor.Attributes get node.name/id/addr/ip, plus a top-level
// `node` object), kept in a bounded history so `GET /events?since=…` can replay, and filtered the way dockerd
// filters (`type`, `event`, `container`, `image`, `label`, `network`, `volume`, `node`, `daemon`, `scope`).
import { EventEmitter } from 'node:events';
import type { DockerEvent, Engine } from '../engine/engine.js';
import { badParameter } from '../errors.js';

export interface EventNode {
  Name: string;
  Id: string;
  Addr: string;
  Ip: string;
}

export interface ClusterEvent extends DockerEvent {
  node?: EventNode;
}

export function nodeOf(engine: Engine): EventNode {
  return { Name: engine.name, Id: engine.id, Addr: engine.addr, Ip: engine.ip };
}

/** Adds the node to a daemon event, in the shape classic Swarm used. */
export function decorate(event: DockerEvent, node: EventNode): ClusterEvent {
  const attributes = { ...(event.Actor?.Attributes ?? {}) };
  attributes['node.name'] = node.Name;
  attributes['node.id'] = node.Id;
  attributes['node.addr'] = node.Addr;
  attributes['node.ip'] = node.Ip;
  const out: ClusterEvent = { ...event, Actor: { ID: event.Actor?.ID ?? event.id ?? '', Attributes: attributes } };
  if (event.from !== undefined) out.from = `${event.from} node:${node.Name}`;
  out.node = node;
  return out;
}

/** An event the manager itself emits (engine_connect, engine_disconnect, …), stamped now. */
export function managerEvent(action: string, node: EventNode): ClusterEvent {
  const nowNano = BigInt(Date.now()) * 1_000_000n;
  return decorate(
    {
      Type: 'swarm',
      Action: action,
      status: action,
      from: 'swarm',
      Actor: { ID: node.Id, Attributes: {} },
      scope: 'local',
      time: Math.floor(Date.now() / 1000),
      timeNano: Number(nowNano),
    },
    node,
  );
}

/**
 * An event the manager emits about one of its containers (reschedule, health_restart, …): a container event, so
 * `--filter container=<name>` and `type=container` find it beside the engine's own, with the container's name and
 * image in its attributes as dockerd's carry them.
 */
export function containerEvent(
  action: string,
  node: EventNode,
  container: { id: string; name: string; image: string },
  attributes: Record<string, string> = {},
): ClusterEvent {
  const now = Date.now();
  return decorate(
    {
      Type: 'container',
      Action: action,
      status: action,
      id: container.id,
      from: container.image,
      Actor: { ID: container.id, Attributes: { ...attributes, image: container.image, name: container.name } },
      scope: 'local',
      time: Math.floor(now / 1000),
      timeNano: Number(BigInt(now) * 1_000_000n),
    },
    node,
  );
}

const HISTORY_LIMIT = 10_000;

/** The bus every /events client listens to, with the recent history for `since`. */
export class EventLog extends EventEmitter<{ event: [ClusterEvent] }> {
  // A ring of the last HISTORY_LIMIT events: dropping the oldest from the front of an array (splice) moved all
  // 10,000 on every event once full, tens of microseconds per container event.
  readonly #history: (ClusterEvent | undefined)[] = new Array<ClusterEvent | undefined>(HISTORY_LIMIT);
  /** Where the next event goes; the oldest kept is `count` slots before it. */
  #next = 0;
  #count = 0;

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  publish(event: ClusterEvent): void {
    event.time ??= Math.floor(Date.now() / 1000);
    event.timeNano ??= event.time * 1e9;
    this.#history[this.#next] = event;
    this.#next = (this.#next + 1) % HISTORY_LIMIT;
    if (this.#count < HISTORY_LIMIT) this.#count++;
    this.emit('event', event);
  }

  /**
   * Past events from `sinceSeconds` to `untilSeconds`, both inclusive, compared to the nanosecond time as dockerd does
   * (`--since` is often a fraction of a second: whole seconds would replay what came just before it).
   */
  since(sinceSeconds: number, untilSeconds = Infinity): ClusterEvent[] {
    const out: ClusterEvent[] = [];
    const oldest = (this.#next - this.#count + HISTORY_LIMIT) % HISTORY_LIMIT;
    for (let i = 0; i < this.#count; i++) {
      const e = this.#history[(oldest + i) % HISTORY_LIMIT]!;
      const at = e.timeNano !== undefined ? e.timeNano / 1e9 : (e.time ?? 0);
      if (at >= sinceSeconds && at <= untilSeconds) out.push(e);
    }
    return out;
  }
}

const FILTER_KEYS = new Set([
  'type',
  'event',
  'container',
  'image',
  'label',
  'network',
  'volume',
  'node',
  'daemon',
  'scope',
  'plugin',
  'config',
  'secret',
  'service',
]);

export type EventFilter = (event: ClusterEvent) => boolean;

/** Builds dockerd's event filter from parsed `filters`; unknown keys are a 400, as in dockerd. */
export function eventFilter(filters: ReadonlyMap<string, readonly string[]>): EventFilter {
  for (const key of filters.keys()) if (!FILTER_KEYS.has(key)) throw badParameter(`Invalid filter '${key}'`);
  const has = (key: string) => (filters.get(key)?.length ?? 0) > 0;
  const anyOf = (key: string, ...candidates: (string | undefined)[]) =>
    !has(key) || filters.get(key)!.some((want) => candidates.some((c) => c !== undefined && c !== '' && c === want));
  return (event) => {
    const type = event.Type ?? 'container';
    const action = event.Action ?? event.status ?? '';
    const attributes = event.Actor?.Attributes ?? {};
    const id = event.Actor?.ID ?? event.id ?? '';
    if (!anyOf('type', type)) return false;
    if (has('event') && !filters.get('event')!.some((want) => action === want || action.startsWith(`${want}:`)))
      return false;
    if (has('scope') && !anyOf('scope', event.scope)) return false;
    if (has('container') && (type !== 'container' || !matchesObject(filters.get('container')!, id, attributes.name)))
      return false;
    if (has('image')) {
      const image = type === 'image' ? id : (attributes.image ?? event.from?.replace(/ node:.*$/, ''));
      if (!filters.get('image')!.some((want) => image === want || stripTag(image ?? '') === stripTag(want)))
        return false;
    }
    if (has('network') && (type !== 'network' || !matchesObject(filters.get('network')!, id, attributes.name)))
      return false;
    if (has('volume') && (type !== 'volume' || !matchesObject(filters.get('volume')!, id))) return false;
    if (has('node') && !anyOf('node', event.node?.Name, event.node?.Id)) return false;
    if (has('daemon') && !anyOf('daemon', event.node?.Name, event.node?.Id)) return false;
    if (has('label')) {
      for (const want of filters.get('label')!) {
        const eq = want.indexOf('=');
        if (eq < 0 ? !(want in attributes) : attributes[want.slice(0, eq)] !== want.slice(eq + 1)) return false;
      }
    }
    return true;
  };
}

function matchesObject(wants: readonly string[], id: string, name?: string): boolean {
  return wants.some((want) => id === want || (want.length >= 1 && id.startsWith(want)) || name === want);
}

function stripTag(image: string): string {
  return image.replace(/:[^/:]+$/, '');
}
