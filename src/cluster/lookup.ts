// Finds a container from whatever a client typed, in classic Swarm's order: full ID or 12-character short ID,
// exact Swarm ID, name (`web`, `/web`, `<node name or ID>/web`; must be unique), unique ID prefix, unique Swarm-ID
// prefix. Exact lookups are map hits, so `docker inspect` stays cheap with 100,000 containers; only prefixes scan.
import { ambiguous, noSuchContainer, notFound } from '../errors.js';

export interface Findable {
  /** The ID clients see. */
  readonly id: string;
  /** `com.docker.swarm.id`, when the container carries one. */
  readonly swarmId: string | undefined;
  /** The container's name without node and without the leading slash (`web`). */
  readonly name: string;
  readonly nodeName: string;
  readonly nodeId: string;
}

export class ContainerIndex<T extends Findable> {
  readonly #byId = new Map<string, T>();
  readonly #bySwarmId = new Map<string, T>();
  readonly #byName = new Map<string, T[]>();

  get size(): number {
    return this.#byId.size;
  }

  values(): IterableIterator<T> {
    return this.#byId.values();
  }

  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  set(record: T): void {
    this.delete(record.id);
    this.#byId.set(record.id, record);
    if (record.swarmId) this.#bySwarmId.set(record.swarmId, record);
    if (record.name) {
      const list = this.#byName.get(record.name);
      if (list) list.push(record);
      else this.#byName.set(record.name, [record]);
    }
  }

  delete(id: string): T | undefined {
    const record = this.#byId.get(id);
    if (!record) return undefined;
    this.#byId.delete(id);
    if (record.swarmId && this.#bySwarmId.get(record.swarmId) === record) this.#bySwarmId.delete(record.swarmId);
    const list = this.#byName.get(record.name);
    if (list) {
      const rest = list.filter((r) => r !== record);
      if (rest.length) this.#byName.set(record.name, rest);
      else this.#byName.delete(record.name);
    }
    return record;
  }

  /** Records holding `name` (several only when containers were made on engines behind our back). */
  named(name: string): readonly T[] {
    return this.#byName.get(name) ?? [];
  }

  /** Resolves a reference or throws Docker's 404. */
  resolve(ref: string): T {
    const found = this.find(ref);
    if (!found) throw noSuchContainer(ref);
    return found;
  }

  find(ref: string): T | undefined {
    if (!ref) return undefined;
    const exact = this.#byId.get(ref) ?? this.#bySwarmId.get(ref);
    if (exact) return exact;
    if (ref.length === 12 && /^[0-9a-f]+$/.test(ref)) {
      const short = this.#uniquePrefix(ref, (r) => r.id);
      if (short) return short;
    }
    const byName = this.#findByName(ref);
    if (byName) return byName;
    return this.#uniquePrefix(ref, (r) => r.id) ?? this.#uniquePrefix(ref, (r) => r.swarmId);
  }

  #findByName(ref: string): T | undefined {
    const trimmed = ref.startsWith('/') ? ref.slice(1) : ref;
    const slash = trimmed.indexOf('/');
    if (slash > 0) {
      const node = trimmed.slice(0, slash);
      const name = trimmed.slice(slash + 1);
      const matches = this.named(name).filter((r) => r.nodeName === node || r.nodeId === node);
      if (matches.length > 1) throw notFound(`Container ${ref} is ambiguous on node ${node}`);
      return matches[0];
    }
    const matches = this.named(trimmed);
    if (matches.length > 1) {
      throw notFound(
        `Container name ${trimmed} is ambiguous: it is used on ${matches.map((m) => m.nodeName).join(', ')}; ` +
          `use <node>/${trimmed}`,
      );
    }
    return matches[0];
  }

  #uniquePrefix(prefix: string, key: (r: T) => string | undefined): T | undefined {
    let found: T | undefined;
    for (const record of this.#byId.values()) {
      if (key(record)?.startsWith(prefix)) {
        if (found && found !== record) throw ambiguous('container', prefix);
        found = record;
      }
    }
    return found;
  }
}
