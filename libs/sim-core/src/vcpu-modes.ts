import { C } from './counters';
import { eventRatePerNs } from './costs';
import { LOCAL_NESTED_PAIR, LOCAL_RSM, LOCAL_SMI } from './local-events';
import { Msg, ROLE_GUEST, ROLE_NORMAL, ROLE_SMM } from './message';
import type { VcpuActor } from './vcpu.actor';

/**
 * A vCPU's roots and contexts: `kvm_mmu_load()` (acquire, then
 * `flush_tlb_current`), `kvm_mmu_free_obsolete_roots()`, `kvm_mmu_reload()`,
 * nested VMRUN/#VMEXIT between vmcb01 (the L2, its own root) and vmcb02 (an
 * L3, a guest-mode root), SMI/RSM through an SMM-role root, and the timed
 * events (nested transitions, CR4 writes, SMIs).
 */
export class VcpuModes {
  constructor(private readonly v: VcpuActor) {}

  /** `kvm_mmu_load()`, first half: ask kvm for a root of `role`; the vCPU stalls until it is granted. */
  acquire(t: number, role: number): void {
    const v = this.v;
    v.emit(t + v.c.cfg.latency.kvmRequestNs, v.kvm, Msg.RootAcquire, role);
    v.beginStall(t);
    v.s.waitingRole = role;
  }

  /** `kvm_tdp_mmu_put_root`; `used`: guest accesses ran under the root (the checker's exposures, see RootRecord.used). */
  private put(t: number, inc: number, used: boolean): void {
    this.v.emit(t + this.v.c.cfg.latency.kvmRequestNs, this.v.kvm, Msg.RootPut, inc, used ? 1 : 0);
  }

  /** Makes the current context's root the one accesses use. */
  private activate(t: number): void {
    const s = this.v.s;
    if (s.inL3) {
      s.rootPage = s.r02Page;
      s.rootInc = s.r02Inc;
      s.rootGen = s.r02Gen;
    } else {
      s.rootPage = s.r01Page;
      s.rootInc = s.r01Inc;
      s.rootGen = s.r01Gen;
    }
    s.rootLoadNs = t;
  }

  /** `kvm_mmu_load()` continued: load the pgd, then `flush_tlb_current` unconditionally ("the provenance of the root is unknown"). */
  rootGranted(t: number, page: number, inc: number, gen: number, role: number): void {
    const v = this.v;
    const s = v.s;
    if (gen < s.zapGen) {
      // Invalidated while the grant was in flight: drop it and ask again
      // (still stalled, so the stall keeps its start time).
      this.put(t, inc, false);
      v.emit(t + v.c.cfg.latency.kvmRequestNs, v.kvm, Msg.RootAcquire, role);
      return;
    }
    v.markStall(t);
    v.c.counters[C.rootLoads]++;
    s.waitingRole = -1;
    if (role === ROLE_GUEST) {
      s.r02Page = page;
      s.r02Inc = inc;
      s.r02Gen = gen;
      s.r02Used = false;
    } else {
      s.r01Page = page;
      s.r01Inc = inc;
      s.r01Gen = gen;
      s.r01Used = false;
    }
    this.activate(t);
    v.flushes.flushCurrent(t);
    if (role === ROLE_GUEST && v.c.flags.intel && !s.vpid12Seen) {
      s.vpid12Seen = true;
      v.flushes.flushGuest();
    }
    if (role === ROLE_SMM) {
      // The SMI handler runs for events.smmDurationUs (SMRAM accesses, vcpu-smm.ts), then RSM.
      const durationNs = v.c.cfg.events.smmDurationUs * 1000;
      if (durationNs > 0) {
        if (s.rsmAtNs === Infinity) s.rsmAtNs = t + durationNs;
        v.endStall(t);
        return;
      }
      this.rsm(t);
      return;
    }
    s.smmPhase = 0;
    v.endStall(t);
  }

  /**
   * RSM: `emulator_leave_smm()` -> `kvm_mmu_reset_context()` unloads the SMM
   * root and the next entry loads a normal-role one.
   */
  private rsm(t: number): void {
    const s = this.v.s;
    this.v.c.localEvents?.push(LOCAL_RSM, t, this.v.id);
    this.put(t, s.r01Inc, s.r01Used);
    s.r01Page = -1;
    s.rootPage = -1;
    s.smmPhase = 2;
    s.rsmAtNs = Infinity;
    this.acquire(t, ROLE_NORMAL);
  }

