/**
 * Messages between actors. A message is a fixed-width record of numbers so a
 * window's traffic is one Float64Array: cheap to sort, to batch per
 * destination shard and to put on a Redis stream as raw bytes.
 *
 * Layout: [timeNs, src, seq, dst, type, p0 .. p6]. Receivers order messages
 * by (timeNs, src, seq), which is a total order because (src, seq) is unique
 * (message-order.ts).
 */

/** Numbers per message. */
export const MSG_WIDTH = 12;

/** Field offsets inside a message record. */
export const F_TIME = 0;
export const F_SRC = 1;
export const F_SEQ = 2;
export const F_DST = 3;
export const F_TYPE = 4;
export const F_P0 = 5;

/**
 * Message types. Their payload words (p0..p6: names, units, ranges) are
 * declared once in message.schema.ts (`MESSAGES`); unused words are 0.
 */
export enum Msg {
  /** kvm -> vcpu: `kvm_make_request` bits, with an optional ack (`KVM_REQUEST_WAIT`). */
  Request = 1,
  /** vcpu -> kvm: `kvm_mmu_load` wants a root of a role. */
  RootAcquire = 2,
  /** kvm -> vcpu: the root to load. */
  RootGrant = 3,
  /** vcpu -> kvm: `kvm_tdp_mmu_put_root`. */
  RootPut = 4,
  /** caller -> l0: a GPA flush hypercall. */
  HvFlush = 5,
  /** l0 -> partition (broadcast): the hypercall's flush on every VP and the shared translations. */
  HvFlushApply = 6,
  /** Unused since VPs apply flushes at window starts; kept so type numbers stay stable. */
  HvFlushAck = 7,
  /** l0 -> caller: the call completed. */
  HvFlushDone = 8,
  /** kvm -> partition (broadcast): an SPTE change for the vCPU-side views. */
  Remap = 9,
  /** vcpu -> kvm: checker report of a suspicious TLB hit (see stale-hit.checker.ts). */
  Report = 10,
  /** vcpu -> kvm: a `Request` carrying an ack id was serviced. */
  RequestAck = 11,
  /** kvm -> vcpu: ground truth, an invalidation's old pages were freed. */
  InvalDone = 12,
  /** vcpu -> kvm: `svm_load_mmu_pgd` -> `hv_track_root_tdp` on a vmcb01/vmcb02 switch. */
  PgdSwitch = 13,
  /** vcpu -> partition (broadcast): L0 filled a shared nested translation. */
  NestedFill = 14,
  /** l0 or vcpu -> partition (broadcast): drop shared nested translations. */
  NestedFlush = 15,
  /** A vCPU moving to another VP (at a window boundary), as chunks of its state (vcpu.state.ts). */
  VcpuMigrate = 16,
}

/** State numbers carried by one {@link Msg.VcpuMigrate} chunk. */
export const MIGRATE_CHUNK = 5;

/** `kvm_make_request` bits carried by {@link Msg.Request}. */
export const REQ_FREE_OBSOLETE_ROOTS = 1;
export const REQ_TLB_FLUSH = 2;
export const REQ_TLB_FLUSH_CURRENT = 4;

/** Hypercall kinds carried by {@link Msg.HvFlush} (and {@link Msg.NestedFlush}). */
export const HV_FLUSH_SPACE = 0;
export const HV_FLUSH_LIST = 1;

/** Root roles (`kvm_mmu_page_role`): the L2's own, SMM, and guest mode (an L3 run by the L2). */
export const ROLE_NORMAL = 0;
export const ROLE_SMM = 1;
export const ROLE_GUEST = 2;
/** Names of the roles, for witnesses. */
export const ROLE_NAMES = ['normal', 'smm', 'guest-mode'] as const;

/**
 * Destination of a message for every replica of host h's partition state
 * (its shared nested translations): `-(h + 1)`. The shard layer copies it to
 * every shard that holds vCPUs of the host.
 */
export function partitionDst(host: number): number {
  return -(host + 1);
}

/** Host of a {@link partitionDst} destination. */
export function partitionHostOf(dst: number): number {
  return -dst - 1;
}

/**
 * An append-only buffer of outgoing messages. Grows by doubling; the kernel
 * reuses one per shard per window.
 */
export class Outbox {
  /** Backing store; only the first `count * MSG_WIDTH` numbers are valid. */
  buf: Float64Array;
  /** Messages written. */
  count = 0;

  constructor(capacityMsgs = 1024) {
    this.buf = new Float64Array(capacityMsgs * MSG_WIDTH);
  }

  /** Appends one message; payload words default to 0. */
  push(
    timeNs: number,
    src: number,
    seq: number,
    dst: number,
    type: number,
    p0 = 0,
    p1 = 0,
    p2 = 0,
    p3 = 0,
    p4 = 0,
    p5 = 0,
    p6 = 0,
  ): void {
    if ((this.count + 1) * MSG_WIDTH > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    const o = this.count * MSG_WIDTH;
    const b = this.buf;
    b[o] = timeNs;
    b[o + 1] = src;
    b[o + 2] = seq;
    b[o + 3] = dst;
    b[o + 4] = type;
    b[o + 5] = p0;
    b[o + 6] = p1;
    b[o + 7] = p2;
    b[o + 8] = p3;
    b[o + 9] = p4;
    b[o + 10] = p5;
    b[o + 11] = p6;
    this.count++;
  }

  /** Forgets all messages, keeping the storage. */
  clear(): void {
    this.count = 0;
  }
}
