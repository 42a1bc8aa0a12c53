import { C, ps } from './counters';
import { eventRatePerNs, TimeCosts } from './costs';
import {
  F_TIME,
  F_TYPE,
  Msg,
  REQ_FREE_OBSOLETE_ROOTS,
  REQ_TLB_FLUSH,
  REQ_TLB_FLUSH_CURRENT,
  ROLE_NORMAL,
} from './message';
import { nextState, output, Prng, streamSeed } from './prng';
import { Actor, ShardContext } from './shard-context';
import { checkSharedHit, checkStaleHit, StaleHitReport } from './stale-hit.checker';
import {
  combinedTag,
  META_REPORTED_MAP,
  META_REPORTED_ROOT,
  META_SHIFT,
  ROOT_MASK,
  S_HPA,
  S_INC,
  S_ROOT,
  S_TAG0,
  S_TAG1,
  setShiftOf,
  SLOT_STRIDE,
  TAG_INVALID,
  Tlb,
} from './tlb';
import { seqReached, VmView } from './vm-view';
import { gpaShiftOf, regionPageOf } from './guest-memory';
import { K_HPA, K_INC, KEY_STRIDE, PartitionCache } from './partition-cache';
import { ReportedKeys } from './reported-keys';
import { copyVcpuState, decodeVcpuState, encodeVcpuState, initialVcpuState, VcpuState } from './vcpu.state';
import { MIGRATE_CHUNK } from './message';
import type { Vp } from './vp';
import { VcpuFlushes } from './vcpu-flush';
import { VcpuModes } from './vcpu-modes';
import { VcpuSmm } from './vcpu-smm';
import { MF } from './message.schema';
import { assert, fail, kernelChecks } from './assert';
import { COVERAGE_ACCESSES_PER_VCPU_MIN } from './coverage';

const REQ = MF[Msg.Request];
const GRANT = MF[Msg.RootGrant];
const INVAL_DONE = MF[Msg.InvalDone];

/**
 * Switches of the access loop for tests. `certifiedHints: false` sends every
 * hit through its slot (no certified way hints); a differential test runs
 * both and compares the results (test/kernel/certified-hints.test.ts).
 * `certifiedHitsChecked` counts the certified hits the kernel checks
 * verified (only with {@link kernelChecks} on), so that test can tell the
 * fast path ran.
 */
export const accessLoopSwitches = {
  /** @defaultValue true */
  certifiedHints: true,
  /** @defaultValue 0 */
  certifiedHitsChecked: 0,
};

/** Most entries of a vCPU's way hints (a byte each: 1 KiB, within the memory budget per vCPU). */
export const WAY_HINTS_MAX = 1024;
/** The way of a way hint (`tlb.ways` is at most 64). */
const HINT_WAY = 0x3f;
/** Hint bit: certified, the way holds this page's entry and a hit on it needs no check. */
const HINT_CLEAN = 0x40;
/** Hint bit: certified, the way holds this page's entry, stale with every cause reported (a known stale hit). */
const HINT_KNOWN = 0x80;

/** Entries of the way hints: the working set rounded up to a power of two, at most {@link WAY_HINTS_MAX}. */
export function wayHintLength(workingSetPages: number): number {
  let n = 1;
  while (n < workingSetPages && n < WAY_HINTS_MAX) n *= 2;
  return n;
}

/**
 * A guest vCPU: its TLB (the virtual processor it runs on), its roots and
 * its workload. It services KVM requests in `vcpu_enter_guest()` order and
 * performs `kvm_mmu_load()` (acquire a root from kvm, then
 * `flush_tlb_current`). It runs the L2 on vmcb01 and, for
 * `workload.l3TimePercent` of its time, an L3 on vmcb02 with a guest-mode
 * root; SMIs switch it to an SMM-role root and back. While it waits for a
 * root, a synchronous hypercall or a vmcb switch it runs no guest accesses.
 */
