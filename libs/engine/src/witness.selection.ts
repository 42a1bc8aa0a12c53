import { VIOLATION_CLASSES, ViolationClass, WitnessRecord } from '@tlbsim/sim-core';

/** Which of a report's witnesses to show (`--witnesses`, `--witness-class`, `--witness-vm`). */
export interface WitnessSelection {
  /** At most this many, plus the first of each class not among them. @defaultValue 3 */
  max?: number;
  /** Only this class. */
  violationClass?: ViolationClass;
  /** Only this fleet-wide VM number. */
  vm?: number;
}

/** Witnesses shown when no count is given. */
export const WITNESSES_SHOWN_DEFAULT = 3;

/** What orders and filters witnesses (a kernel record, or a report's witness with its lines). */
type WitnessKey = Pick<WitnessRecord, 'timeNs' | 'host' | 'vm' | 'vcpu' | 'class'>;

/** Time order: time, then host, VM, vCPU and class (the order a run keeps them in). */
export function compareWitnesses(a: WitnessKey, b: WitnessKey): number {
  return a.timeNs - b.timeNs || a.host - b.host || a.vm - b.vm || a.vcpu - b.vcpu || a.class.localeCompare(b.class);
}

/**
 * The witnesses to show, in time order: those matching the class and VM
 * filters, the first `max` of them plus the first of every class not among
 * those (so each class that occurred shows at least one); `matching` counts
 * all that match. Nothing when `max` is 0.
 */
export function selectWitnesses<W extends WitnessKey>(
  all: readonly W[],
  sel: WitnessSelection = {},
): { shown: W[]; matching: number } {
  const max = sel.max ?? WITNESSES_SHOWN_DEFAULT;
  const matching = all
    .filter(
      (w) =>
        (sel.violationClass === undefined || w.class === sel.violationClass) &&
        (sel.vm === undefined || w.vm === sel.vm),
    )
    .sort(compareWitnesses);
  if (max <= 0) return { shown: [], matching: matching.length };
  const shown = matching.slice(0, max);
  for (const cls of VIOLATION_CLASSES) {
    const first = matching.find((w) => w.class === cls);
    if (first && !shown.includes(first)) shown.push(first);
  }
  return { shown: shown.sort(compareWitnesses), matching: matching.length };
}
