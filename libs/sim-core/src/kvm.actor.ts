import { savedArray, SaveOptions } from './save-options';
import { C } from './counters';
import { F_SRC, F_TIME, F_TYPE, HV_FLUSH_LIST, HV_FLUSH_SPACE, Msg, REQ_TLB_FLUSH } from './message';
import { HostEvents } from './kvm-host-events';
import { MF } from './message.schema';
import { assert, fail } from './assert';
import { copyPendingOp, PendingOp } from './pending-op';
import { OWNER_KVM, PageAllocator } from './page-allocator';
import { Prng, streamSeed } from './prng';
import { Actor, ShardContext } from './shard-context';
import { ROOT_HISTORY_MAX, RootRecord, TdpMmu } from './tdp-mmu';
import { CheckerHost, ViolationChecker, WitnessRecord } from './violation.checker';
import type { PageHistory, PageOwner } from './page-allocator';

/** Roots a host may have waiting for their RCU grace period at once (see {@link KvmActor.pendingFrees}). */
export const ROOT_FREES_PENDING_MAX = 1024;

/** Pages one `HvCallFlushGuestPhysicalAddressList` entry can cover. */
export const HV_LIST_ENTRY_PAGES_MAX = 4096;

/** A {@link PendingOp} without its completion count (given to {@link KvmActor.newOp}). */
export type NewOp = PendingOp extends infer O ? (O extends PendingOp ? Omit<O, 'remaining'> : never) : never;

/**
 * KVM on one L1 host: the TDP MMU of each VM, the shared page allocator, the
 * flush policy, and the host-level events (memslot updates -> fast zap,
 * MMU-notifier invalidations). It also runs the checker's classification
 * (it owns the ground truth of page ownership).
 */
export class KvmActor extends Actor implements CheckerHost {
  readonly host: number;
  readonly alloc: PageAllocator;
  readonly mmus: TdpMmu[];
  /** `hv_track_root_tdp()`: the root page each vCPU loaded last, or -1. */
  readonly trackedRoot: Int32Array;
  /** When each vCPU's last root grant reached it. */
  readonly grantNs: Float64Array;
  readonly checker: ViolationChecker;
  prng: Prng;
  nextInc = 0;
  nextOpId = 0;
  /** The host-level events (memslot updates and deletes, MMU-notifier invalidations). */
  readonly events: HostEvents;
  pending = new Map<number, PendingOp>();
  /** Roots put for the last time, waiting for the zap worker and the RCU grace period (`latency.rootFreeNs`), oldest first. */
  pendingFrees: { atNs: number; inc: number }[] = [];
  rootHistory = new Map<number, RootRecord>();

  constructor(id: number, ctx: ShardContext) {
    super(id, ctx);
    const { topo, cfg } = ctx;
    this.host = topo.hostOf(id);
    const fp = topo.footprintPages;
    // Roots: up to three roles per vCPU plus obsolete ones in flight (and those waiting for RCU); data pages: a few invalidations in flight.
    const pool =
      256 +
      topo.vmsPerHost * (topo.vcpusPerVm * 6 + 8) +
      16 * Math.min(cfg.events.mmuNotifierPages, fp) +
      16 * Math.min(cfg.events.memslotDeletePages, fp) +
      (cfg.latency.rootFreeNs > 0 ? ROOT_FREES_PENDING_MAX : 0);
    this.alloc = new PageAllocator(topo.vmsPerHost, fp, pool);
    this.mmus = [];
    for (let v = 0; v < topo.vmsPerHost; v++) this.mmus.push(new TdpMmu(fp, v * fp));
    this.trackedRoot = new Int32Array(topo.vcpusPerHost).fill(-1);
    this.grantNs = new Float64Array(topo.vcpusPerHost);
    this.checker = new ViolationChecker(this, cfg.run.witnessesMax, cfg.run.witnessesPerClass);
    this.prng = new Prng(streamSeed(cfg.seed, id));
    this.events = new HostEvents(this, this.prng);
  }

