import { SnapshotLayoutError } from './snapshot-layout.error';

/**
 * The layout of the kernel state a shard snapshot holds, written into every
 * snapshot and checked by every restore. Raise it with any change that
 * makes an earlier snapshot restore to different state:
 * - 1: snapshots written before the layout was recorded (they carry none);
 * - 2: a TLB's checker bits in the slots' root words, its LRU stamps plain;
 * - 3: three coverage counters (issue 24: vCPUs finished, idle, below coverage);
 * - 4: a CR0.WP toggle counter and the vCPU's next toggle time;
 * - 5: SMM runs code: an SMRAM access counter and the vCPU's RSM time;
 * - 6: kvm's roots waiting for their RCU grace period (`pendingFrees`);
 * - 7: witnesses as structured events, four exposure counters, and whether
 *   a root had accesses under it (vCPU `r01Used`/`r02Used`, root `used`).
 */
export const SNAPSHOT_LAYOUT = 7;

/** The layout a snapshot without one was written with. */
const LAYOUT_UNRECORDED = 1;

/** Throws {@link SnapshotLayoutError} unless `layout` (absent in old snapshots) is this build's. */
export function checkSnapshotLayout(layout: number | undefined): void {
  const found = layout ?? LAYOUT_UNRECORDED;
  if (found !== SNAPSHOT_LAYOUT) throw new SnapshotLayoutError(found, SNAPSHOT_LAYOUT);
}
