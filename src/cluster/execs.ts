// Which container each exec instance belongs to: an exec is created through the manager, then started, resized
// and inspected by its own ID, which the manager must route to the same engine. Bounded: the oldest are forgotten
// first (an exec ID is only ever used shortly after its creation).
import type { ContainerLocation } from './cluster.js';
import { noSuchExec } from '../errors.js';

const REMEMBERED = 10_000;

export class ExecRegistry {
  readonly #execs = new Map<string, ContainerLocation>();

  remember(execId: string, location: ContainerLocation): void {
    this.#execs.set(execId, location);
    if (this.#execs.size > REMEMBERED) this.#execs.delete(this.#execs.keys().next().value!);
  }

  locate(execId: string): ContainerLocation {
    const found = this.#execs.get(execId);
    if (!found) throw noSuchExec(execId);
    return found;
  }
}