  /** Witnesses found by this host's checker. */
  get witnesses(): WitnessRecord[] {
    return this.checker.witnesses;
  }

  override run(inbox: Float64Array, offsets: number[], windowEndNs: number): void {
    let m = 0;
    for (;;) {
      const tMsg = m < offsets.length ? inbox[offsets[m] + F_TIME] : Infinity;
      const tEv = this.events.nextNs;
      const tFree = this.pendingFrees.length > 0 ? this.pendingFrees[0].atNs : Infinity;
      const t = Math.min(tMsg, tEv, tFree);
      if (t >= windowEndNs) return;
      if (tMsg === t) this.handle(inbox, offsets[m++]);
      else if (tFree === t) this.freeRootNow(t, this.rootHistory.get(this.pendingFrees.shift()!.inc)!);
      else this.events.fire(t);
    }
  }

  private handle(b: Float64Array, o: number): void {
    const t = b[o + F_TIME];
    const src = b[o + F_SRC];
    switch (b[o + F_TYPE]) {
      case Msg.RootAcquire:
        return this.rootAcquire(t, src, b[o + MF[Msg.RootAcquire].role]);
      case Msg.PgdSwitch:
        this.trackedRoot[this.vcpuOf(src).hv] = b[o + MF[Msg.PgdSwitch].page];
        return;
      case Msg.RootPut:
        return this.rootPut(t, b[o + MF[Msg.RootPut].inc], b[o + MF[Msg.RootPut].used] === 1);
      case Msg.HvFlushDone:
        return this.opProgress(t, b[o + MF[Msg.HvFlushDone].callId]);
      case Msg.RequestAck:
        return this.opProgress(t, b[o + MF[Msg.RequestAck].ackId]);
      case Msg.Report:
        return this.checker.classify(t, src, b, o);
      default:
        fail(`kvm ${this.id}: unexpected message type ${b[o + F_TYPE]}`);
    }
  }

  /** Host-local vCPU index and VM of a vCPU actor. */
  private vcpuOf(actor: number): { hv: number; vm: number } {
    const hv = this.ctx.topo.hostVcpuIndex(actor);
    return { hv, vm: Math.floor(hv / this.ctx.topo.vcpusPerVm) };
  }

  /** Actor ids of a VM's vCPUs. */
  vcpuIds(vm: number): number[] {
    const ids: number[] = [];
    for (let i = 0; i < this.ctx.topo.vcpusPerVm; i++) ids.push(this.ctx.topo.vcpuId(this.host, vm, i));
    return ids;
  }

  /** Owner of a page at a past instant (the checker classifies with it). */
  ownerAt(page: number, tNs: number): PageOwner {
    return this.alloc.ownerAt(page, tNs);
  }

  /** Current owner VM of a page. */
  ownerNow(page: number): number {
    return this.alloc.ownerVm[page];
  }

  /** GPA a data page backs now. */
  ownerGpaNow(page: number): number {
    return this.alloc.ownerGpa[page];
  }

  /** What the allocator remembers of a page. */
  pageHistory(page: number): PageHistory | undefined {
    return this.alloc.history.get(page);
  }

  /** Root record by incarnation (live or remembered). */
  rootByInc(inc: number): RootRecord | undefined {
    return this.rootHistory.get(inc);
  }

