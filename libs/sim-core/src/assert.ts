import { KernelAssertionError } from './kernel-assertion.error';

/**
 * Debug checks of the kernel, in the style of TigerBeetle's assertions.
 * {@link assert} always runs: it guards invariants off the hot path (once
 * per batch, message or event). The per-message checks of the declared
 * payload ranges (message.schema.ts) cost a scan per message and run only
 * with `enabled` (tests turn it on for every kernel run; the CLI with
 * `TLBSIM_KERNEL_CHECKS=1`), measured in BENCHMARKS.md.
 *
 * The kernel's one vocabulary: a broken invariant (a state the kernel's own
 * rules make impossible) is {@link assert} or {@link fail}, a
 * `KernelAssertionError`; a plain `Error` is kept for what an input can
 * cause (a scenario that runs out of pages, a snapshot set that does not fit
 * together, a layout the decoder refuses), and its message says what to change.
 */
export const kernelChecks = {
  /** Per-message range checks. @defaultValue false */
  enabled: false,
};

/**
 * Throws {@link KernelAssertionError} naming the broken invariant: the form
 * for an invariant whose message needs values (a template built only when
 * it fails), where {@link assert} would build it on every call.
 */
export function fail(what: string): never {
  throw new KernelAssertionError(what);
}

/** Throws {@link KernelAssertionError} naming the invariant when `ok` is false. */
export function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new KernelAssertionError(what);
}
