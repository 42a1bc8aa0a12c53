/**
 * Violation classes, most severe first: the order of the CLI's
 * `VIOLATION_CLASS_ORDER`. The bundle cannot import the engine's list (it
 * would pull in the engine), so the copy is checked by type: a class added
 * there and not here fails tsc (see {@link MissingClasses}).
 */
import type { ViolationClass } from '@tlbsim/engine';

/** Every violation class, most severe first. */
export const VIOLATION_CLASS_ORDER = [
  'cross-vm',
  'use-after-free',
  'stale-mapping',
  'stale-root',
] as const satisfies readonly ViolationClass[];

/** Classes missing from {@link VIOLATION_CLASS_ORDER}: must be none. */
type MissingClasses = Exclude<ViolationClass, (typeof VIOLATION_CLASS_ORDER)[number]>;
const _allClasses: [MissingClasses] extends [never] ? true : MissingClasses = true;

/** The known classes in severity order, then any other class present in `byClass`. */
export function classesOf(byClass: Readonly<Record<string, number>>): string[] {
  const known: string[] = [...VIOLATION_CLASS_ORDER];
  return [...known, ...Object.keys(byClass).filter((c) => !known.includes(c))];
}
