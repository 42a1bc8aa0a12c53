import { C } from './counters';
import {
  F_P0, F_TIME, F_TYPE, HV_FLUSH_LIST, HV_FLUSH_SPACE, Msg,
  REQ_FREE_OBSOLETE_ROOTS, REQ_TLB_FLUSH, REQ_TLB_FLUSH_CURRENT,
} from './message';
import { nextState, output, Prng, streamSeed } from './prng';
import { Actor, ShardContext } from './shard-context';
import { checkStaleHit } from './stale-hit.checker';
import { combinedTag, H_HPA, H_INC, H_STAMP, HOT_STRIDE, Tlb } from './tlb';
import { VmView } from './vm-view';
import { FK_ASID_ENL, FK_ASID_FULL, FK_HV_ASID, FK_INVEPT } from './flush-kind';
import { gpaOfGva, gpaShiftOf } from './guest-memory';


/**
 * A guest vCPU: its TLB, its loaded root and its workload. It services KVM
 * requests in `vcpu_enter_guest()` order and performs `kvm_mmu_load()`
 * (acquire a root from kvm, then `flush_tlb_current`). While it waits for a
 * root or a synchronous hypercall it runs no guest accesses.
 */
export class VcpuActor extends Actor {
  readonly host: number;
  readonly vm: number;
  readonly vmIndex: number;
  readonly asid: number;
  readonly tlb: Tlb;
  private readonly view: VmView;
  private readonly kvm: number;
  private readonly l0: number;
  private readonly regionBase: number;
  private readonly eptpMatch: boolean;

  prng: Prng;
  rootPage = -1;
  rootInc = 0;
  rootGen = 0;
  rootLoadNs = 0;
  lastFlushKind = 0;
  waitingRoot = false;
  waitingCalls = 0;
  stallSinceNs = 0;
  nextCallId = 0;
  accessesDone = 0;
  nextAccessNs = 0;
  process = 0;
  pcid = 0;
  nextCr3At = Infinity;
  nextInvlpgAt = Infinity;
  nextNestedNs = Infinity;
  nextCr4Ns = Infinity;
  flushedSeq = 0;
  zapGen = 0;
  started = false;

  constructor(id: number, ctx: ShardContext) {
    super(id, ctx);
    const t = ctx.topo;
    this.host = t.hostOf(id);
    const hv = t.hostVcpuIndex(id);
    this.vm = Math.floor(hv / t.vcpusPerVm);
    this.vmIndex = hv % t.vcpusPerVm;
    this.asid = hv + 1;
    this.kvm = t.kvmId(this.host);
    this.l0 = t.l0Id(this.host);
    this.view = ctx.views.get(t.globalVm(this.host, this.vm))!;
    this.regionBase = this.vmIndex * ctx.cfg.workload.workingSetPages;
    const wsp = ctx.cfg.workload.workingSetPages;
    const regionBase = this.regionBase;
    this.tlb = new Tlb(ctx.cfg.tlb.entries, ctx.cfg.tlb.ways, (gva) => gpaOfGva(gva, wsp, regionBase));
    this.eptpMatch = ctx.flags.intel;
    this.prng = new Prng(streamSeed(ctx.cfg.seed, id));
    this.scheduleGuestEvents();
  }

  /** True when the workload is complete and nothing is pending. */
  get done(): boolean {
    return this.accessesDone >= this.ctx.cfg.workload.accessesPerVcpu && !this.stalled;
  }

  private get stalled(): boolean {
    return this.waitingRoot || this.waitingCalls > 0;
  }

