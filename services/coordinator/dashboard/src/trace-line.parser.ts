/**
 * Parses the kernel's witness lines, which follow the ftrace text format
 * (libs/sim-core/src/violation.checker.ts, end of `chain()`):
 *
 *         kvm-h1 [001] 0.000006115: kvm_tdp_mmu_put_root: root=#2 refcount=0: ...
 *       vcpu-5.0 [001] 0.000008119: tlb_stale_hit: nested gpa=0x2f000 -> ...
 *
 * task (right-aligned), `[host]`, simulated seconds with 9 decimals, the
 * event name, then free text (which may hold more colons).
 */

/** One parsed witness line. */
export interface TraceLine {
  /** The acting task: `kvm-h<host>` or `vcpu-<vm>.<vcpu>`. */
  task: string;
  /** The host, as printed (`001`). */
  host: string;
  /** The time stamp as printed: simulated seconds, 9 decimals. */
  time: string;
  /** The same time in simulated nanoseconds. */
  timeNs: number;
  /** The event (a kernel function or tracepoint name). */
  event: string;
  /** The rest of the line. */
  detail: string;
}

const TRACE_LINE = /^\s*(\S+)\s+\[(\d+)\]\s+(\d+)\.(\d{1,9}):\s+([\w.-]+):\s?(.*)$/;

/** The parts of a witness line, or null for a line in another format (shown as it is). */
export function parseTraceLine(line: string): TraceLine | null {
  const m = TRACE_LINE.exec(line);
  if (!m) return null;
  const [, task, host, seconds, fraction, event, detail] = m;
  // Whole nanoseconds from the digits, not through a float of seconds.
  const timeNs = Number(seconds) * 1e9 + Number(fraction.padEnd(9, '0'));
  return { task, host, time: `${seconds}.${fraction}`, timeNs, event, detail };
}
