import { KernelAssertionError } from './kernel-assertion.error';

/**
 * Debug checks of the kernel, in the style of TigerBeetle's assertions.
 * {@link assert} always runs: it guards invariants off the hot path (once
 * per batch, message or event). The per-message checks of the declared
 * payload ranges (message.schema.ts) cost a scan per message and run only
 * with `enabled` (tests turn it on for every kernel run; the CLI with
 * `TLBSIM_KERNEL_CHECKS=1`), measured in BENCHMARKS.md.
 */
export const kernelChecks = {
  /** Per-message range checks. @defaultValue false */
  enabled: false,
};

/** Throws {@link KernelAssertionError} naming the invariant when `ok` is false. */
export function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new KernelAssertionError(what);
}
