// Owns the ordered result of a strategy, computed lazily: the best candidate costs one linear scan, the best k a
// bounded heap (n log k), and the full order a sort done once on first request. Callers usually need only `best`.

import type { NodeView } from '../types.js';

export interface Ranking {
  /** How many candidates there are (at least 1). */
  readonly size: number;
  /** The node to place on. */
  readonly best: NodeView;
  /** The first `count` candidates in order. */
  top(count: number): readonly NodeView[];
  /** Every candidate in order (computed once, then kept). */
  ordered(): readonly NodeView[];
}

/**
 * A ranking by weight: ascending for spread, descending for binpack. Equal weights go to the node with fewer
 * (spread) or more (binpack) containers; full ties keep input order, so equal input gives equal output (Go's
 * unstable sort left them arbitrary).
 */
export class WeightedRanking implements Ranking {
  readonly size: number;
  readonly best: NodeView;
  readonly #nodes: readonly NodeView[];
  readonly #weights: readonly number[];
  readonly #direction: 1 | -1;
  #ordered: readonly NodeView[] | undefined;

  /** `direction` 1 prefers low weights and few containers (spread), -1 high ones (binpack). */
  constructor(nodes: readonly NodeView[], weights: readonly number[], direction: 1 | -1) {
    if (nodes.length === 0) throw new RangeError('a ranking needs at least one node');
    this.#nodes = nodes;
    this.#weights = weights;
    this.#direction = direction;
    this.size = nodes.length;
    let best = 0;
    for (let i = 1; i < nodes.length; i++) if (this.#before(i, best)) best = i;
    this.best = nodes[best] as NodeView;
  }

  top(count: number): readonly NodeView[] {
    if (count <= 0) return [];
    if (this.#ordered || count * 4 >= this.size) return this.ordered().slice(0, count);
    return this.#heapTop(count).map((i) => this.#nodes[i] as NodeView);
  }

  ordered(): readonly NodeView[] {
    this.#ordered ??= Array.from(this.#nodes.keys())
      .sort((a, b) => this.#compare(a, b))
      .map((i) => this.#nodes[i] as NodeView);
    return this.#ordered;
  }

  #compare(a: number, b: number): number {
    const weights = this.#weights;
    const byWeight = ((weights[a] as number) - (weights[b] as number)) * this.#direction;
    if (byWeight !== 0) return byWeight;
    const nodes = this.#nodes;
    const byContainers =
      ((nodes[a] as NodeView).containers.length - (nodes[b] as NodeView).containers.length) * this.#direction;
    return byContainers !== 0 ? byContainers : a - b;
  }

  #before(a: number, b: number): boolean {
    return this.#compare(a, b) < 0;
  }

  // Keeps the best `count` in a heap whose root is the worst of them: each further node costs one comparison
  // unless it beats that root.
  #heapTop(count: number): number[] {
    const heap: number[] = [];
    const worse = (a: number, b: number) => this.#before(b, a);
    const siftUp = (at: number) => {
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(heap[at] as number, heap[parent] as number)) return;
        [heap[at], heap[parent]] = [heap[parent] as number, heap[at] as number];
        at = parent;
      }
    };
    const siftDown = (at: number) => {
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let worst = at;
        if (left < heap.length && worse(heap[left] as number, heap[worst] as number)) worst = left;
        if (right < heap.length && worse(heap[right] as number, heap[worst] as number)) worst = right;
        if (worst === at) return;
        [heap[at], heap[worst]] = [heap[worst] as number, heap[at] as number];
        at = worst;
      }
    };
    for (let i = 0; i < this.size; i++) {
      if (heap.length < count) {
        heap.push(i);
        siftUp(heap.length - 1);
      } else if (this.#before(i, heap[0] as number)) {
        heap[0] = i;
        siftDown(0);
      }
    }
    return heap.sort((a, b) => this.#compare(a, b));
  }
}

/**
 * A uniformly random order (Fisher–Yates), drawn lazily from the front: `best` costs one draw, the rest is
 * shuffled only when asked for. The input array is never reordered.
 */
export class ShuffledRanking implements Ranking {
  readonly size: number;
  readonly best: NodeView;
  readonly #nodes: readonly NodeView[];
  readonly #random: () => number;
  readonly #firstPick: number;
  #order: NodeView[] | undefined;
  #shuffled = 0;

  constructor(nodes: readonly NodeView[], random: () => number) {
    if (nodes.length === 0) throw new RangeError('a ranking needs at least one node');
    this.#nodes = nodes;
    this.#random = random;
    this.size = nodes.length;
    this.#firstPick = this.#draw(nodes.length);
    this.best = nodes[this.#firstPick] as NodeView;
  }

  top(count: number): readonly NodeView[] {
    if (count <= 0) return [];
    this.#shuffleFront(Math.min(count, this.size));
    return (this.#order as NodeView[]).slice(0, count);
  }

  ordered(): readonly NodeView[] {
    this.#shuffleFront(this.size);
    return (this.#order as NodeView[]).slice();
  }

  #shuffleFront(count: number): void {
    if (!this.#order) {
      const order = this.#nodes.slice();
      swap(order, 0, this.#firstPick);
      this.#order = order;
      this.#shuffled = 1;
    }
    const order = this.#order;
    for (; this.#shuffled < count; this.#shuffled++) {
      const i = this.#shuffled;
      swap(order, i, i + this.#draw(order.length - i));
    }
  }

  #draw(below: number): number {
    return Math.min(below - 1, Math.floor(this.#random() * below));
  }
}

function swap<T>(items: T[], a: number, b: number): void {
  const held = items[a] as T;
  items[a] = items[b] as T;
  items[b] = held;
}