export class VcpuActor extends Actor {
  readonly host: number;
  readonly vm: number;
  readonly vmIndex: number;
  /** The virtual processor this actor runs on (a vCPU that changes VP is rebuilt on the new one). */
  readonly vp: Vp;
  /** The VP's TLB. */
  readonly tlb: Tlb;
  readonly view: VmView;
  /** The partition's shared nested translations (null: nested entries live in {@link tlb}). */
  readonly part: PartitionCache | null;
  readonly kvm: number;
  readonly l0: number;
  /** First GPA page of this vCPU's working-set region in its VM. */
  readonly regionBase: number;
  readonly prng: Prng;
  /** The vCPU's state (see vcpu.state.ts). */
  s: VcpuState;
  /** Shared entries already reported (runtime form of `s.reported`). */
  readonly reported: ReportedKeys;
  readonly flushes: VcpuFlushes;
  readonly modes: VcpuModes;
  /** The SMI handler's SMRAM accesses. */
  readonly smm: VcpuSmm;
  /** Costs in simulated ns. */
  readonly costs: TimeCosts;
  /**
   * Per working-set page (modulo its length, a power of two): the way of
   * its set it last hit or was filled in (ways are at most 64), checked
   * like any slot. When the working set fits (no two pages share a hint)
   * a hint may also be certified ({@link HINT_CLEAN}, {@link HINT_KNOWN}):
   * the access loop checked that slot and nothing it depends on changed
   * since ({@link recertify}), so a hit on it is taken without reading the
   * slot, which keeps a hit within the hints and the LRU stamps (a
   * fleet's TLBs overflow the caches and the host TLB; see
   * BENCHMARKS.md). Neither kind changes a result, and neither is part of
   * the state: a restored vCPU starts with no certified hint.
   */
  private readonly wayHint: Uint8Array;
  /** Certified hints are possible: every working-set page has its own hint. */
  private readonly certifiable: boolean;
  /*
   * What certified hints depend on, as of the end of this vCPU's last batch:
   * context tag, root, root incarnation, process, completed flush seq, the
   * TLB's and the VM view's change counts. Any difference drops every
   * certificate ({@link recertify}).
   */
  private certTag = -1;
  private certRoot = -1;
  private certInc = -1;
  private certProcess = -1;
  private certFlushedSeq = -1;
  private certTlbWrites = -1;
  private certViewChanges = -1;

  constructor(id: number, ctx: ShardContext) {
    super(id, ctx);
    const t = ctx.topo;
    this.host = t.hostOf(id);
    const hv = t.hostVcpuIndex(id);
    this.vm = Math.floor(hv / t.vcpusPerVm);
    this.vmIndex = hv % t.vcpusPerVm;
    const vp = ctx.vps.get(ctx.schedule.vpSlot(this.host, ctx.schedule.vpOf(id, ctx.window)));
    if (!vp) fail(`vcpu ${id}: its VP is not on this shard in window ${ctx.window}`);
    this.vp = vp;
    this.tlb = vp.tlb;
    this.kvm = t.kvmId(this.host);
    this.l0 = t.l0Id(this.host);
    this.view = ctx.views.get(t.globalVm(this.host, this.vm))!;
    this.part = ctx.partitions.get(this.host) ?? null;
    this.regionBase = this.vmIndex * ctx.cfg.workload.workingSetPages;
    this.reported = new ReportedKeys(this.regionBase, ctx.cfg.workload.workingSetPages);
    this.prng = new Prng(streamSeed(ctx.cfg.seed, id));
    this.costs = ctx.costs;
    this.wayHint = new Uint8Array(wayHintLength(ctx.cfg.workload.workingSetPages));
    this.certifiable = accessLoopSwitches.certifiedHints && ctx.cfg.workload.workingSetPages <= this.wayHint.length;
    this.s = initialVcpuState(this.prng.state);
    this.flushes = new VcpuFlushes(this);
    this.modes = new VcpuModes(this);
    this.smm = new VcpuSmm(this);
    this.scheduleGuestEvents();
    this.assignAsids(false);
  }

  /** vmcb01's ASID (Intel: VPID). */
  get asid(): number {
    return this.s.asid01;
  }

  /** vmcb02's ASID (Intel: vpid02). */
  get asid02(): number {
    return this.s.asid02;
  }

  /**
   * ASIDs on this VP. Intel: VPIDs belong to the vCPU (hv+1, vpid02 above
   * the host's vCPUs). AMD: `new_asid()` from the VP's allocator for both
   * VMCBs; when the ASIDs run out the VP flushes every ASID
   * (TLB_CONTROL_FLUSH_ALL_ASID; under the enlightenment only first-level
   * entries go).
   */
  private assignAsids(afterRollover: boolean): void {
    const s = this.s;
    const hv = this.ctx.topo.hostVcpuIndex(this.id);
    if (this.ctx.flags.intel) {
      s.asid01 = hv + 1;
      s.asid02 = hv + 1 + this.ctx.topo.vcpusPerHost;
    } else {
      const a = this.vp.newAsid();
      const b = this.vp.newAsid();
      s.asid01 = a.asid;
      s.asid02 = b.asid;
      if (a.flushAll || b.flushAll) this.flushes.flushAllAsids(this.ctx.window * this.ctx.windowNs);
      if (b.flushAll) {
        s.asid01 = this.vp.newAsid().asid;
      }
    }
    s.asidGen = this.vp.asidGen;
    this.vp.assign(s.asid01, this.regionBase);
    this.vp.assign(s.asid02, this.regionBase);
    if (afterRollover) this.ctx.counters[C.asidReassignments]++;
  }

