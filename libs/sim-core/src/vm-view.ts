/**
 * The vCPU side's view of one VM's TDP page tables: GPA page -> HPA, plus the
 * invalidation sequence number that last changed each GPA. A shard keeps one
 * view per VM with local vCPUs. Updates (Remap messages from kvm) are applied
 * at the start of the window they are delivered in, before any actor runs,
 * so every vCPU of the VM sees them at the same simulated instant whatever the
 * placement.
 */
export class VmView {
  /** GPA page -> HPA page. */
  readonly map: Int32Array;
  /**
   * GPA page -> invalidation seq of its last change, modulo 2^16 (0 = boot);
   * compare with {@link seqReached}. 16 bits keep the view small; a vCPU's
   * completed seq never lags a change by 32768 invalidations.
   */
  readonly seq: Uint16Array;
  /**
   * Counts the updates of {@link map} and {@link seq} (remaps, restores), so
   * a vCPU that certified a TLB entry against them can tell nothing changed.
   */
  changes = 0;

  constructor(footprintPages: number, firstHpa: number) {
    this.map = new Int32Array(footprintPages);
    this.seq = new Uint16Array(footprintPages);
    for (let g = 0; g < footprintPages; g++) this.map[g] = firstHpa + g;
  }
}

/** True when 16-bit change seq `seq16` is at or before the full seq `done`. */
export function seqReached(seq16: number, done: number): boolean {
  return ((done - seq16) & 0xffff) < 0x8000;
}
