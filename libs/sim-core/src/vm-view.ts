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
  /** GPA page -> invalidation seq of its last change (0 = boot). */
  readonly seq: Int32Array;

  constructor(footprintPages: number, firstHpa: number) {
    this.map = new Int32Array(footprintPages);
    this.seq = new Int32Array(footprintPages);
    for (let g = 0; g < footprintPages; g++) this.map[g] = firstHpa + g;
  }
}

/** HPA of GPA page 0 of host-local VM `vm` at boot (memory is pre-faulted in VM order). */
export function bootHpa(vm: number, footprintPages: number): number {
  return vm * footprintPages;
}
