// How the manager keeps each task's `docker inspect`: deflated, with the first inspect this process saw as the shared
// dictionary. Inspects of a cluster's containers repeat the same keys, mounts, networks and labels, so the dictionary
// takes most of each away: ~4 KB of JSON becomes a few hundred bytes. At 100,000 containers these were the largest
// part of the manager's heap, and only `docker inspect` reads one whole (`docker ps` uses cached details). The packed
// form lives only in memory (the journal never holds it), so the dictionary never has to outlive the process.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** A deflated JSON text, one byte per character (latin1), so it stays a plain string on the heap. */
export type PackedJson = string & { readonly __packed: unique symbol };

/** Packs JSON texts against the first text it packed. One per kind of text: its dictionary is only as good as that. */
export class JsonPacker {
  #dictionary: Buffer | undefined;

  pack(json: string): PackedJson {
    const text = Buffer.from(json, 'utf8');
    this.#dictionary ??= text;
    // Level 1: a few µs per inspect, within a few percent of level 6's size.
    return deflateRawSync(text, { dictionary: this.#dictionary, level: 1 }).toString('latin1') as PackedJson;
  }

  unpack(packed: PackedJson): string {
    return inflateRawSync(Buffer.from(packed, 'latin1'), { dictionary: this.#dictionary }).toString('utf8');
  }
}

/** The manager's packer for `docker inspect` texts. */
export const inspectPacker = new JsonPacker();
