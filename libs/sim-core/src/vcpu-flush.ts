import { assert } from './assert';
import { C } from './counters';
import {
  FK_ASID_ENL,
  FK_ASID_FULL,
  FK_ASID_VMCB02,
  FK_FULL,
  FK_HV_ASID,
  FK_INVEPT,
  FK_INVEPT_GLOBAL,
} from './flush-kind';
import { HV_FLUSH_SPACE, Msg, partitionDst } from './message';
import type { VcpuActor } from './vcpu.actor';

/**
 * The flushes a vCPU performs, with the exact scope the kernel gives them
 * per vendor, platform, policy and VMCB (docs/flush-semantics.md):
 * `flush_tlb_current`, `flush_tlb_guest`, `flush_tlb_all`, the GPA flush
 * hypercalls it issues and the ones L0 applies on its virtual processor.
 */
export class VcpuFlushes {
  constructor(private readonly v: VcpuActor) {}

  /**
   * `flush_tlb_current` in the current context. AMD vmcb01 with the
   * enlightened TLB: an ASID flush that keeps nested translations, preceded
   * by `hyperv_flush_guest_mapping(root)` with e5c972c1fada. AMD vmcb02 (the
   * enlightenment is set on vmcb01 only) or without it: a full flush of the
   * ASID, which under Hyper-V makes L0 drop the address space's nested
   * translations too. Intel: INVEPT single-context of the EPTP.
   */
  flushCurrent(t: number): void {
    const v = this.v;
    const { flags: f, counters: c } = v.c;
    const s = v.s;
    if (f.intel) {
      v.tlb.inveptSingle(s.rootPage);
      this.dropShared(t, s.rootPage);
      c[C.inveptSingle]++;
      v.charge(C.timeExitPs, v.costs.inveptNs);
      s.lastFlushKind = FK_INVEPT;
    } else if (f.enlightened && !s.inL3) {
      if (f.hvFlushCurrent && s.rootPage >= 0) {
        this.hypercall(t, HV_FLUSH_SPACE, s.rootPage);
        s.lastFlushKind = FK_HV_ASID;
      } else {
        s.lastFlushKind = FK_ASID_ENL;
      }
      v.tlb.flushAsid(v.asid, true);
      c[C.flushAsidEnlightened]++;
      v.charge(C.timeExitPs, v.costs.asidFlushNs);
    } else {
      v.tlb.flushAsid(s.inL3 ? v.asid02 : v.asid, false);
      this.dropShared(t, s.rootPage);
      c[C.flushAsid]++;
      // Under Hyper-V, L0 drops the address space's shadow translations at the VMRUN that carries the flush.
      v.charge(C.timeExitPs, v.costs.asidFlushNs + v.costs.l0AsidFlushNs);
      s.lastFlushKind = s.inL3 ? FK_ASID_VMCB02 : FK_ASID_FULL;
    }
  }

  /** `flush_tlb_guest`: ASID flush on AMD (first level only under the enlightenment), INVVPID single-context on Intel. */
  flushGuest(): void {
    const v = this.v;
    const asid = v.s.inL3 ? v.asid02 : v.asid;
    if (v.c.flags.intel) v.tlb.invvpidSingle(asid);
    else v.tlb.flushAsid(asid, v.c.flags.enlightened && !v.s.inL3);
    v.c.counters[C.flushGuest]++;
  }

  /**
   * `KVM_REQ_TLB_FLUSH` (`kvm_vcpu_flush_tlb_all`). Bare metal: everything
   * the processor caches. Intel under Hyper-V: INVEPT all-context. AMD under
   * Hyper-V: before e5c972c1fada `.flush_tlb_all` was
   * `svm_flush_tlb_current`; after it, `svm_flush_tlb_all` does
   * `hv_remote_flush_tlb()` then the ASID flush, which the model issues for
   * the vCPU's own root (see docs/model.md).
   */
  flushAll(t: number): void {
    const v = this.v;
    const { flags: f, counters: c } = v.c;
    c[C.flushFull]++;
    if (!f.hyperv) {
      v.tlb.flushAll();
      v.s.lastFlushKind = FK_FULL;
    } else if (f.intel) {
      v.tlb.inveptGlobal();
      this.dropShared(t, 'all');
      c[C.inveptGlobal]++;
      v.charge(C.timeExitPs, v.costs.inveptNs);
      v.s.lastFlushKind = FK_INVEPT_GLOBAL;
    } else if (v.s.rootPage >= 0) {
      this.flushCurrent(t);
    }
  }