  /**
   * A vCPU that arrived on this VP (a migration): a new pCPU for KVM. SVM
   * gives it new ASIDs (`svm->current_vmcb->cpu != vcpu->cpu`: generation
   * reset, `new_asid()`); VMX makes `KVM_REQ_TLB_FLUSH` (`vmx_vcpu_load_vmcs`).
   */
  arrive(): void {
    const t = this.ctx.window * this.ctx.windowNs;
    this.ctx.counters[C.vcpuMigrations]++;
    if (this.ctx.flags.intel) {
      this.assignAsids(false);
      if (this.s.rootPage >= 0) this.flushes.flushAll(t);
    } else {
      this.assignAsids(true);
      // A new ASID reaches none of the old ASID's translations, except those
      // derived from nested tables under the enlightenment (vmcb01 only):
      // on bare metal, without the enlightenment or in vmcb02 the model's
      // nested entries (which carry no ASID) must go.
      if (!this.ctx.flags.enlightened || this.s.inL3) this.flushes.dropNestedForNewAsid(t);
    }
  }

  /** True when the workload is complete (or the run's simulated time is over) and nothing is pending. */
  get done(): boolean {
    return this.s.finished;
  }

  /** Records the vCPU's final time once its work is over and nothing is pending. */
  private checkFinished(): void {
    const s = this.s;
    if (s.finished || this.stalled) return;
    if (s.accessesDone < this.ctx.cfg.workload.accessesPerVcpu && s.nextAccessNs < this.costs.endNs) return;
    this.finish();
  }

  /** The vCPU's work is over: its time and its coverage (how many accesses it made) are counted once. */
  private finish(): void {
    const s = this.s;
    assert(!s.finished, 'a vCPU finishes once');
    s.finished = true;
    const c = this.ctx.counters;
    c[C.vcpuTimePs] += ps(s.nextAccessNs);
    c[C.vcpusFinished]++;
    if (s.accessesDone === 0) c[C.vcpusIdle]++;
    if (s.accessesDone < COVERAGE_ACCESSES_PER_VCPU_MIN) c[C.vcpusBelowCoverage]++;
  }

  /** Spends `ns` of the vCPU's time on `slot` (a `time*Ns` counter), from its clock on. */
  charge(slot: number, ns: number): void {
    if (this.s.finished || ns <= 0) return;
    this.ctx.counters[slot] += ps(ns);
    this.s.nextAccessNs += ns;
  }

  /** Moves the clock forward to `t`, charging the gap to `slot`. */
  advanceTo(t: number, slot: number): void {
    const s = this.s;
    if (t <= s.nextAccessNs) return;
    if (!s.finished) this.ctx.counters[slot] += ps(t - s.nextAccessNs);
    s.nextAccessNs = t;
  }

  /** What the vCPU is waiting for, as the time counter it is charged to (most expensive first). */
  private stallSlot(): number {
    const s = this.s;
    if (s.waitingCalls > 0) return C.timeHypercallPs;
    if (s.waitingRole >= 0) return C.timeRootWaitPs;
    return C.timeExitPs; // an announced vmcb switch
  }

  /** Waiting for a root, a synchronous hypercall or a vmcb switch. */
  get stalled(): boolean {
    const s = this.s;
    return s.waitingRole >= 0 || s.waitingCalls > 0 || s.switchAtNs !== Infinity;
  }

  /** The actor's context (for its helpers). */
  get c(): ShardContext {
    return this.ctx;
  }

  private scheduleGuestEvents(): void {
    const w = this.ctx.cfg.workload;
    const ev = this.ctx.cfg.events;
    const perVcpu = this.ctx.topo.vcpusPerHost;
    const s = this.s;
    const cfg = this.ctx.cfg;
    const k = this.costs.sampling;
    s.nextCr3At = this.prng.nextExpGap((w.cr3SwitchesPerMillionAccesses * k) / 1e6);
    s.nextInvlpgAt = this.prng.nextExpGap((w.invlpgPerMillionAccesses * k) / 1e6);
    s.nextNestedNs = this.prng.nextExpGap(eventRatePerNs(cfg, ev.nestedTransitionsPerSec, perVcpu));
    s.nextCr4Ns = this.prng.nextExpGap(eventRatePerNs(cfg, ev.cr4WritesPerSec, perVcpu));
    s.nextSmiNs = this.prng.nextExpGap(eventRatePerNs(cfg, ev.smiPerSec, perVcpu));
    s.nextCr0Ns = this.prng.nextExpGap(eventRatePerNs(cfg, ev.cr0WpTogglesPerSec, perVcpu));
    s.process = 0;
    s.pcid = w.pcid ? 1 : 0;
  }

  /** The next timed event (nested transition, CR4 write, SMI; RSM in SMM) this vCPU can take now. */
  private nextTimedNs(): number {
    const s = this.s;
    // In SMM only RSM ends the handler: other events wait for it.
    if (s.smmPhase === 1) return s.rsmAtNs;
    // CR4 and CR0 writes and SMIs belong to the L2: while L3 runs they wait for the #VMEXIT.
    return s.inL3 ? s.nextNestedNs : Math.min(s.nextNestedNs, s.nextCr4Ns, s.nextSmiNs, s.nextCr0Ns);
  }