  /** `mmu_alloc_direct_roots()` -> `kvm_tdp_mmu_get_vcpu_root_hpa()` for a root of `role`. */
  private rootAcquire(t: number, vcpu: number, role: number): void {
    const { vm } = this.vcpuOf(vcpu);
    const mmu = this.mmus[vm];
    const c = this.ctx.counters;
    const shared = mmu.findReusable(role, this.ctx.flags.preserveRoots);
    if (shared) {
      shared.refcount++;
      c[C.rootReuseValid]++;
      const op = this.pending.get(shared.pendingOp);
      if (op) {
        assert(op.kind === 'grant', 'a root waits only on its own grant op');
        op.waiters.push(vcpu); // published only once its flush completed
      } else this.grant(t, vcpu, shared);
      return;
    }
    const page = this.alloc.alloc(t, OWNER_KVM, 0);
    const h = this.alloc.hist(page);
    const root: RootRecord = {
      inc: ++this.nextInc,
      vm,
      role,
      page,
      gen: mmu.gen,
      valid: true,
      refcount: 1,
      allocNs: t,
      invalidNs: -1,
      freeNs: -1,
      prevInc: h.rootInc,
      pendingOp: 0,
      used: false,
    };
    c[C.rootsAllocated]++;
    if (h.rootInc > 0) {
      c[C.rootPageReused]++;
      if (h.rootVm !== vm) c[C.rootReusedByOtherVm]++;
      this.checker.rootReused(this.rootByInc(h.rootInc), h.rootVm !== vm);
    }
    h.rootInc = root.inc;
    h.rootVm = vm;
    mmu.roots.push(root);
    this.remember(root);
    if (this.ctx.flags.flushOnAlloc && this.ctx.flags.hvRemoteFlush) {
      const op = this.newOp({ kind: 'grant', rootInc: root.inc, waiters: [vcpu] });
      root.pendingOp = op;
      this.hvFlush(t, HV_FLUSH_SPACE, page, 0, 0, 0, vm, op);
      return;
    }
    // Allocating (and zeroing) the root page is time the loading vCPU waits.
    this.grant(t + this.ctx.costs.rootAllocNs, vcpu, root);
  }

  private grant(t: number, vcpu: number, root: RootRecord): void {
    const { hv } = this.vcpuOf(vcpu);
    const at = t + this.ctx.cfg.latency.kvmRequestNs;
    this.trackedRoot[hv] = root.page;
    this.grantNs[hv] = at;
    this.send(at, vcpu, Msg.RootGrant, root.page, root.inc, root.gen, root.role);
  }

  private remember(root: RootRecord): void {
    this.rootHistory.set(root.inc, root);
    if (this.rootHistory.size > ROOT_HISTORY_MAX) {
      for (const [inc, r] of this.rootHistory) {
        if (r.freeNs >= 0) {
          this.rootHistory.delete(inc);
          break;
        }
      }
    }
  }

  /** `kvm_tdp_mmu_put_root()`. */
  private rootPut(t: number, inc: number, used: boolean): void {
    const root = this.rootHistory.get(inc);
    if (!root || root.refcount <= 0) fail(`kvm ${this.id}: put of unknown root #${inc}`);
    if (used) root.used = true;
    if (--root.refcount > 0) return;
    // edbdb43fc96b: the TDP MMU's own reference keeps a valid root until it is invalidated.
    if (this.ctx.flags.preserveRoots && root.valid) return;
    this.releaseRoot(t, root);
  }

  /**
   * A root no one references any more (`kvm_tdp_mmu_put_root()` at zero, or,
   * with preserved roots, the invalidation that drops the TDP MMU's own
   * reference): invalidated if still valid, then freed (pre-overhaul: after
   * a remote flush of its address space).
   */
  releaseRoot(t: number, root: RootRecord): void {
    assert(root.refcount === 0, 'a root is released only when no vCPU holds it');
    const inc = root.inc;
    if (root.valid) {
      root.valid = false;
      root.invalidNs = t;
    }
    if (!this.ctx.flags.flushBeforeFree) {
      this.freeRoot(t, root);
      return;
    }
    // Pre-overhaul: zap the root with a remote flush, free it after.
    const op = this.newOp({ kind: 'free-root', rootInc: inc });
    this.remoteFlush(t, root.vm, [root.page], 0, 0, 0, op);
  }