  private scheduleGuestEvents(): void {
    const w = this.ctx.cfg.workload;
    const ev = this.ctx.cfg.events;
    const perVcpu = this.ctx.topo.vcpusPerHost;
    this.nextCr3At = this.prng.nextExpGap(w.cr3SwitchesPerMillionAccesses / 1e6);
    this.nextInvlpgAt = this.prng.nextExpGap(w.invlpgPerMillionAccesses / 1e6);
    this.nextNestedNs = this.prng.nextExpGap(ev.nestedTransitionsPerSec / perVcpu / 1e9);
    this.nextCr4Ns = this.prng.nextExpGap(ev.cr4WritesPerSec / perVcpu / 1e9);
    this.process = 0;
    this.pcid = w.pcid ? 1 : 0;
  }

  override run(inbox: Float64Array, offsets: number[], windowEndNs: number): void {
    if (!this.started) {
      this.started = true;
      this.acquireRoot(0);
    }
    const target = this.ctx.cfg.workload.accessesPerVcpu;
    const interval = this.ctx.cfg.workload.accessIntervalNs;
    let m = 0;
    for (;;) {
      const tMsg = m < offsets.length ? inbox[offsets[m] + F_TIME] : Infinity;
      const running = !this.stalled && this.accessesDone < target;
      // A timed event that fell due during a stall happens when the vCPU runs again.
      const tEv = running ? Math.max(Math.min(this.nextNestedNs, this.nextCr4Ns), this.nextAccessNs) : Infinity;
      const tAcc = running ? this.nextAccessNs : Infinity;
      const t = Math.min(tMsg, tEv, tAcc);
      if (t >= windowEndNs) break;
      if (tMsg === t) { this.handle(inbox, offsets[m++]); continue; }
      if (tEv === t) { this.timeEvent(t); continue; }
      // A batch of accesses up to the next message, timed event or window end.
      const limit = Math.min(tMsg, tEv, windowEndNs);
      let n = Math.ceil((limit - t) / interval);
      n = Math.min(n, target - this.accessesDone, this.nextGuestEventAt() - this.accessesDone);
      if (n > 0) this.accessBatch(n, t, interval);
      this.guestEvents(this.nextAccessNs - interval);
    }
  }

  private nextGuestEventAt(): number {
    return Math.min(this.nextCr3At, this.nextInvlpgAt);
  }

  /**
   * The hot path: `n` guest accesses starting at `t0`. Combined lookup; on a
   * miss a guest walk and a nested lookup under the current root; on a nested
   * miss a walk of the VM's page tables. Every hit is checked in O(1) against
   * the hidden provenance.
   */
  private accessBatch(n: number, t0: number, interval: number): void {
    const w = this.ctx.cfg.workload;
    const tlb = this.tlb;
    const map = this.view.map;
    const tags = tlb.tags;
    const hot = tlb.hot;
    const tRoot = tlb.root;
    const ways = tlb.ways;
    const setsScale = tlb.setsScale;
    const ctag = combinedTag(this.asid, this.pcid);
    const ctagMul = Math.imul(ctag, 0x9e3779b1);
    const eptp = this.eptpMatch ? this.rootPage : -1;
    const root = this.rootPage;
    const inc = this.rootInc;
    const hotCut = Math.floor((w.hotPercent / 100) * 0x100000000);
    const hotScale = w.hotPages / 0x100000000;
    const wsp = w.workingSetPages;
    const wsScale = wsp / 0x100000000;
    const gvaBase = this.process << 20;
    const gpaShift = gpaShiftOf(this.process, wsp);
    const base = this.regionBase;
    let s = this.prng.state;
    let hits = 0, nHits = 0, walks = 0;
    for (let k = 0; k < n; k++) {
      s = nextState(s);
      const r1 = output(s);
      s = nextState(s);
      const r2 = output(s);
      // Multiply-shift range reduction of a 32-bit draw (no float modulo).
      const x = (r2 * (r1 < hotCut ? hotScale : wsScale)) | 0;
      const gva = gvaBase + x;
      // Combined lookup, inlined (Tlb.setBase's hash): this is the hot path.
      const h = (ctagMul ^ Math.imul(gva + 0x7f4a7c15, 0x85ebca77)) >>> 0;
      const setBase = ((h * setsScale) | 0) * ways;
      let i = -1;
      for (let q = setBase, e = setBase + ways; q < e; q++) {
        if (tags[2 * q + 1] === gva && tags[2 * q] === ctag && (eptp < 0 || tRoot[q] === eptp)) { i = q; break; }
      }
      if (i >= 0) {
        const o = i * HOT_STRIDE;
        hot[o + H_STAMP] = tlb.tick();
        hits++;
        let g = x + gpaShift;
        if (g >= wsp) g -= wsp;
        if (hot[o + H_INC] !== inc || map[g + base] !== hot[o + H_HPA]) this.suspicious(i, t0 + k * interval, gva);
        continue;
      }
      // The guest walk: GVA -> GPA (gpaOfGva, inlined).
      let gpa = x + gpaShift;
      if (gpa >= wsp) gpa -= wsp;
      gpa += base;
      const j = tlb.lookupNested(root, gpa);
      const fillUs = Math.floor((t0 + k * interval) / 1000);
      if (j >= 0) {
        const o = j * HOT_STRIDE;
        nHits++;
        if (hot[o + H_INC] !== inc || map[gpa] !== hot[o + H_HPA]) this.suspicious(j, t0 + k * interval, -1);
        tlb.fill(ctag, gva, hot[o + H_HPA], root, hot[o + H_INC], fillUs);
      } else {
        walks++;
        const hpa = map[gpa];
        tlb.fill(root, gpa, hpa, root, inc, fillUs);
        tlb.fill(ctag, gva, hpa, root, inc, fillUs);
      }
    }
    this.prng.state = s;
    this.countBatch(n, hits, nHits, walks);
    this.nextAccessNs = t0 + n * interval;
  }

