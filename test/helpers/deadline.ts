// How long tests wait, in one place. Every wait in the suites is on a condition with a deadline; the deadline a
// test names is what the wait takes on an idle machine, and it is stretched here by one factor for the machine the
// suites really run on: a fresh 2-core CI machine was seen to take 3x longer to start a container while a package
// install ran beside it. MESOSWARM_TEST_SLOWDOWN overrides the factor (1 on a fast idle machine, more under load).
const configured = Number(process.env.MESOSWARM_TEST_SLOWDOWN);

/** The factor every test deadline is multiplied by. */
export const SLOWDOWN = Number.isFinite(configured) && configured > 0 ? configured : 3;

/** A deadline of `ms` on an idle machine, scaled for this one. */
export function within(ms: number): number {
  return Math.round(ms * SLOWDOWN);
}