  override run(inbox: Float64Array, offsets: number[], windowEndNs: number): void {
    const s = this.s;
    if (!s.started) {
      s.started = true;
      this.modes.acquire(0, ROLE_NORMAL);
    }
    const target = this.ctx.cfg.workload.accessesPerVcpu;
    const sched = this.ctx.schedule;
    let onCpu = true;
    if (!sched.pinned) {
      if (!this.ctx.flags.intel && s.asidGen !== this.vp.asidGen) this.assignAsids(true);
      onCpu = sched.onCpu(this.id, this.ctx.window);
      // Back on its VP: the time away was another vCPU's turn.
      if (onCpu && !this.stalled) this.advanceTo(windowEndNs - this.ctx.windowNs, C.timeDescheduledPs);
    }
    if (this.vp.stolenNs > 0 && onCpu) {
      // L0 applied partition-wide flushes on this VP: the running vCPU lost that time.
      if (!this.stalled) this.charge(C.timeInterruptPs, this.vp.stolenNs);
      this.vp.stolenNs = 0;
    }
    const endNs = this.costs.endNs;
    if (!s.finished && windowEndNs - this.ctx.windowNs >= endNs) {
      // `run.simulatedMs` is over: whatever the vCPU waits for, its time ends here.
      if (this.stalled) this.markStall(endNs);
      else this.advanceTo(endNs, C.timeDescheduledPs);
      this.finish();
    }
    const eventSlackNs = this.costs.hitNs + this.costs.guestWalkNs + this.costs.nestedWalkNs;
    let m = 0;
    for (;;) {
      const tMsg = m < offsets.length ? inbox[offsets[m] + F_TIME] : Infinity;
      const running = onCpu && !this.stalled && !s.finished && s.accessesDone < target && s.nextAccessNs < endNs;
      // A timed event that fell due during a stall happens when the vCPU runs again.
      const due = running ? this.nextTimedNs() : Infinity;
      const tEv = running ? Math.max(due, s.nextAccessNs) : Infinity;
      const tAcc = running ? s.nextAccessNs : Infinity;
      const t = Math.min(tMsg, s.switchAtNs, tEv, tAcc);
      if (t >= windowEndNs) break;
      if (tMsg === t) {
        this.handle(inbox, offsets[m++]);
        continue;
      }
      if (s.switchAtNs === t) {
        this.modes.switchContext(t);
        continue;
      }
      if (tEv === t) {
        if (t - due > eventSlackNs) {
          this.ctx.counters[C.eventsDeferred]++;
          this.ctx.counters[C.eventsDeferredPs] += ps(t - due);
        }
        this.modes.timeEvent(t);
        continue;
      }
      // A batch of accesses up to the next message, timed event or window end.
      const limit = Math.min(tMsg, tEv, windowEndNs, endNs);
      if (s.smmPhase === 1) {
        s.r01Used = true; // the SMM root tags what the handler's accesses fill (the checker's exposures)
        this.smm.accessBatch(t, limit);
        continue;
      }
      let n = Math.ceil((limit - t) / this.costs.hitNs);
      n = Math.min(n, target - s.accessesDone, Math.min(s.nextCr3At, s.nextInvlpgAt) - s.accessesDone);
      if (n > 0) this.markRootUsed();
      if (n > 0) this.accessBatch(n, t, limit);
      this.guestEvents();
      this.checkFinished();
    }
    this.checkFinished();
  }

  /** The root the next accesses use may now tag entries: its put tells kvm (the checker's exposures). */
  private markRootUsed(): void {
    if (this.s.inL3) this.s.r02Used = true;
    else this.s.r01Used = true;
  }