  /** A synchronous GPA flush hypercall for `ncr3`: the vCPU stalls until L0 completes it everywhere. */
  private hypercall(t: number, kind: number, ncr3: number): void {
    const v = this.v;
    const s = v.s;
    v.emit(t + v.c.cfg.latency.hypercallNs, v.l0, Msg.HvFlush, kind, ncr3, 0, 0, 0, v.vm, ++s.nextCallId);
    v.beginStall(t);
    s.waitingCalls++;
  }

  /** L0 completed one of this vCPU's hypercalls. */
  callDone(t: number): void {
    const s = this.v.s;
    assert(s.waitingCalls > 0, 'a hypercall completion has a call in flight (waitingCalls never negative)');
    this.v.markStall(t);
    s.waitingCalls--;
    this.v.endStall(t);
  }

  /**
   * TLB_CONTROL_FLUSH_ALL_ASID after the VP's ASIDs ran out: under the
   * enlightenment only first-level (combined) entries go; without it L0
   * drops every translation of the VP, the shared nested ones included.
   */
  flushAllAsids(t: number): void {
    const v = this.v;
    if (v.c.flags.enlightened) v.tlb.invvpidAll();
    else {
      v.tlb.flushAll();
      this.dropShared(t, 'all');
    }
    v.c.counters[C.flushFull]++;
  }

  /**
   * A flush this vCPU performs that makes L0 drop an address space's shared
   * nested translations (`ncr3` -1: all). The drop reaches every replica at
   * the start of the window of `t + windowNs`; until then this vCPU masks
   * the address space locally, since its own flush is synchronous for it.
   */
  private dropShared(t: number, ncr3: number | 'all'): void {
    const v = this.v;
    if (!v.part || (ncr3 !== 'all' && ncr3 < 0)) return;
    const space = ncr3 === 'all' ? -1 : ncr3;
    const w = v.c.windowNs;
    v.emit(t + w, partitionDst(v.host), Msg.NestedFlush, HV_FLUSH_SPACE, space, 0, 0);
    const until = Math.floor((t + w) / w) * w;
    const m = v.s.masks;
    for (let i = m.length - 2; i >= 0; i -= 2) if (m[i + 1] <= t) m.splice(i, 2);
    m.push(space, until);
  }

  /**
   * A new ASID in a context whose ASID flushes cover nested translations
   * (bare metal, no enlightenment, vmcb02): the VP's nested entries and the
   * partition's for the current root become unreachable.
   */
  dropNestedForNewAsid(t: number): void {
    const v = this.v;
    v.tlb.flushNestedAll();
    if (v.s.rootPage >= 0) this.dropShared(t, v.s.rootPage);
  }

  /** Until when shared entries of `root` are masked for this vCPU (0: not masked). */
  maskedUntil(root: number): number {
    const m = this.v.s.masks;
    let until = 0;
    for (let i = 0; i < m.length; i += 2) if ((m[i] === root || m[i] === -1) && m[i + 1] > until) until = m[i + 1];
    return until;
  }

  /** L0 filled a shared nested translation after this vCPU's walk: every replica gets it one window later. */
  shareFill(tNs: number, ncr3: number, gpa: number, hpa: number, inc: number, fillUs: number): void {
    const v = this.v;
    v.emit(tNs + v.c.windowNs, partitionDst(v.host), Msg.NestedFill, ncr3, gpa, hpa, inc, fillUs);
    v.c.counters[C.nestedCacheFills]++;
  }
}
