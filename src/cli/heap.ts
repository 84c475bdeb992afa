// How the manager's process sizes its JavaScript heap. The manager is one long-lived process whose live data grows
// with the cluster (~3.4 KB per container, ~19 KB per agent with its engine connection); V8's default heap growth
// sizes the heap for allocation throughput, up to four times the live data, which for a manager that allocates fast
// (every API call, every status update) means RSS ≈ 4× what it keeps. A growth of 100% (at most twice the live data
// after a full collection) costs ~3% CPU and cut peak RSS at 100,000 containers from 1.7 GiB to 1.0 GiB
// (bench/throughput.ts, 5,000 agents; 50% cost 20% CPU).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

/** Applies the manager's heap growth unless the operator chose one (NODE_OPTIONS or node's own flags). */
export function limitHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): boolean {
  const chosen = (flag: string) => /--heap[-_]growing[-_]percent/.test(flag);
  if (execArgv.some(chosen) || chosen(nodeOptions)) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