  /**
   * The hot path: `n` guest accesses starting at `t0`. Combined lookup; on a
   * miss a guest walk and a nested lookup under the current root (in the
   * partition's shared translations or in this TLB); on a nested miss a walk
   * of the VM's page tables. Every hit is checked in O(1) against the hidden
   * provenance.
   */
  private accessBatch(n: number, t0: number, limitNs: number): void {
    const st = this.s;
    assert(st.rootPage >= 0 && st.waitingRole < 0, 'a vCPU runs guest accesses only with a loaded root');
    const w = this.ctx.cfg.workload;
    const tlb = this.tlb;
    const map = this.view.map;
    const seqs = this.view.seq;
    const flushedSeq = st.flushedSeq;
    const sl = tlb.slots;
    const stamps = tlb.stamps;
    const mru = tlb.mru;
    const hint = this.wayHint;
    const certify = this.certifiable;
    const hintMask = (hint.length - 1) | 0;
    const ways = tlb.ways | 0;
    const setsScale = tlb.setsScale;
    const setShift = tlb.setShift | 0;
    const ctag = combinedTag(st.inL3 ? this.asid02 : this.asid, st.pcid) | 0;
    this.recertify(ctag);
    const ctagMul = Math.imul(ctag, 0x9e3779b1);
    const root = st.rootPage | 0;
    const eptp = this.ctx.flags.intel ? root : -1;
    const inc = st.rootInc | 0;
    const part = this.part;
    const maskUntil = part ? this.flushes.maskedUntil(root) : 0;
    const hotCut = Math.floor((w.hotPercent / 100) * 0x100000000);
    const wsp = w.workingSetPages | 0;
    // [cold, hot] range reduction without a branch (it would mispredict 1
    // time in 5): a shift when both counts are powers of two (exactly the
    // multiply's result), picked by arithmetic on the hot bit; else a scale.
    const shiftCold = setShiftOf(wsp) | 0;
    const shiftHotLess = (setShiftOf(w.hotPages) - shiftCold) | 0;
    const byShift = shiftCold >= 0 && shiftCold + shiftHotLess >= 0;
    const scaleCold = wsp / 0x100000000;
    const scaleHot = w.hotPages / 0x100000000;
    const gvaBase = (st.process << 20) | 0;
    const gpaShift = gpaShiftOf(st.process, wsp) | 0;
    const base = this.regionBase | 0;
    const { hitNs, guestWalkNs, nestedWalkNs, l0NestedFaultNs } = this.costs;
    const missNs = hitNs + guestWalkNs;
    // A nested miss: the hardware walk, and L0's refill of its shadow entry when the partition holds them.
    const walkNs = missNs + nestedWalkNs + l0NestedFaultNs;
    // Locals the compiler can keep untagged: the state as an int32, the counts as int32.
    let s = this.prng.state | 0;
    let hits = 0,
      nHits = 0,
      walks = 0,
      staleKnown = 0;
    let tNs = t0;
    // Loop invariants as untagged locals (a parameter is re-checked on every iteration).
    const endNs = limitNs + 0;
    const count = n | 0;
    const checks = kernelChecks.enabled;
    let k = 0;
    // Each access advances the clock by what it costs: a hit, a guest walk, a nested walk.
    for (; k < count && tNs < endNs; k++) {
      s = nextState(s);
      const r1 = output(s);
      s = nextState(s);
      const r2 = output(s);
      // Multiply-shift range reduction of a 32-bit draw (no float modulo).
      const hot = +(r1 < hotCut);
      const x = byShift ? r2 >>> (shiftCold + hot * shiftHotLess) : (r2 * (hot === 1 ? scaleHot : scaleCold)) | 0;
      const gva = gvaBase + x;
      // Combined lookup, inlined: this is the hot path. The set
      // (Tlb.setBase's hash), first the way this page hit in last time (a
      // hint, checked like any slot), then the whole set.
      const h = ctagMul ^ Math.imul(gva + 0x7f4a7c15, 0x85ebca77);
      const set = setShift >= 0 ? h >>> setShift : ((h >>> 0) * setsScale) | 0;
      const setBase = set * ways;
      const hb = hint[x & hintMask];
      let i = setBase + (hb & HINT_WAY);
      if (hb > HINT_WAY) {
        // A certified hint: a hit, known clean (or known stale), without reading the slot.
        if (checks) this.checkCertified(i, gva, regionPageOf(x, gpaShift, wsp) + base, hb);
        // Tlb.touch, inlined; the set's most recently used entry stays so unstamped.
        if (mru[set] !== (hb & HINT_WAY)) {
          stamps[i] = tlb.tick();
          mru[set] = hb & HINT_WAY;
        } else if (checks) assert(tlb.isNewest(i), "the set's most recently used way is its newest stamp");
        hits++;
        staleKnown += hb >>> 7;
        tNs += hitNs;
        continue;
      }
      let o = i * SLOT_STRIDE;
      // On a miss, where Tlb.fill would put the page (the set's first empty way, else its LRU one).
      let victim = -1;
      if (sl[o + S_TAG1] !== gva || sl[o + S_TAG0] !== ctag || (eptp >= 0 && (sl[o + S_ROOT] & ROOT_MASK) !== eptp)) {
        i = -1;
        let oldest = 0x7fffffff;
        for (let q = setBase, e = setBase + ways; q < e; q++) {
          o = q * SLOT_STRIDE;
          const t0 = sl[o + S_TAG0];
          if (sl[o + S_TAG1] === gva && t0 === ctag && (eptp < 0 || (sl[o + S_ROOT] & ROOT_MASK) === eptp)) {
            i = q;
            hint[x & hintMask] = q - setBase;
            break;
          }
          if (t0 === TAG_INVALID) {
            if (oldest >= 0) {
              victim = q;
              oldest = -1;
            }
          } else if (stamps[q] < oldest) {
            victim = q;
            oldest = stamps[q];
          }
        }
      }
      const gpa = regionPageOf(x, gpaShift, wsp) + base;
      if (i >= 0) {
        stamps[i] = tlb.tick(); // Tlb.touch, inlined
        mru[set] = i - setBase;
        hits++;
        let cert = HINT_CLEAN;
        if (sl[o + S_INC] !== inc || map[gpa] !== sl[o + S_HPA]) {
          // checkStaleHit's decision, inlined for the common outcomes: a
          // legal in-flight hit, or a stale hit whose causes were all reported.
          const bits =
            (sl[o + S_INC] !== inc ? META_REPORTED_ROOT : 0) |
            (map[gpa] !== sl[o + S_HPA] && seqReached(seqs[gpa], flushedSeq) ? META_REPORTED_MAP : 0);
          if (bits !== 0 && ((sl[o + S_ROOT] >>> META_SHIFT) & bits) === bits) {
            staleKnown++;
            cert = HINT_KNOWN;
          } else if (bits !== 0) {
            this.suspicious(i, tNs, gva, gpa);
            // Reported now (the checker marks the entry): the next hit is a known one.
            cert = ((sl[o + S_ROOT] >>> META_SHIFT) & bits) === bits ? HINT_KNOWN : 0;
          }
        }
        // Until the next change of what the decision read, it stands (see wayHint).
        if (certify) hint[x] = (i - setBase) | cert;
        tNs += hitNs;
        continue;
      }
      const fillUs = Math.floor(tNs / 1000);
      if (part) {
        const j = tNs >= maskUntil ? part.peek(root, gpa) : -1;
        if (j >= 0) {
          // The entry's words, from the line the lookup read (PartitionCache.keys).
          const pk = part.keys;
          const pHpa = pk[j * KEY_STRIDE + K_HPA];
          const pInc = pk[j * KEY_STRIDE + K_INC];
          nHits++;
          // Only a stale hit goes to the checker (an owed flush still in flight makes a legal one).
          const stale = pInc !== inc || (map[gpa] !== pHpa && seqReached(seqs[gpa], flushedSeq));
          if (stale) this.suspiciousShared(j, tNs);
          // Nothing changed this TLB since the lookup: the victim it found stands.
          if (checks) assert(victim === tlb.victim(ctag, gva), 'the lookup found the fill victim');
          this.evict(victim, gvaBase);
          tlb.fillSlot(victim, ctag, gva, pHpa, root, pInc, fillUs);
          // The next hit on the new entry decides as this lookup did: a clean one is certified now.
          hint[x & hintMask] = (victim - setBase) | (certify && !stale ? HINT_CLEAN : 0);
          tNs += missNs;
        } else {
          walks++;
          const hpa = map[gpa];
          this.flushes.shareFill(tNs, root, gpa, hpa, inc, fillUs);
          if (checks) assert(victim === tlb.victim(ctag, gva), 'the lookup found the fill victim');
          this.evict(victim, gvaBase);
          tlb.fillSlot(victim, ctag, gva, hpa, root, inc, fillUs);
          hint[x & hintMask] = (victim - setBase) | (certify ? HINT_CLEAN : 0); // filled from the page tables: clean
          tNs += walkNs;
        }
        continue;
      }
      const j = tlb.lookupNested(root, gpa);
      if (j >= 0) {
        const no = j * SLOT_STRIDE;
        nHits++;
        if (sl[no + S_INC] !== inc || map[gpa] !== sl[no + S_HPA]) this.suspicious(j, tNs, -1, gpa);
        hint[x & hintMask] = this.fillEvicting(ctag, gva, sl[no + S_HPA], root, sl[no + S_INC], fillUs) - setBase;
        tNs += missNs;
      } else {
        walks++;
        const hpa = map[gpa];
        this.fillEvicting(root, gpa, hpa, root, inc, fillUs);
        hint[x & hintMask] = this.fillEvicting(ctag, gva, hpa, root, inc, fillUs) - setBase;
        tNs += walkNs;
      }
    }
    // Every change this batch made to the TLB went through evict().
    this.certTlbWrites = tlb.writes;
    this.prng.state = s;
    this.countBatch(k, hits, nHits, walks);
    this.ctx.counters[C.staleHits] += staleKnown;
    st.nextAccessNs = tNs;
  }

