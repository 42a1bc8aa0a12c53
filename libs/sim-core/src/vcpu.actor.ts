import { C, ps } from './counters';
import type { TimeCosts } from './costs';
import {
  F_TIME,
  F_TYPE,
  MIGRATE_CHUNK,
  Msg,
  REQ_FREE_OBSOLETE_ROOTS,
  REQ_TLB_FLUSH,
  REQ_TLB_FLUSH_CURRENT,
  ROLE_NORMAL,
} from './message';
import { Prng, streamSeed } from './prng';
import { Actor, ShardContext } from './shard-context';
import { checkSharedHit, checkStaleHit, StaleHitReport } from './stale-hit.checker';
import { Tlb } from './tlb';
import type { VmView } from './vm-view';
import { PartitionCache } from './partition-cache';
import { ReportedKeys } from './reported-keys';
import { copyVcpuState, decodeVcpuState, encodeVcpuState, initialVcpuState, VcpuState } from './vcpu.state';
import type { Vp } from './vp';
import { VcpuFlushes } from './vcpu-flush';
import { VcpuModes } from './vcpu-modes';
import { VcpuSmm } from './vcpu-smm';
import { MF } from './message.schema';
import { assert, fail } from './assert';
import { COVERAGE_ACCESSES_PER_VCPU_MIN } from './coverage';
import { accessBatch, PageDraw, pageDrawOf } from './access.loop';
import { arriveOnVp, assignAsids, guestEvents, scheduleGuestEvents } from './vcpu-guest';
import { WayHints } from './way-hints';

const REQ = MF[Msg.Request];
const GRANT = MF[Msg.RootGrant];
const INVAL_DONE = MF[Msg.InvalDone];

/**
 * A guest vCPU: its TLB (the virtual processor it runs on), its roots and
 * its workload. It services KVM requests in `vcpu_enter_guest()` order and
 * performs `kvm_mmu_load()` (acquire a root from kvm, then
 * `flush_tlb_current`). It runs the L2 on vmcb01 and, for
 * `workload.l3TimePercent` of its time, an L3 on vmcb02 with a guest-mode
 * root; SMIs switch it to an SMM-role root and back. While it waits for a
 * root, a synchronous hypercall or a vmcb switch it runs no guest accesses.
 *
 * Read {@link run} first: one window of the vCPU, its messages, vmcb
 * switches, timed events and batches of accesses in time order. Then KVM's
 * requests ({@link serviceRequest}), the clock (time is cost: `charge`,
 * `advanceTo`, the stalls) and the checker's hooks. One concern a file
 * elsewhere: the accesses (access.loop.ts, its way hints in way-hints.ts,
 * the stale-hit decision in stale-hit.checker.ts), root loads and mode
 * switches (vcpu-modes.ts), flushes (vcpu-flush.ts), the SMI handler
 * (vcpu-smm.ts), ASIDs and the guest's own events (vcpu-guest.ts), the
 * state (vcpu.state.ts).
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
  /** The access loop's way hints (access.loop.ts, way-hints.ts). */
  readonly hints: WayHints;
  /** How the access loop draws this vCPU's pages (its workload's hot and cold sets). */
  readonly draw: PageDraw;

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
    this.hints = new WayHints(ctx.cfg.workload.workingSetPages);
    this.draw = pageDrawOf(ctx.cfg.workload);
    this.s = initialVcpuState(this.prng.state);
    this.flushes = new VcpuFlushes(this);
    this.modes = new VcpuModes(this);
    this.smm = new VcpuSmm(this);
    scheduleGuestEvents(this);
    assignAsids(this, false);
  }

  /** vmcb01's ASID (Intel: VPID). */
  get asid(): number {
    return this.s.asid01;
  }

  /** vmcb02's ASID (Intel: vpid02). */
  get asid02(): number {
    return this.s.asid02;
  }

  /** A vCPU that arrived on this VP (a migration): see {@link arriveOnVp}. */
  arrive(): void {
    arriveOnVp(this);
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
      if (!this.ctx.flags.intel && s.asidGen !== this.vp.asidGen) assignAsids(this, true);
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
      if (n > 0) accessBatch(this, n, t, limit);
      guestEvents(this);
      this.checkFinished();
    }
    this.checkFinished();
  }

  /** The root the next accesses use may now tag entries: its put tells kvm (the checker's exposures). */
  private markRootUsed(): void {
    if (this.s.inL3) this.s.r02Used = true;
    else this.s.r01Used = true;
  }

  /** {@link Tlb.fill}, dropping the victim's certified hint first; returns the slot. */
  fillEvicting(t0: number, t1: number, hpa: number, root: number, inc: number, fillUs: number): number {
    const victim = this.tlb.victim(t0, t1);
    this.hints.evict(this.tlb, victim, this.s.process << 20);
    this.tlb.fillSlot(victim, t0, t1, hpa, root, inc, fillUs);
    return victim;
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