  /**
   * `kvm_tdp_mmu_put_root()` at zero on an invalid root: unlinked, and freed
   * by `call_rcu()` after a grace period (a valid one goes through the zap
   * worker first); `latency.rootFreeNs` stands for both.
   */
  private freeRoot(t: number, root: RootRecord): void {
    const delayNs = this.ctx.cfg.latency.rootFreeNs;
    if (delayNs === 0) {
      this.freeRootNow(t, root);
      return;
    }
    assert(this.pendingFrees.length < ROOT_FREES_PENDING_MAX, 'root frees waiting for RCU stay bounded');
    this.pendingFrees.push({ atNs: t + delayNs, inc: root.inc });
  }

  private freeRootNow(t: number, root: RootRecord): void {
    root.freeNs = t;
    this.alloc.release(t, root.page);
    this.mmus[root.vm].unlink(root);
    this.ctx.counters[C.rootsFreed]++;
  }

  /** Distinct root pages the VM's vCPUs loaded last, in vCPU order (`hv_track_root_tdp`). */
  loadedRoots(vm: number): number[] {
    const pages: number[] = [];
    const base = vm * this.ctx.topo.vcpusPerVm;
    for (let i = 0; i < this.ctx.topo.vcpusPerVm; i++) {
      const p = this.trackedRoot[base + i];
      if (p >= 0 && !pages.includes(p)) pages.push(p);
    }
    return pages;
  }

  /**
   * `kvm_flush_remote_tlbs()` (`pages` 0) or `kvm_flush_remote_tlbs_with_address()`.
   * With the hypercalls installed (`svm_hv_hardware_setup()`: AMD with the
   * enlightened TLB; Intel on Hyper-V), `hv_remote_flush_tlb()`: one
   * hypercall per distinct loaded root (one when they share a root); a range
   * needing more than `hvFlushListEntriesMax` list entries becomes a
   * whole-space flush. Otherwise (bare metal, AMD without the enlightenment)
   * `kvm_make_all_cpus_request(KVM_REQ_TLB_FLUSH)`: an IPI per vCPU, each
   * then flushes its ASID (or all, on bare metal).
   */
  remoteFlush(t: number, vm: number, roots: number[], gpa: number, pages: number, seq: number, op: number): void {
    const { cfg, counters, flags } = this.ctx;
    const pend = this.pending.get(op)!;
    if (flags.hvRemoteFlush) {
      let kind = pages > 0 ? HV_FLUSH_LIST : HV_FLUSH_SPACE;
      if (kind === HV_FLUSH_LIST && Math.ceil(pages / HV_LIST_ENTRY_PAGES_MAX) > cfg.kvm.hvFlushListEntriesMax) {
        // hyperv_fill_flush_guest_mapping_list() fails for each root's call: whole-space flushes instead.
        kind = HV_FLUSH_SPACE;
        counters[C.hvListFallbacks] += roots.length;
      }
      // The 2022 bug flushed one page where a range was owed.
      const flushed = kind === HV_FLUSH_LIST && cfg.kvm.undersizedRangeFlush ? 1 : pages;
      for (const root of roots) this.hvFlush(t, kind, root, gpa, flushed, seq, vm, op);
      pend.remaining = roots.length;
    } else {
      const ids = this.vcpuIds(vm);
      for (const id of ids) this.send(t + cfg.latency.ipiNs, id, Msg.Request, REQ_TLB_FLUSH, seq, 0, 0, 0, 0, op);
      counters[C.shootdownMessages] += ids.length;
      pend.remaining = ids.length;
    }
    if (pend.remaining === 0) this.opComplete(t, op);
  }

  private hvFlush(
    t: number,
    kind: number,
    ncr3: number,
    gpa: number,
    pages: number,
    seq: number,
    vm: number,
    op: number,
  ): void {
    this.send(
      t + this.ctx.cfg.latency.hypercallNs,
      this.ctx.topo.l0Id(this.host),
      Msg.HvFlush,
      kind,
      ncr3,
      gpa,
      pages,
      seq,
      vm,
      op,
    );
  }

