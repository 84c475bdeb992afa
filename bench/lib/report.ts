// How figures are printed: aligned text tables, units (ms, MiB, ×), the progress line of long runs, and the
// verdict beside a target. Printing only; the figures themselves are plain objects written to the JSON file.

/** Prints a table: first column left-aligned, the others right-aligned (they are numbers). */
export function table(title: string, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export const ms = (v: number) =>
  Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
export const size = (bytes: number) => (bytes < 2 ** 20 ? kib(bytes) : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
export const int = (v: number) => Math.round(v).toLocaleString('en-US');
export const times = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : `${v.toFixed(2)}×`);
export const secs = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} s`;

/** "✓" when the figure meets its target, "✗" when not: `atMost` for costs, `atLeast` for rates. */
export function verdict(value: number, target: { atMost?: number; atLeast?: number }): string {
  if (target.atMost !== undefined) return value <= target.atMost ? 'meets' : 'misses';
  if (target.atLeast !== undefined) return value >= target.atLeast ? 'meets' : 'misses';
  return '';
}

/** A progress callback for bench/lib/load.ts that rewrites one line on a terminal (and stays quiet otherwise). */
export function progressLine(section: string, total: number): ((done: number, elapsedMs: number) => void) | undefined {
  if (!process.stdout.isTTY) return undefined;
  return (done, elapsedMs) => {
    process.stdout.write(`\r  [${section}] ${done} / ${total} (${(elapsedMs / 1000).toFixed(0)} s)   `);
    if (done >= total) process.stdout.write('\n');
  };
}
