// What a create's CpuShares (`docker run -c`, compose's `cpu_shares`) means. Classic Swarm read it as a number of
// CPUs to reserve (fractions allowed), which Swarm users' scripts and the seed's "resources constraints (-c and/or
// -m)" rely on, so that stays the default in both drivers (`cpus`). Docker clients mean a relative weight, 1024 being
// one CPU's share; with `--cluster-opt swarm.cpushares=weight` (native) or `mesos.cpushares=weight` (Mesos) the
// manager reads it so: it reserves shares/1024 CPUs — the conversion Mesos itself makes (its Docker containerizer
// runs a task of N CPUs with --cpu-shares N×1024) — and the engine gets the shares as written.
export type CpuSharesMeaning = 'cpus' | 'weight';

export const CPU_SHARES_MEANINGS: readonly CpuSharesMeaning[] = ['cpus', 'weight'];

/** The CPUs `shares` (a create's CpuShares) reserve. */
export function sharesAsCpus(shares: number, meaning: CpuSharesMeaning): number {
  if (!(shares > 0)) return 0;
  return meaning === 'cpus' ? shares : shares / 1024;
}

/**
 * The CPUs a container already on an engine reserves, read from the real shares it runs with. Classic Swarm stored
 * CPUs as shares of the engine's own CPUs (see cpusToShares), so `cpus` reads them back through that.
 */
export function engineSharesAsCpus(shares: number, engineCpus: number, meaning: CpuSharesMeaning): number {
  if (!(shares > 0)) return 0;
  return meaning === 'cpus' ? (shares * engineCpus) / 1024 : shares / 1024;
}