  /** `kvm_mmu_free_obsolete_roots()`: drop the references on roots older than `mmu_valid_gen`. */
  freeObsoleteRoots(t: number): void {
    const s = this.v.s;
    if (s.r01Page >= 0 && s.r01Gen < s.zapGen) {
      this.put(t, s.r01Inc, s.r01Used);
      s.r01Page = -1;
    }
    if (s.r02Page >= 0 && s.r02Gen < s.zapGen) {
      this.put(t, s.r02Inc, s.r02Used);
      s.r02Page = -1;
    }
    if ((s.inL3 ? s.r02Page : s.r01Page) < 0) s.rootPage = -1;
  }

  /** `kvm_mmu_reload()`: load a root for the current context if it has none (unless a load or switch is under way). */
  reload(t: number): void {
    const s = this.v.s;
    if (s.waitingRole >= 0 || s.switchAtNs !== Infinity || !s.started) return;
    // In SMM (the handler still running) the root to reload is the SMM one.
    const role = s.smmPhase === 1 ? ROLE_SMM : s.inL3 ? ROLE_GUEST : ROLE_NORMAL;
    if ((s.inL3 ? s.r02Page : s.r01Page) < 0) this.acquire(t, role);
  }

  /** RSM in SMM; else a nested transition, SMI, CR0.WP toggle or CR4 write fell due at `t` (earliest first; ties in that order). */
  timeEvent(t: number): void {
    const s = this.v.s;
    if (s.smmPhase === 1) this.rsm(t);
    else if (s.nextNestedNs <= t) this.nestedTransition(t);
    else if (s.nextSmiNs <= t) this.smi(t);
    else if (s.nextCr0Ns <= t) this.cr0WpToggle(t);
    else this.cr4Write(t);
  }

  /** Per-vCPU rate of nested VMRUN/#VMEXIT pairs, per ns. */
  private pairRatePerNs(): number {
    const { cfg, topo } = this.v.c;
    return eventRatePerNs(cfg, cfg.events.nestedTransitionsPerSec, topo.vcpusPerHost);
  }

  /**
   * A nested VMRUN (L2 -> L3) or #VMEXIT (L3 -> L2). With no L3 time the
   * pair is back to back: vmcb02's ASID flush (nothing is cached under it)
   * and `flush_tlb_current` on vmcb01 at the #VMEXIT
   * (`nested_svm_transition_tlb_flush`); Intel flushes the guest TLB on the
   * first VM-enter with L3's vpid12 only (`nested_vmx_transition_tlb_flush`).
   */
  private nestedTransition(t: number): void {
    const v = this.v;
    const s = v.s;
    const c = v.c.counters;
    const share = v.c.cfg.workload.l3TimePercent / 100;
    if (share === 0) {
      c[C.nestedTransitions]++;
      v.c.localEvents?.push(LOCAL_NESTED_PAIR, t, v.id);
      v.charge(C.timeExitPs, 2 * v.costs.transitionNs);
      if (v.c.flags.intel) {
        if (!s.vpid12Seen) {
          s.vpid12Seen = true;
          c[C.flushGuest]++;
        }
      } else {
        // vmcb02's ASID flush at the VMRUN (never enlightened): L0's work for it is priced like any full one.
        c[C.flushAsid]++;
        v.charge(C.timeExitPs, v.costs.l0AsidFlushNs);
        v.flushes.flushCurrent(t);
      }
      s.nextNestedNs = t + v.prng.nextExpGap(this.pairRatePerNs());
      return;
    }
    if (!s.inL3) {
      c[C.nestedTransitions]++;
      c[C.l3Entries]++;
    }
    this.announceSwitch(t, !s.inL3);
    s.nextNestedNs = Infinity;
  }

