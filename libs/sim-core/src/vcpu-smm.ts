import { assert } from './assert';
import { C, ps } from './counters';
import { regionPageOf, gpaShiftOf } from './guest-memory';
import { K_HPA, K_INC, KEY_STRIDE } from './partition-cache';
import { combinedTag, S_HPA, S_INC, SLOT_STRIDE } from './tlb';
import { staleCauses } from './stale-hit.checker';
import type { VcpuActor } from './vcpu.actor';

/**
 * The SMI handler a vCPU runs between SMI and RSM, under the SMM-role root
 * (`enter_smm()` -> `kvm_mmu_reset_context()` loaded it). For
 * `events.smmDurationUs` per SMI it makes SMRAM accesses back to back: the
 * first `workload.smramPages` pages of its own working-set region, reached
 * as guest "process" `workload.processes` (one past the workload's) with
 * PCID 0, as SMM runs with CR4.PCIDE clear. So L0 holds nested translations
 * tagged with the SMM root's page, and when that page comes back as another
 * root (this VM's or another's) those entries are as stale as any other.
 *
 * A slow path on purpose: the workload's access loop stays as it was; SMM
 * time is short and rare. Each access is priced like the workload's (a hit,
 * a guest walk on a miss, a nested walk on a nested miss), counted in the
 * TLB counters, in `accesses` and in `smmAccesses`, never in the workload's
 * `accessesPerVcpu`.
 */
export class VcpuSmm {
  constructor(private readonly v: VcpuActor) {}

  /** SMRAM accesses from `t0` while the clock is below `limitNs`. */
  accessBatch(t0: number, limitNs: number): void {
    const v = this.v;
    const st = v.s;
    assert(st.rootPage >= 0 && st.smmPhase === 1, 'SMRAM accesses run under the loaded SMM root');
    const cfg = v.c.cfg;
    const wsp = cfg.workload.workingSetPages;
    const smram = Math.min(cfg.workload.smramPages, wsp);
    const process = cfg.workload.processes;
    const shift = gpaShiftOf(process, wsp);
    const ctag = combinedTag(v.asid, 0);
    const root = st.rootPage;
    const inc = st.rootInc;
    const eptp = v.c.flags.intel ? root : -1;
    const hitNs = cfg.workload.accessIntervalNs;
    const missNs = hitNs + v.costs.guestWalkNs;
    const walkNs = missNs + v.costs.nestedWalkNs + v.costs.l0NestedFaultNs;
    const maskUntil = v.part ? v.flushes.maskedUntil(root) : 0;
    let tNs = t0;
    let n = 0;
    let hits = 0;
    let nHits = 0;
    for (; tNs < limitNs && n < SMM_BATCH_MAX; n++) {
      const page = v.prng.nextInt(smram);
      // The GVA whose page-table mapping lands on region page `page` (guest-memory.ts).
      const x = page >= shift ? page - shift : page - shift + wsp;
      const gva = (process << 20) | x;
      const gpa = v.regionBase + regionPageOf(x, shift, wsp);
      const i = v.tlb.lookupCombined(ctag, gva, eptp);
      if (i >= 0) {
        hits++;
        const o = i * SLOT_STRIDE;
        const sl = v.tlb.slots;
        if (staleCauses(sl[o + S_INC], sl[o + S_HPA], inc, v.view.map, v.view.seq, gpa, v.s.flushedSeq) !== 0)
          v.suspicious(i, tNs, gva, gpa);
        tNs += hitNs;
      } else if (this.miss(ctag, gva, gpa, root, inc, Math.floor(tNs / 1000), tNs >= maskUntil, tNs)) {
        nHits++;
        tNs += missNs;
      } else tNs += walkNs;
    }
    const c = v.c.counters;
    const misses = n - hits;
    const walks = misses - nHits;
    c[C.accesses] += n;
    c[C.smmAccesses] += n;
    c[C.guestAccesses] += n;
    c[C.tlbHits] += hits;
    c[C.tlbMisses] += misses;
    c[C.nestedHits] += nHits;
    c[C.nestedWalks] += walks;
    c[C.timeAccessPs] += ps(n * hitNs);
    c[C.timeWalkPs] += ps(misses * v.costs.guestWalkNs + walks * (v.costs.nestedWalkNs + v.costs.l0NestedFaultNs));
    st.nextAccessNs = tNs;
  }

  /**
   * A combined miss: the nested lookup under the SMM root (the partition's
   * shared translations or the VP's TLB), a walk on a nested miss, then the
   * combined fill. Returns true on a nested hit.
   */
  private miss(
    ctag: number,
    gva: number,
    gpa: number,
    root: number,
    inc: number,
    fillUs: number,
    unmasked: boolean,
    tNs: number,
  ): boolean {
    const v = this.v;
    const tlb = v.tlb;
    if (v.part) {
      const j = unmasked ? v.part.peek(root, gpa) : -1;
      if (j >= 0) {
        const pk = v.part.keys;
        const pHpa = pk[j * KEY_STRIDE + K_HPA];
        const pInc = pk[j * KEY_STRIDE + K_INC];
        if (staleCauses(pInc, pHpa, inc, v.view.map, v.view.seq, gpa, v.s.flushedSeq) !== 0) v.suspiciousShared(j, tNs);
        v.fillEvicting(ctag, gva, pHpa, root, pInc, fillUs);
        return true;
      }
      const hpa = v.view.map[gpa];
      v.flushes.shareFill(tNs, root, gpa, hpa, inc, fillUs);
      v.fillEvicting(ctag, gva, hpa, root, inc, fillUs);
      return false;
    }
    const j = tlb.lookupNested(root, gpa);
    if (j >= 0) {
      const no = j * SLOT_STRIDE;
      if (staleCauses(tlb.slots[no + S_INC], tlb.slots[no + S_HPA], inc, v.view.map, v.view.seq, gpa, v.s.flushedSeq))
        v.suspicious(j, tNs, -1, gpa);
      v.fillEvicting(ctag, gva, tlb.slots[no + S_HPA], root, tlb.slots[no + S_INC], fillUs);
      return true;
    }
    const hpa = v.view.map[gpa];
    v.fillEvicting(root, gpa, hpa, root, inc, fillUs);
    v.fillEvicting(ctag, gva, hpa, root, inc, fillUs);
    return false;
  }
}

/** Most SMRAM accesses one batch makes (the run loop calls again for the rest). */
export const SMM_BATCH_MAX = 4096;
