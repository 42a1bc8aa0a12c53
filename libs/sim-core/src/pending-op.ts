/**
 * Work KVM waits on: remote flushes (hypercalls or IPIs) that must all
 * complete before the op's effect. One variant per effect, so each carries
 * exactly what it needs.
 */
export type PendingOp = FreeRootOp | GrantOp | InvalOp;

/** Completions still expected (hypercalls or request acks); never negative. */
interface OpBase {
  remaining: number;
}

/** Pre-overhaul `kvm_tdp_mmu_put_root`: zap with a remote flush, free the root page after. */
export interface FreeRootOp extends OpBase {
  kind: 'free-root';
  rootInc: number;
}

/** `flush-on-alloc`: a new root is published to its waiting vCPUs once its flush completed. */
export interface GrantOp extends OpBase {
  kind: 'grant';
  rootInc: number;
  /** vCPU actors waiting for the root. */
  waiters: number[];
}

/** An SPTE change (memslot update or delete, MMU-notifier invalidation): its old pages are freed after the flush. */
export interface InvalOp extends OpBase {
  kind: 'inval';
  /** Host-local VM. */
  vm: number;
  /** The VM's invalidation sequence number. */
  seq: number;
  /** Old data pages to free. */
  olds: number[];
}

/** A deep copy (snapshots must not share arrays with the live op). */
export function copyPendingOp(op: PendingOp): PendingOp {
  switch (op.kind) {
    case 'free-root':
      return { ...op };
    case 'grant':
      return { ...op, waiters: [...op.waiters] };
    case 'inval':
      return { ...op, olds: [...op.olds] };
  }
}
