import { C, ps } from './counters';
import { eventRatePerNs } from './costs';
import { Msg, partitionDst, REQ_FREE_OBSOLETE_ROOTS } from './message';
import { Prng } from './prng';
import type { KvmActor } from './kvm.actor';

/** Invalidations (MMU notifier, memslot DELETE) a host can have waiting for their flush at once. */
export const INVALIDATIONS_IN_FLIGHT_MAX = 8;

/** An SPTE change announced to the views and due on KVM's side at `atNs`. */
interface SpteChange {
  atNs: number;
  vm: number;
  start: number;
  n: number;
  seq: number;
  /** The pages the GPAs pointed at before. */
  olds: number[];
  /** A memslot DELETE (else an MMU-notifier invalidation). */
  isDelete: boolean;
}

/**
 * The host-level events of one L1 host, drawn from kvm's PRNG stream:
 * memslot updates (fast zap only), memslot DELETEs (fast zap, then the slot's
 * memory is unmapped and freed) and MMU-notifier invalidations (host page
 * migration). Rates are per host per simulated second.
 */
export class HostEvents {
  nextMemslotNs: number;
  nextNotifierNs: number;
  nextDeleteNs: number;
  /** SPTE changes announced to the vCPU-side views, taking effect one window later (oldest first). */
  changes: SpteChange[] = [];
  /** Invalidations and deletes whose flush (or wait) has not completed yet. */
  inFlight = 0;
  /** A notifier invalidation or delete that fell due at the limit and waits for one to complete: when it fell due, or -1. */
  blockedNotifierNs = -1;
  blockedDeleteNs = -1;

  constructor(
    private readonly kvm: KvmActor,
    private readonly prng: Prng,
  ) {
    const { cfg } = kvm.context;
    const ev = cfg.events;
    this.nextMemslotNs = prng.nextExpGap(eventRatePerNs(cfg, ev.memslotUpdatesPerSec));
    this.nextNotifierNs = prng.nextExpGap(eventRatePerNs(cfg, ev.mmuNotifierInvalidationsPerSec));
    this.nextDeleteNs = prng.nextExpGap(eventRatePerNs(cfg, ev.memslotDeletesPerSec));
  }

  /** Time of the next host event. */
  get nextNs(): number {
    const change = this.changes.length > 0 ? this.changes[0].atNs : Infinity;
    return Math.min(this.nextMemslotNs, this.nextNotifierNs, this.nextDeleteNs, change);
  }

  /** Fires the event due at `t` (ties: a due SPTE change, memslot update, delete, notifier). */
  fire(t: number): void {
    const { cfg } = this.kvm.context;
    const ev = cfg.events;
    if (this.changes.length > 0 && this.changes[0].atNs === t) {
      this.applyChange(this.changes.shift()!);
    } else if (this.nextMemslotNs === t) {
      this.memslotUpdate(t);
      this.nextMemslotNs = t + this.prng.nextExpGap(eventRatePerNs(cfg, ev.memslotUpdatesPerSec));
    } else if (this.nextDeleteNs === t) {
      if (this.atLimit(t, 'delete')) return;
      this.memslotDelete(t);
      this.nextDeleteNs = t + this.prng.nextExpGap(eventRatePerNs(cfg, ev.memslotDeletesPerSec));
    } else {
      if (this.atLimit(t, 'notifier')) return;
      this.mmuNotifierInvalidate(t);
      this.nextNotifierNs = t + this.prng.nextExpGap(eventRatePerNs(cfg, ev.mmuNotifierInvalidationsPerSec));
    }
  }

  /**
   * The thread that invalidates (page migration, reclaim, the DELETE ioctl)
   * waits for the flush, so only {@link INVALIDATIONS_IN_FLIGHT_MAX} can be
   * outstanding per host: an event that falls due beyond that waits for one
   * to complete (and is counted as deferred), instead of piling up freed
   * pages that L0 has not flushed yet.
   */
  private atLimit(t: number, kind: 'notifier' | 'delete'): boolean {
    if (this.inFlight < INVALIDATIONS_IN_FLIGHT_MAX) {
      this.inFlight++;
      return false;
    }
    if (kind === 'notifier') {
      this.blockedNotifierNs = t;
      this.nextNotifierNs = Infinity;
    } else {
      this.blockedDeleteNs = t;
      this.nextDeleteNs = Infinity;
    }
    return true;
  }

