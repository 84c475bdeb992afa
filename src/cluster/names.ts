// Container names: Docker's grammar, and cluster-wide uniqueness. A name is held from the moment a create (or
// rename) starts until it finishes, so two concurrent creates of one name never both reach an engine: the second
// gets dockerd's 409 wording at once.
import { badParameter, nameConflict } from '../errors.js';

const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validateContainerName(name: string): void {
  if (!VALID_NAME.test(name)) {
    throw badParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
}

export class NameReservations {
  readonly #held = new Map<string, string>();

  /**
   * Reserves `name` (leading slash ignored) or throws 409 when a container (`holder`) or an unfinished create
   * already has it. Returns the release function.
   */
  reserve(name: string, holder: (name: string) => string | undefined, owner = 'a container being created'): () => void {
    const key = name.replace(/^\//, '');
    const existing = holder(key) ?? this.#held.get(key);
    if (existing !== undefined) throw nameConflict(key, existing);
    this.#held.set(key, owner);
    return () => {
      if (this.#held.get(key) === owner) this.#held.delete(key);
    };
  }

  isHeld(name: string): boolean {
    return this.#held.has(name.replace(/^\//, ''));
  }
}

/** `docker rm --link parent/alias`: the parent's reference (itself maybe `node/name`) and the link's alias. */
export function splitLink(ref: string): { parent: string; alias: string } {
  const trimmed = ref.replace(/^\/+/, '');
  const slash = trimmed.lastIndexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) {
    // dockerd's words for a link name without its parent.
    throw badParameter('Conflict, cannot remove the default link name of the container');
  }
  return { parent: trimmed.slice(0, slash), alias: trimmed.slice(slash + 1) };
}