  private countBatch(n: number, hits: number, nestedHits: number, walks: number): void {
    const c = this.ctx.counters;
    c[C.accesses] += n;
    c[C.tlbHits] += hits;
    c[C.tlbMisses] += n - hits;
    c[C.nestedHits] += nestedHits;
    c[C.nestedWalks] += walks;
    this.accessesDone += n;
  }

  /** A hit the checker must look at: see {@link checkStaleHit}. */
  private suspicious(i: number, tNs: number, gva: number): void {
    const report = checkStaleHit(this.tlb, this.view, i, this.rootInc, this.flushedSeq, gva, this.lastFlushKind, this.ctx.counters);
    if (!report) return;
    this.send(tNs + this.ctx.cfg.latency.kvmRequestNs, this.kvm, Msg.Report, ...report);
    this.ctx.counters[C.reports]++;
  }

  /** Guest CR3 switches and INVLPGs, scheduled by access count. */
  private guestEvents(tNs: number): void {
    const w = this.ctx.cfg.workload;
    if (this.accessesDone >= this.nextCr3At) {
      this.process = this.prng.nextInt(w.processes);
      if (w.pcid) this.pcid = this.process + 1;
      else this.tlb.guestCr3Switch(this.asid, 0, false);
      this.ctx.counters[C.cr3Switches]++;
      this.nextCr3At = this.accessesDone + this.prng.nextExpGap(w.cr3SwitchesPerMillionAccesses / 1e6);
    }
    if (this.accessesDone >= this.nextInvlpgAt) {
      const gva = (this.process << 20) + this.prng.nextInt(w.workingSetPages);
      this.tlb.guestInvlpg(this.asid, this.pcid, gva);
      this.ctx.counters[C.invlpg]++;
      this.nextInvlpgAt = this.accessesDone + this.prng.nextExpGap(w.invlpgPerMillionAccesses / 1e6);
    }
    void tNs;
  }