  /**
   * `svm_load_mmu_pgd()` -> `hv_track_root_tdp()` happens with the switch:
   * kvm learns the root the vCPU will use one window ahead and the vCPU
   * spends that window in the transition, so kvm's tracked root is exact at
   * every instant (a remote flush while L3 runs targets the guest-mode root).
   */
  private announceSwitch(t: number, toL3: boolean): void {
    const v = this.v;
    const s = v.s;
    const target = toL3 ? s.r02Page : s.r01Page;
    const at = t + v.c.windowNs;
    if (target >= 0) {
      v.emit(at, v.kvm, Msg.PgdSwitch, target, toL3 ? ROLE_GUEST : ROLE_NORMAL);
      v.c.counters[C.pgdSwitches]++;
    }
    v.beginStall(t);
    s.switchAtNs = at;
    s.switchToL3 = toL3;
  }

  /** The announced vmcb switch takes effect: load the context's root (or acquire one) and flush as the transition does. */
  switchContext(t: number): void {
    const v = this.v;
    const s = v.s;
    v.markStall(t);
    s.switchAtNs = Infinity;
    // The transition costs a nested exit; the window it announced itself in is part of that.
    v.charge(C.timeExitPs, v.costs.transitionNs - v.c.windowNs);
    s.inL3 = s.switchToL3;
    const share = v.c.cfg.workload.l3TimePercent / 100;
    const rate = this.pairRatePerNs();
    s.nextNestedNs = t + v.prng.nextExpGap(s.inL3 ? rate / share : rate / (1 - share));
    if ((s.inL3 ? s.r02Page : s.r01Page) < 0) {
      this.acquire(t, s.inL3 ? ROLE_GUEST : ROLE_NORMAL);
      return;
    }
    this.activate(t);
    if (!v.c.flags.intel) v.flushes.flushCurrent(t);
    else if (s.inL3 && !s.vpid12Seen) {
      s.vpid12Seen = true;
      v.flushes.flushGuest();
    }
    v.endStall(t);
  }

  /** An SMI: `enter_smm()` resets the MMU context, so both MMUs' roots are put and an SMM-role root is loaded. */
  private smi(t: number): void {
    const v = this.v;
    const s = v.s;
    v.c.counters[C.smis]++;
    v.c.localEvents?.push(LOCAL_SMI, t, v.id);
    s.nextSmiNs = t + v.prng.nextExpGap(eventRatePerNs(v.c.cfg, v.c.cfg.events.smiPerSec, v.c.topo.vcpusPerHost));
    this.unload(t);
    s.smmPhase = 1;
    this.acquire(t, ROLE_SMM);
  }

  /** `kvm_mmu_unload()`: the roots of both MMUs (vmcb01's and the guest-mode one) are put. */
  private unload(t: number): void {
    const s = this.v.s;
    if (s.r01Page >= 0) {
      this.put(t, s.r01Inc, s.r01Used);
      s.r01Page = -1;
    }
    if (s.r02Page >= 0) {
      this.put(t, s.r02Inc, s.r02Used);
      s.r02Page = -1;
    }
    s.rootPage = -1;
  }

  /**
   * A guest CR0.WP toggle (it exits: `kvm_set_cr0()` -> `kvm_post_set_cr0()`).
   * WP is a role bit, so before 01b31714bd90 `kvm_mmu_reset_context()`
   * unloads every root and the next entry loads one (a put, perhaps a free,
   * and a load with its flush); with the fix and TDP nothing else happens.
   */
  private cr0WpToggle(t: number): void {
    const v = this.v;
    const s = v.s;
    v.c.counters[C.cr0WpToggles]++;
    v.charge(C.timeExitPs, v.costs.exitNs);
    s.nextCr0Ns =
      t + v.prng.nextExpGap(eventRatePerNs(v.c.cfg, v.c.cfg.events.cr0WpTogglesPerSec, v.c.topo.vcpusPerHost));
    if (v.c.flags.cr0wpKeepRoots) return;
    this.unload(t);
    this.acquire(t, ROLE_NORMAL);
  }

  /** `kvm_post_set_cr4()`: PCIDE/SMEP changes request `FLUSH_CURRENT`. */
  private cr4Write(t: number): void {
    const v = this.v;
    v.c.counters[C.cr4Writes]++;
    v.charge(C.timeExitPs, v.costs.exitNs);
    v.flushes.flushCurrent(t);
    v.s.nextCr4Ns =
      t + v.prng.nextExpGap(eventRatePerNs(v.c.cfg, v.c.cfg.events.cr4WritesPerSec, v.c.topo.vcpusPerHost));
  }
}