  /** Registers work that waits on `remaining` completions; returns its id (carried by the flushes as their call id). */
  newOp(op: NewOp, remaining = 1): number {
    const id = ++this.nextOpId;
    this.pending.set(id, { ...op, remaining } as PendingOp);
    return id;
  }

  private opProgress(t: number, id: number): void {
    const op = this.pending.get(id);
    if (!op) fail(`kvm ${this.id}: completion for unknown op ${id}`);
    assert(op.remaining > 0, 'an op completes once: no completion after its last');
    if (--op.remaining === 0) this.opComplete(t, id);
  }

  private opComplete(t: number, id: number): void {
    const op = this.pending.get(id)!;
    this.pending.delete(id);
    if (op.kind === 'free-root') {
      this.freeRoot(t, this.rootHistory.get(op.rootInc)!);
    } else if (op.kind === 'grant') {
      const root = this.rootHistory.get(op.rootInc)!;
      root.pendingOp = 0;
      for (const vcpu of op.waiters) this.grant(t, vcpu, root);
    } else {
      if (!this.ctx.cfg.kvm.freeBeforeFlush) this.releaseInvalidated(t, op.vm, op.seq, op.olds);
      this.events.invalidationDone(t);
    }
  }

  /**
   * Frees the old pages of invalidation `seq` and tells the VM's vCPUs (a
   * ground-truth message for the checker: from now on a stale entry pointing
   * at them is a violation). KVM does this once the remote flush completed.
   */
  releaseInvalidated(t: number, vm: number, seq: number, olds: number[]): void {
    for (const page of olds) this.alloc.release(t, page);
    for (const vid of this.vcpuIds(vm)) this.send(t + this.ctx.cfg.latency.kvmRequestNs, vid, Msg.InvalDone, vm, seq);
  }

  override save(opts?: SaveOptions): Record<string, unknown> {
    return {
      seq: this.seq,
      prng: this.prng.state,
      nextInc: this.nextInc,
      nextOpId: this.nextOpId,
      events: this.events.save(),
      alloc: this.alloc.save(opts),
      mmus: this.mmus.map((m) => ({
        map: savedArray(m.map, opts),
        gen: m.gen,
        invalSeq: m.invalSeq,
        roots: m.roots.map((r) => r.inc),
      })),
      trackedRoot: savedArray(this.trackedRoot, opts),
      grantNs: savedArray(this.grantNs, opts),
      pending: [...this.pending.entries()].map(([k, v]) => [k, copyPendingOp(v)]),
      pendingFrees: this.pendingFrees.map((f) => ({ ...f })),
      rootHistory: [...this.rootHistory.values()].map((r) => ({ ...r })),
      checker: this.checker.save(),
    };
  }

  override load(s: Record<string, unknown>): void {
    this.seq = s.seq as number;
    this.prng.state = s.prng as number;
    this.nextInc = s.nextInc as number;
    this.nextOpId = s.nextOpId as number;
    this.events.load(s.events as Record<string, unknown>);
    this.alloc.load(s.alloc as Record<string, unknown>);
    this.rootHistory = new Map((s.rootHistory as RootRecord[]).map((r) => [r.inc, { ...r }]));
    (s.mmus as { map: Int32Array; gen: number; invalSeq: number; roots: number[] }[]).forEach((m, i) => {
      this.mmus[i].map.set(m.map);
      this.mmus[i].gen = m.gen;
      this.mmus[i].invalSeq = m.invalSeq;
      this.mmus[i].roots = m.roots.map((inc) => this.rootHistory.get(inc)!);
    });
    this.trackedRoot.set(s.trackedRoot as Int32Array);
    this.grantNs.set(s.grantNs as Float64Array);
    this.pending = new Map((s.pending as [number, PendingOp][]).map(([k, v]) => [k, copyPendingOp(v)]));
    this.pendingFrees = ((s.pendingFrees ?? []) as { atNs: number; inc: number }[]).map((f) => ({ ...f }));
    this.checker.load(s.checker as Record<string, unknown>);
  }
}
