/**
 * Coverage: how much a run exercised, so that "0 violations" from a run that
 * did almost nothing is not read as a pass. The kernel counts, when each vCPU
 * finishes, whether it made no access (`vcpusIdle`) or fewer than
 * {@link COVERAGE_ACCESSES_PER_VCPU_MIN} (`vcpusBelowCoverage`); the engine
 * (`libs/engine/src/coverage.ts`) turns them and the totals into the report's
 * `coverage` and its warning. docs/model.md ("Coverage") explains the figure.
 */

/**
 * Fewest guest accesses a vCPU must make for its share of a verdict to mean
 * anything. 1,000 is below one TLB's worth of distinct pages at the defaults
 * (1,536 entries, a 1,024-page working set): a vCPU under it has not even
 * warmed its TLB once, so a flush that left stale entries behind had almost
 * nothing to be caught on. Changing it changes the counters (and digests).
 * @defaultValue 1000
 */
export const COVERAGE_ACCESSES_PER_VCPU_MIN = 1000;