  /** An invalidation's flush (or a delete's wait) completed at `t`: a blocked event may go. */
  invalidationDone(t: number): void {
    this.inFlight--;
    const counters = this.kvm.context.counters;
    if (this.blockedNotifierNs >= 0) {
      counters[C.eventsDeferred]++;
      counters[C.eventsDeferredPs] += ps(t - this.blockedNotifierNs);
      this.blockedNotifierNs = -1;
      this.nextNotifierNs = t;
    } else if (this.blockedDeleteNs >= 0) {
      counters[C.eventsDeferred]++;
      counters[C.eventsDeferredPs] += ps(t - this.blockedDeleteNs);
      this.blockedDeleteNs = -1;
      this.nextDeleteNs = t;
    }
  }

  /**
   * `kvm_mmu_zap_all_fast()`: bump `mmu_valid_gen`, invalidate every root of
   * the VM and make `KVM_REQ_MMU_FREE_OBSOLETE_ROOTS` on its vCPUs (with an
   * ack id when the caller waits, as `KVM_REQUEST_WAIT` does).
   */
  private zapAllFast(t: number, vm: number, ackOp: number): void {
    const { cfg } = this.kvm.context;
    const mmu = this.kvm.mmus[vm];
    const invalidated = mmu.zapAllFast(t);
    if (this.kvm.context.flags.preserveRoots) {
      // edbdb43fc96b: invalidation drops the TDP MMU's reference; a root no vCPU holds goes now.
      for (const root of invalidated) if (root.refcount === 0) this.kvm.releaseRoot(t, root);
    }
    for (const id of this.kvm.vcpuIds(vm)) {
      this.kvm.emit(t + cfg.latency.ipiNs, id, Msg.Request, REQ_FREE_OBSOLETE_ROOTS, mmu.gen, 0, 0, 0, 0, ackOp);
    }
  }

  /** A memslot update (flags or move): only the fast zap; guest memory stays. */
  private memslotUpdate(t: number): void {
    const vm = this.prng.nextInt(this.kvm.context.topo.vmsPerHost);
    this.zapAllFast(t, vm, 0);
    this.kvm.context.counters[C.memslotUpdates]++;
  }

  /**
   * A memslot DELETE (then CREATE with new backing, so the guest keeps its
   * working set): `kvm_arch_flush_shadow_memslot()` fast-zaps and waits for
   * every vCPU to leave guest mode (the request's ack); then userspace frees
   * the old pages. The flush KVM relies on is the one on the next root load.
   */
  private memslotDelete(t: number): void {
    const { cfg, topo } = this.kvm.context;
    const vm = this.prng.nextInt(topo.vmsPerHost);
    const n = Math.min(cfg.events.memslotDeletePages, topo.footprintPages);
    const start = this.prng.nextInt(topo.footprintPages - n + 1);
    this.announce(t, vm, start, n, true);
  }

  /**
   * An MMU-notifier invalidation (host page migration): each GPA of a range
   * gets a new host page, the range is flushed remotely, and the old pages
   * are freed only when that flush completed.
   */
  private mmuNotifierInvalidate(t: number): void {
    const { cfg, topo } = this.kvm.context;
    const vm = this.prng.nextInt(topo.vmsPerHost);
    const n = Math.min(cfg.events.mmuNotifierPages, topo.footprintPages);
    const start = this.prng.nextInt(topo.footprintPages - n + 1);
    this.announce(t, vm, start, n, false);
  }