  /** Nested VMRUN/#VMEXIT pairs and CR4 writes, scheduled in simulated time. */
  private timeEvent(t: number): void {
    const ev = this.ctx.cfg.events;
    const perVcpu = this.ctx.topo.vcpusPerHost;
    if (this.nextNestedNs <= t) {
      // nested_svm_transition_tlb_flush: VMRUN flushes vmcb02's ASID (no L3
      // entries are modelled), #VMEXIT requests FLUSH_CURRENT on vmcb01.
      this.ctx.counters[C.nestedTransitions]++;
      if (this.ctx.flags.intel) this.flushGuest();
      else { this.ctx.counters[C.flushAsid]++; this.flushCurrent(t); }
      this.nextNestedNs = t + this.prng.nextExpGap(ev.nestedTransitionsPerSec / perVcpu / 1e9);
    } else {
      // kvm_post_set_cr4: PCIDE/SMEP changes request FLUSH_CURRENT.
      this.ctx.counters[C.cr4Writes]++;
      this.flushCurrent(t);
      this.nextCr4Ns = t + this.prng.nextExpGap(ev.cr4WritesPerSec / perVcpu / 1e9);
    }
  }

  private handle(b: Float64Array, o: number): void {
    const t = b[o + F_TIME];
    const p = o + F_P0;
    switch (b[o + F_TYPE]) {
      case Msg.Request: return this.serviceRequest(t, b[p], b[p + 1], b[p + 6]);
      case Msg.RootGrant: return this.rootGranted(t, b[p], b[p + 1], b[p + 2]);
      case Msg.HvFlushApply: return this.applyHvFlush(t, b, p);
      case Msg.HvFlushDone: return this.callDone(t);
      case Msg.InvalDone: if (b[p] === this.vm && b[p + 1] > this.flushedSeq) this.flushedSeq = b[p + 1]; return;
      case Msg.Remap: return; // applied to the shard's VM view at window start
      default: throw new Error(`vcpu ${this.id}: unexpected message type ${b[o + F_TYPE]}`);
    }
  }

  /** `vcpu_enter_guest()` request servicing, in the kernel's order. */
  private serviceRequest(t: number, bits: number, arg: number, ackId: number): void {
    if (bits & REQ_FREE_OBSOLETE_ROOTS) {
      if (arg > this.zapGen) this.zapGen = arg;
      if (this.rootPage >= 0 && this.rootGen < this.zapGen) this.putRoot(t);
    }
    if (bits & REQ_TLB_FLUSH) this.flushAll(t);
    else if (bits & REQ_TLB_FLUSH_CURRENT) this.flushCurrent(t);
    if (ackId > 0) this.send(t + this.ctx.cfg.latency.ipiNs, this.kvm, Msg.RequestAck, 0, 0, 0, 0, 0, 0, ackId);
    if (this.rootPage < 0 && !this.waitingRoot) this.acquireRoot(t); // kvm_mmu_reload
  }

  /** `kvm_mmu_free_obsolete_roots()`: drop the reference on an obsolete root. */
  private putRoot(t: number): void {
    this.send(t + this.ctx.cfg.latency.kvmRequestNs, this.kvm, Msg.RootPut, this.rootInc);
    this.rootPage = -1;
  }

  private acquireRoot(t: number): void {
    this.send(t + this.ctx.cfg.latency.kvmRequestNs, this.kvm, Msg.RootAcquire, 0);
    this.beginStall(t);
    this.waitingRoot = true;
  }

  /** `kvm_mmu_load()` continued: load the pgd, then `flush_tlb_current` unconditionally. */
  private rootGranted(t: number, page: number, inc: number, gen: number): void {
    if (gen < this.zapGen) {
      // Invalidated while the grant was in flight: drop it and ask again
      // (still stalled, so the stall keeps its start time).
      this.send(t + this.ctx.cfg.latency.kvmRequestNs, this.kvm, Msg.RootPut, inc);
      this.send(t + this.ctx.cfg.latency.kvmRequestNs, this.kvm, Msg.RootAcquire, 0);
      return;
    }
    this.waitingRoot = false;
    this.rootPage = page;
    this.rootInc = inc;
    this.rootGen = gen;
    this.rootLoadNs = t;
    this.flushCurrent(t);
    this.endStall(t);
  }

