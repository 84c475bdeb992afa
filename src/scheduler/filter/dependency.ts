// Owns the dependency filter: a container that shares volumes with (`--volumes-from`), links to (`--link`) or
// joins the network of (`--net container:x`) other containers must go where all of them already are.

import type { CompiledRequest } from '../compiled-request.js';
import { lookupContainer } from '../containers.js';
import type { NodeView } from '../types.js';
import type { FilterFactory, FilterStep } from './filter.js';

interface Dependency {
  readonly ref: string;
  readonly flag: '--volumes-from' | '--link' | '--net';
}

class DependencyStep implements FilterStep {
  readonly name = 'dependency';
  // Classic Swarm returns an empty node list from this filter without complaint.
  readonly failsOnNoNodes = false;
  readonly noop: boolean;
  readonly #compiled: CompiledRequest;
  readonly #wanted: readonly Dependency[];

  constructor(compiled: CompiledRequest) {
    const { volumesFrom, links, network } = compiled.dependencies;
    this.#compiled = compiled;
    this.#wanted = [
      ...volumesFrom.map((ref) => ({ ref, flag: '--volumes-from' as const })),
      ...links.map((ref) => ({ ref, flag: '--link' as const })),
      ...network.map((ref) => ({ ref, flag: '--net' as const })),
    ];
    this.noop = this.#wanted.length === 0;
  }

  accepts(node: NodeView): boolean {
    return this.#missingOn(node) === undefined;
  }

  reason(node: NodeView): string {
    const missing = this.#missingOn(node);
    return missing ? `container ${missing.ref} (${missing.flag}) is not on this node` : 'missing dependency';
  }

  /** The flags as the user wrote them, mode and alias included. */
  conditions(): readonly string[] {
    const { request, dependencies } = this.#compiled;
    return [
      ...request.volumesFrom.map((v) => `--volumes-from=${v}`),
      ...request.links.map((l) => `--link=${l}`),
      ...(dependencies.network.length > 0 ? [`--net=${request.networkMode}`] : []),
    ];
  }

  failure(): string {
    return `Unable to find a node fulfilling all dependencies: ${this.conditions().join(' ')}`;
  }

  #missingOn(node: NodeView): Dependency | undefined {
    return this.#wanted.find(({ ref }) => lookupContainer(node, ref) === undefined);
  }
}

export const dependencyFilter: FilterFactory = (compiled) => new DependencyStep(compiled);