  /**
   * Drops every certified hint if anything a certificate relied on changed
   * since this vCPU's last batch; `tag` is the batch's combined tag.
   */
  private recertify(tag: number): void {
    const st = this.s;
    if (
      tag === this.certTag &&
      st.rootPage === this.certRoot &&
      st.rootInc === this.certInc &&
      st.process === this.certProcess &&
      st.flushedSeq === this.certFlushedSeq &&
      this.tlb.writes === this.certTlbWrites &&
      this.view.changes === this.certViewChanges
    )
      return;
    const hint = this.wayHint;
    for (let k = 0; k < hint.length; k++) hint[k] &= HINT_WAY;
    this.certTag = tag;
    this.certRoot = st.rootPage;
    this.certInc = st.rootInc;
    this.certProcess = st.process;
    this.certFlushedSeq = st.flushedSeq;
    this.certTlbWrites = this.tlb.writes;
    this.certViewChanges = this.view.changes;
  }

  /**
   * Before slot `i` is refilled: the certified hint of the entry it holds,
   * if any, goes. Only a page of this vCPU's current process can have one
   * (a certificate checked the slot's tags), at hint `tag1 - gvaBase`.
   */
  private evict(i: number, gvaBase: number): void {
    const x = this.tlb.slots[i * SLOT_STRIDE + S_TAG1] - gvaBase;
    if (x >= 0 && x < this.wayHint.length) this.wayHint[x] &= HINT_WAY;
  }