  /** `flush_tlb_current` of the platform and policy. */
  private flushCurrent(t: number): void {
    const f = this.ctx.flags;
    const c = this.ctx.counters;
    if (f.intel) {
      this.tlb.inveptSingle(this.rootPage);
      c[C.inveptSingle]++;
      this.lastFlushKind = FK_INVEPT;
    } else if (f.enlightened) {
      if (f.hvFlushCurrent && this.rootPage >= 0) {
        this.hypercall(t, HV_FLUSH_SPACE, this.rootPage, 0, 0);
        this.lastFlushKind = FK_HV_ASID;
      } else {
        this.lastFlushKind = FK_ASID_ENL;
      }
      this.tlb.flushAsid(this.asid, true);
      c[C.flushAsidEnlightened]++;
    } else {
      this.tlb.flushAsid(this.asid, false);
      c[C.flushAsid]++;
      this.lastFlushKind = FK_ASID_FULL;
    }
  }

  /** `flush_tlb_guest`: ASID flush on AMD, INVVPID single-context on Intel. */
  private flushGuest(): void {
    if (this.ctx.flags.intel) this.tlb.invvpidSingle(this.asid);
    else this.tlb.flushAsid(this.asid, this.ctx.flags.enlightened);
    this.ctx.counters[C.flushGuest]++;
  }

  /** `KVM_REQ_TLB_FLUSH`: everything this vCPU caches. */
  private flushAll(t: number): void {
    this.tlb.flushAll();
    this.ctx.counters[C.flushFull]++;
    void t;
  }

  private hypercall(t: number, kind: number, ncr3: number, gpa: number, pages: number): void {
    this.send(t + this.ctx.cfg.latency.hypercallNs, this.l0, Msg.HvFlush, kind, ncr3, gpa, pages, 0, this.vm, ++this.nextCallId);
    this.beginStall(t);
    this.waitingCalls++;
  }

  private callDone(t: number): void {
    this.waitingCalls--;
    this.endStall(t);
  }

  private applyHvFlush(t: number, b: Float64Array, p: number): void {
    if (b[p] === HV_FLUSH_LIST) this.tlb.hvFlushRange(b[p + 1], b[p + 2], b[p + 3]);
    else this.tlb.hvFlushSpace(b[p + 1]);
    this.send(t + this.ctx.cfg.latency.ipiNs, this.l0, Msg.HvFlushAck, 0, 0, 0, 0, 0, 0, b[p + 6]);
  }

  private beginStall(t: number): void {
    if (!this.stalled) this.stallSinceNs = t;
  }

  private endStall(t: number): void {
    if (this.stalled) return;
    this.ctx.counters[C.stallNs] += t - this.stallSinceNs;
    if (this.nextAccessNs < t) this.nextAccessNs = t;
  }

  override save(): Record<string, unknown> {
    const state: Record<string, unknown> = { prng: this.prng.state, tlb: this.tlb.save() };
    for (const k of VCPU_STATE) state[k] = this[k];
    return state;
  }

  override load(s: Record<string, unknown>): void {
    const self = this as unknown as Record<string, unknown>;
    for (const k of VCPU_STATE) self[k] = s[k];
    this.prng.state = s.prng as number;
    this.tlb.load(s.tlb as Record<string, unknown>);
  }
}

/** The vCPU fields a snapshot keeps (besides its PRNG and TLB). */
const VCPU_STATE = [
  'seq', 'rootPage', 'rootInc', 'rootGen', 'rootLoadNs', 'lastFlushKind', 'waitingRoot', 'waitingCalls', 'stallSinceNs',
  'nextCallId', 'accessesDone', 'nextAccessNs', 'process', 'pcid', 'nextCr3At', 'nextInvlpgAt', 'nextNestedNs',
  'nextCr4Ns', 'flushedSeq', 'zapGen', 'started',
] as const;
