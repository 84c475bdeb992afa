// How the manager's process sizes its JavaScript heap. The manager is one long-lived process whose live data grows
// with the cluster (its containers and agents). V8's default heap growth sizes the heap for allocation throughput, up
// to about four times the live data for a process that allocates as fast as the manager does (every API call, every
// status update). A growth of 100% (at most twice the live data after a full collection) cost ~3% CPU and cut peak
// RSS at 5,000 agents and 100,000 containers from 1.7 GiB to 1.0 GiB (bench/throughput.ts; 50% cost 20% CPU).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

/**
 * Applies the manager's heap growth unless the operator chose one on node's command line
 * (`node --heap-growing-percent=N bin/mesoswarm manage …`; node refuses the flag in NODE_OPTIONS).
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