  /** {@link Tlb.fill}, dropping the victim's certified hint first; returns the slot. */
  fillEvicting(t0: number, t1: number, hpa: number, root: number, inc: number, fillUs: number): number {
    const victim = this.tlb.victim(t0, t1);
    this.evict(victim, this.s.process << 20);
    this.tlb.fillSlot(victim, t0, t1, hpa, root, inc, fillUs);
    return victim;
  }

  /** Debug mode: a certified hint's slot holds its page, and the checker's decision is still the certified one. */
  private checkCertified(i: number, gva: number, gpa: number, hint: number): void {
    const st = this.s;
    const tlb = this.tlb;
    const ctag = combinedTag(st.inL3 ? this.asid02 : this.asid, st.pcid);
    const eptp = this.ctx.flags.intel ? st.rootPage : -1;
    const holds = tlb.tag1(i) === gva && tlb.tag0(i) === ctag && (eptp < 0 || tlb.rootOf(i) === eptp);
    assert(holds, 'a certified way hint points at its page');
    const causeRoot = tlb.inc(i) !== st.rootInc;
    const causeMap = this.view.map[gpa] !== tlb.hpa(i) && seqReached(this.view.seq[gpa], st.flushedSeq);
    const bits = (causeRoot ? META_REPORTED_ROOT : 0) | (causeMap ? META_REPORTED_MAP : 0);
    const known = bits !== 0 && (tlb.reportedBits(i) & bits) === bits;
    assert(hint >= HINT_KNOWN ? known : bits === 0, 'a certified way hint keeps its decision');
    accessLoopSwitches.certifiedHitsChecked++;
  }

  private countBatch(n: number, hits: number, nestedHits: number, walks: number): void {
    const c = this.ctx.counters;
    const k = this.costs;
    c[C.accesses] += n;
    c[C.guestAccesses] += n * k.sampling;
    c[C.tlbHits] += hits;
    c[C.tlbMisses] += n - hits;
    c[C.nestedHits] += nestedHits;
    c[C.nestedWalks] += walks;
    c[C.timeAccessPs] += ps(n * k.hitNs);
    c[C.timeWalkPs] += ps((n - hits) * k.guestWalkNs + walks * (k.nestedWalkNs + k.l0NestedFaultNs));
    this.s.accessesDone += n;
  }

  /** A hit in this TLB the checker must look at: see {@link checkStaleHit}. (Also called by the SMM handler's accesses.) */
  suspicious(i: number, tNs: number, gva: number, gpa: number): void {
    const s = this.s;
    const report = checkStaleHit(
      this.tlb,
      this.view,
      i,
      gpa,
      s.rootInc,
      s.flushedSeq,
      gva,
      s.lastFlushKind,
      this.ctx.counters,
    );
    if (report) this.report(tNs, report);
  }

  /** A hit in the partition's shared translations: see {@link checkSharedHit}. (Also called by the SMM handler's accesses.) */
  suspiciousShared(j: number, tNs: number): void {
    const s = this.s;
    const report = checkSharedHit(
      this.part!,
      this.view,
      j,
      s.rootInc,
      s.flushedSeq,
      s.lastFlushKind,
      this.reported,
      this.ctx.counters,
    );
    if (report) this.report(tNs, report);
  }

