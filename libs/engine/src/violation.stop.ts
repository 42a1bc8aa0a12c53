import { C, ViolationClass } from '@tlbsim/sim-core';

/** The counter slot of each violation class. */
export const VIOLATION_SLOTS: Readonly<Record<ViolationClass, number>> = Object.freeze({
  'cross-vm': C.violationsCrossVm,
  'use-after-free': C.violationsUseAfterFree,
  'stale-mapping': C.violationsStaleMapping,
  'stale-root': C.violationsStaleRoot,
});

/**
 * A `stopWhen` for {@link runInProcess}: stop at the end of the window in
 * which the first violation (of `cls`, or of any class) was found.
 */
export function stopAtViolation(cls?: ViolationClass): (counter: (slot: number) => number) => boolean {
  const slots = cls ? [VIOLATION_SLOTS[cls]] : Object.values(VIOLATION_SLOTS);
  return (counter) => slots.some((s) => counter(s) > 0);
}