  /**
   * Points GPAs [start, start+n) of `vm` at fresh host pages. The vCPU-side
   * views learn it one window later at the latest (at the start of the
   * window the Remap lands in), and KVM's side of the change (the SPTE
   * write, the remote flush or fast zap that follows it) happens exactly one
   * window later, so no walk can read an SPTE that KVM has already changed:
   * a new mapping may be seen a little early, an old one never late.
   */
  private announce(t: number, vm: number, start: number, n: number, isDelete: boolean): void {
    const kvm = this.kvm;
    const mmu = kvm.mmus[vm];
    const seq = ++mmu.invalSeq;
    const olds: number[] = [];
    for (let g = start; g < start + n; g++) {
      olds.push(mmu.map[g]);
      mmu.map[g] = kvm.alloc.alloc(t, vm, g);
    }
    this.sendRemaps(t, vm, seq, start, n, mmu.map);
    this.changes.push({ atNs: t + kvm.context.windowNs, vm, start, n, seq, olds, isDelete });
  }

  /** KVM's side of an announced change: unmap the old pages, then flush or fast-zap as the event does. */
  private applyChange(ch: SpteChange): void {
    const kvm = this.kvm;
    const { cfg, counters, topo } = kvm.context;
    const t = ch.atNs;
    const roots = ch.isDelete ? [] : kvm.loadedRoots(ch.vm);
    for (let i = 0; i < ch.n; i++) {
      const old = ch.olds[i];
      const h = kvm.alloc.hist(old);
      h.invalNs = t;
      h.invalVm = ch.vm;
      h.invalGpa = ch.start + i;
      h.invalDelete = ch.isDelete;
      h.invalRoots = roots;
      kvm.alloc.unmap(t, old);
    }
    kvm.checker.pagesChanged(ch.vm, ch.start, ch.n);
    if (ch.isDelete) {
      const op = kvm.newOp({ kind: 'inval', vm: ch.vm, seq: ch.seq, olds: ch.olds }, topo.vcpusPerVm);
      this.zapAllFast(t, ch.vm, op);
      counters[C.memslotDeletes]++;
      return;
    }
    counters[C.mmuNotifierInvalidations]++;
    let olds = ch.olds;
    if (cfg.kvm.freeBeforeFlush) {
      // The bug: the old pages go back to the allocator before the flush completed.
      kvm.releaseInvalidated(t, ch.vm, ch.seq, olds);
      olds = [];
    }
    const op = kvm.newOp({ kind: 'inval', vm: ch.vm, seq: ch.seq, olds });
    // __kvm_handle_hva_range(): a whole flush (kvm_flush_remote_tlbs) when the unmap asks for one. The
    // 2022 bug's era flushed a range here instead (kvm_flush_remote_tlbs_with_address), sized one page.
    const rangePages = cfg.kvm.undersizedRangeFlush ? ch.n : 0;
    kvm.remoteFlush(t, ch.vm, roots, ch.start, rangePages, ch.seq, op);
  }

  /**
   * Tells the VM's vCPU-side page-table view about changed SPTEs, three per
   * message, one window ahead of KVM's side of the change (see {@link announce}).
   */
  private sendRemaps(t: number, vm: number, seq: number, start: number, n: number, map: Int32Array): void {
    const at = t + this.kvm.context.windowNs;
    const dst = partitionDst(this.kvm.host);
    for (let g = start; g < start + n; g += 3) {
      const k = Math.min(3, start + n - g);
      this.kvm.emit(at, dst, Msg.Remap, vm, seq, g, k, map[g], k > 1 ? map[g + 1] : 0, k > 2 ? map[g + 2] : 0);
    }
  }

  /** Snapshot state. */
  save(): Record<string, unknown> {
    return {
      nextMemslotNs: this.nextMemslotNs,
      nextNotifierNs: this.nextNotifierNs,
      nextDeleteNs: this.nextDeleteNs,
      inFlight: this.inFlight,
      blockedNotifierNs: this.blockedNotifierNs,
      blockedDeleteNs: this.blockedDeleteNs,
      changes: this.changes.map((c) => ({ ...c, olds: [...c.olds] })),
    };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.nextMemslotNs = s.nextMemslotNs as number;
    this.nextNotifierNs = s.nextNotifierNs as number;
    this.nextDeleteNs = s.nextDeleteNs as number;
    this.inFlight = s.inFlight as number;
    this.blockedNotifierNs = s.blockedNotifierNs as number;
    this.blockedDeleteNs = s.blockedDeleteNs as number;
    this.changes = (s.changes as SpteChange[]).map((c) => ({ ...c, olds: [...c.olds] }));
  }
}