  private report(tNs: number, p: StaleHitReport): void {
    // Positional, not spread: a call with a spread argument takes a slow generic path (millions of reports a run).
    this.send(tNs + this.ctx.cfg.latency.kvmRequestNs, this.kvm, Msg.Report, p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
    this.ctx.counters[C.reports]++;
  }

  /** Guest CR3 switches and INVLPGs, scheduled by access count. */
  private guestEvents(): void {
    const w = this.ctx.cfg.workload;
    const s = this.s;
    const asid = s.inL3 ? this.asid02 : this.asid;
    if (s.accessesDone >= s.nextCr3At) {
      s.process = this.prng.nextInt(w.processes);
      if (w.pcid) s.pcid = s.process + 1;
      else this.tlb.guestCr3Switch(asid, 0, false);
      this.ctx.counters[C.cr3Switches]++;
      s.nextCr3At =
        s.accessesDone + this.prng.nextExpGap((w.cr3SwitchesPerMillionAccesses * this.costs.sampling) / 1e6);
    }
    if (s.accessesDone >= s.nextInvlpgAt) {
      const gva = (s.process << 20) + this.prng.nextInt(w.workingSetPages);
      this.tlb.guestInvlpg(asid, s.pcid, gva);
      this.ctx.counters[C.invlpg]++;
      s.nextInvlpgAt = s.accessesDone + this.prng.nextExpGap((w.invlpgPerMillionAccesses * this.costs.sampling) / 1e6);
    }
  }

  private handle(b: Float64Array, o: number): void {
    const t = b[o + F_TIME];
    const s = this.s;
    switch (b[o + F_TYPE]) {
      case Msg.Request:
        return this.serviceRequest(t, b[o + REQ.requests], b[o + REQ.arg], b[o + REQ.ackId]);
      case Msg.RootGrant:
        return this.modes.rootGranted(t, b[o + GRANT.page], b[o + GRANT.inc], b[o + GRANT.gen], b[o + GRANT.role]);
      case Msg.HvFlushDone:
        return this.flushes.callDone(t);
      case Msg.InvalDone: {
        const seq = b[o + INVAL_DONE.seq];
        if (b[o + INVAL_DONE.vm] === this.vm && seq > s.flushedSeq) s.flushedSeq = seq;
        return;
      }
      case Msg.Remap:
        return; // applied to the shard's VM view at window start
      default:
        fail(`vcpu ${this.id}: unexpected message type ${b[o + F_TYPE]}`);
    }
  }

  /** `vcpu_enter_guest()` request servicing, in the kernel's order. */
  private serviceRequest(t: number, bits: number, arg: number, ackId: number): void {
    const s = this.s;
    if (bits & REQ_FREE_OBSOLETE_ROOTS) {
      if (arg > s.zapGen) s.zapGen = arg;
      this.modes.freeObsoleteRoots(t);
    }
    if (bits & REQ_TLB_FLUSH) this.flushes.flushAll(t);
    else if (bits & REQ_TLB_FLUSH_CURRENT && s.rootPage >= 0) this.flushes.flushCurrent(t);
    if (ackId > 0) this.send(t + this.ctx.cfg.latency.ipiNs, this.kvm, Msg.RequestAck, 0, 0, 0, 0, 0, 0, ackId);
    this.modes.reload(t);
  }

  /**
   * Before the vCPU starts waiting for something more: the time up to `t`
   * goes to what it waited for so far, or (not stalled) to idle time.
   */
  beginStall(t: number): void {
    this.markStall(t);
  }

  /** Charges the stall so far (up to `t`) to what the vCPU is waiting for; call before a wait ends. */
  markStall(t: number): void {
    if (!this.stalled) {
      this.advanceTo(t, C.timeDescheduledPs);
      return;
    }
    const before = this.s.nextAccessNs;
    const slot = this.stallSlot();
    this.advanceTo(t, slot);
    if (slot !== C.timeExitPs && !this.s.finished)
      this.ctx.counters[C.stallNs] += Math.round(this.s.nextAccessNs - before);
  }

  /** After a wait ended: the vCPU runs again from `t` (its clock is there already). */
  endStall(t: number): void {
    if (!this.stalled) this.advanceTo(t, C.timeDescheduledPs);
  }

  override save(): Record<string, unknown> {
    const state = copyVcpuState(this.s);
    state.seq = this.seq;
    state.prng = this.prng.state;
    state.reported = this.reported.keys();
    return { state };
  }

  /** Restores {@link save}, or a migrated state (`{ migrated: numbers }`, see vcpu-migration.ts). */
  override load(snap: Record<string, unknown>): void {
    this.s = snap.migrated ? decodeVcpuState(snap.migrated as number[]) : copyVcpuState(snap.state as VcpuState);
    this.seq = this.s.seq;
    this.prng.state = this.s.prng;
    this.reported.clear();
    for (const k of this.s.reported) this.reported.addKey(k);
  }

  /**
   * The state to send when migrating, as numbers. Its message sequence
   * already counts the chunks that carry it, so the rebuilt actor never
   * reuses a message id.
   */
  migrationState(): number[] {
    const st = copyVcpuState(this.s);
    st.prng = this.prng.state;
    st.seq = this.seq;
    const chunks = Math.ceil(encodeVcpuState(st).length / MIGRATE_CHUNK);
    st.seq = this.seq + chunks;
    return encodeVcpuState(st);
  }
}
