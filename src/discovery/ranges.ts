// Expands classic Swarm's address ranges: `10.0.0.[10:20]:2375` → 10.0.0.10:2375 … 10.0.0.20:2375.
// One bracketed range per address, as in classic Swarm (discovery.Generate).

const RANGE = /\[(\d+):(\d+)\]/;

export function expandRange(address: string): string[] {
  const match = RANGE.exec(address);
  if (!match) return [address];
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (from > to) throw new Error(`invalid range in "${address}": ${from} is greater than ${to}`);
  if (to - from > 65535) throw new Error(`invalid range in "${address}": too many addresses`);
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(address.replace(RANGE, String(i)));
  return out;
}
