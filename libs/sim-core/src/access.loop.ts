/**
 * The hot path: a vCPU's guest accesses, as module-level functions over the
 * TLB's typed arrays, and the way hints they keep. A vCPU actor calls
 * {@link accessBatch} for each run of accesses between two events
 * (vcpu.actor.ts). Per access: draw a page, look it up in the combined
 * entries (first the way it hit last time, then its whole set); on a hit
 * decide in O(1) whether it is stale ({@link staleCauses}); on a miss a
 * guest walk and a nested lookup under the current root (the partition's
 * shared translations or this TLB), on a nested miss a walk of the VM's
 * page tables, then a fill.
 *
 * Why functions and not a class: the loop's state lives in locals V8 keeps
 * in registers. Why {@link accessBatch} is one long function: TurboFan
 * inlines at most about 920 bytes of bytecode into a function, and the loop
 * needs that budget for what it calls per access (PartitionCache.peek,
 * Tlb.fillSlot, Tlb.tick, WayHints.evict, setOf, the PRNG); the set scan,
 * the miss path and the page draw as calls of their own measured 4 to 5%
 * slower, so they are written out, each under a comment, and what runs
 * once a batch is plain locals (no allocation: batches are short). The stale-hit decision
 * is {@link staleCauses}, called only when an entry's incarnation or
 * mapping differs (rare). `node --trace-turbo-inlining` shows what is
 * inlined; BENCHMARKS.md says how the speed was measured.
 */
import { assert, kernelChecks } from './assert';
import { C, ps } from './counters';
import { gpaShiftOf, regionPageOf } from './guest-memory';
import { K_HPA, K_INC, KEY_STRIDE } from './partition-cache';
import { nextState, output } from './prng';
import { staleCauses } from './stale-hit.checker';
import {
  combinedTag,
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
} from './tlb';
import { SET_TAG0_MUL, setOf } from './tlb-set.hash';
import type { VcpuActor } from './vcpu.actor';
import { HINT_CLEAN, HINT_KNOWN, HINT_WAY, checkCertified } from './way-hints';

/**
 * `n` guest accesses from `t0`, stopping at `limitNs`. Every hit is checked
 * against the hidden provenance; every change to the TLB goes through the
 * way hints' {@link WayHints.evict}, so the certificates stay true. A batch
 * is short (often ten-odd accesses, up to the next message or timed event),
 * so its setup allocates nothing: loop invariants are untagged locals (a
 * field is re-read on every iteration), what depends only on the workload
 * is the vCPU's {@link PageDraw}.
 */
export function accessBatch(v: VcpuActor, n: number, t0: number, limitNs: number): void {
  const st = v.s;
  assert(st.rootPage >= 0 && st.waitingRole < 0, 'a vCPU runs guest accesses only with a loaded root');
  const tlb = v.tlb;
  const ctag = combinedTag(st.inL3 ? v.asid02 : v.asid, st.pcid) | 0;
  v.hints.recertify(ctag, st, tlb, v.view);
  const root = st.rootPage | 0;
  const inc = st.rootInc | 0;
  const gvaBase = (st.process << 20) | 0;
  const certify = v.hints.certifiable;
  const hint = v.hints.hint;
  const hintMask = (hint.length - 1) | 0;
  const part = v.part;
  const maskUntil = part ? v.flushes.maskedUntil(root) : 0;
  const wsp = v.c.cfg.workload.workingSetPages | 0;
  const gpaShift = gpaShiftOf(st.process, wsp) | 0;
  const ctagMul = Math.imul(ctag, SET_TAG0_MUL);
  const { hotCut, byShift, shiftCold, shiftHotLess, scaleCold, scaleHot } = v.draw;
  const map = v.view.map;
  const seqs = v.view.seq;
  const flushedSeq = st.flushedSeq;
  const sl = tlb.slots;
  const stamps = tlb.stamps;
  const mru = tlb.mru;
  const ways = tlb.ways | 0;
  const setsScale = tlb.setsScale;
  const setShift = tlb.setShift | 0;
  const eptp = v.c.flags.intel ? root : -1;
  const base = v.regionBase | 0;
  const hitNs = v.costs.hitNs;
  const missNs = hitNs + v.costs.guestWalkNs;
  // A nested miss: the hardware walk, and L0's refill of its shadow entry when the partition holds them.
  const walkNs = missNs + v.costs.nestedWalkNs + v.costs.l0NestedFaultNs;
  const checks = kernelChecks.enabled;
  const count = n | 0;
  const endNs = limitNs + 0;
  let s = v.prng.state | 0; // the PRNG state as an int32
  let hits = 0,
    nHits = 0,
    walks = 0,
    staleKnown = 0;
  let tNs = t0;
  let k = 0;
  // Each access advances the clock by what it costs: a hit, a guest walk, a nested walk.
  for (; k < count && tNs < endNs; k++) {
    s = nextState(s);
    const r1 = output(s);
    s = nextState(s);
    const r2 = output(s);
    // The working-set page: r1 picks hot or cold, r2 the page, without a branch on the hot bit (it would
    // mispredict 1 time in 5): a shift when both counts are powers of two (exactly the multiply's result),
    // picked by arithmetic on the hot bit, else a scale (PageDraw). Written out: see the module comment.
    const hot = +(r1 < hotCut);
    const x = byShift ? r2 >>> (shiftCold + hot * shiftHotLess) : (r2 * (hot === 1 ? scaleHot : scaleCold)) | 0;
    const gva = gvaBase + x;
    const set = setOf(ctagMul, gva, setShift, setsScale);
    const setBase = set * ways;
    const hb = hint[x & hintMask];
    let i = setBase + (hb & HINT_WAY);
    if (hb > HINT_WAY) {
      // A certified hint: a hit, known clean (or known stale), without reading the slot.
      if (checks) checkCertified(v, i, gva, regionPageOf(x, gpaShift, wsp) + base, hb);
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
    // The hinted way holds the page, else the whole set: the hit's slot, or on a miss the fill's
    // victim as -2 - slot (the set's first empty way, else its least recently used one). Written
    // out, not a call: TurboFan would not inline it within the loop's budget.
    let o = i * SLOT_STRIDE;
    if (sl[o + S_TAG1] !== gva || sl[o + S_TAG0] !== ctag || (eptp >= 0 && (sl[o + S_ROOT] & ROOT_MASK) !== eptp)) {
      let victim = -1;
      let oldest = 0x7fffffff;
      i = -1;
      for (let q = setBase, e = setBase + ways; q < e; q++) {
        o = q * SLOT_STRIDE;
        const t0 = sl[o + S_TAG0];
        if (sl[o + S_TAG1] === gva && t0 === ctag && (eptp < 0 || (sl[o + S_ROOT] & ROOT_MASK) === eptp)) {
          i = q;
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
      if (i < 0) i = -2 - victim;
    }
    const gpa = regionPageOf(x, gpaShift, wsp) + base;
    if (i >= 0) {
      stamps[i] = tlb.tick(); // Tlb.touch, inlined
      mru[set] = i - setBase;
      hits++;
      let cert = HINT_CLEAN;
      // Same incarnation and mapping: clean without a call (the common case); else staleCauses decides.
      if (sl[o + S_INC] !== inc || map[gpa] !== sl[o + S_HPA]) {
        const bits = staleCauses(sl[o + S_INC], sl[o + S_HPA], inc, map, seqs, gpa, flushedSeq);
        if (bits !== 0) cert = staleHitCert(v, i, bits, tNs, gva, gpa);
      }
      // Until the next change of what the decision read, it stands (see WayHints).
      hint[x & hintMask] = (i - setBase) | (certify ? cert : 0);
      tNs += hitNs;
      continue;
    }
    const fillUs = Math.floor(tNs / 1000);
    if (!part) {
      if (ownNestedFill(v, ctag, x & hintMask, gva, gpa, fillUs, tNs, setBase)) {
        nHits++;
        tNs += missNs;
      } else {
        walks++;
        tNs += walkNs;
      }
      continue;
    }
    // The partition's shared translations, in the loop (no call per miss; BENCHMARKS.md): most misses of a Hyper-V fleet.
    const victim = -2 - i;
    const j = tNs >= maskUntil ? part.peek(root, gpa) : -1;
    let hpa = map[gpa];
    let entryInc = inc;
    let clean = true;
    if (j >= 0) {
      // The entry's words, from the line the lookup read (PartitionCache.keys).
      hpa = part.keys[j * KEY_STRIDE + K_HPA];
      entryInc = part.keys[j * KEY_STRIDE + K_INC];
      nHits++;
      // Only a stale hit goes to the checker (an owed flush still in flight makes a legal one).
      clean =
        (entryInc === inc && map[gpa] === hpa) || staleCauses(entryInc, hpa, inc, map, seqs, gpa, flushedSeq) === 0;
      if (!clean) v.suspiciousShared(j, tNs);
      tNs += missNs;
    } else {
      walks++;
      v.flushes.shareFill(tNs, root, gpa, hpa, inc, fillUs);
      tNs += walkNs;
    }
    // Nothing changed this TLB since the lookup: the victim it found stands.
    if (checks) assert(victim === tlb.victim(ctag, gva), 'the lookup found the fill victim');
    v.hints.evict(tlb, victim, gvaBase);
    tlb.fillSlot(victim, ctag, gva, hpa, root, entryInc, fillUs);
    // The next hit on the new entry decides as this lookup did (a walk's is clean): certified now.
    hint[x & hintMask] = (victim - setBase) | (certify && clean ? HINT_CLEAN : 0);
  }
  v.prng.state = s;
  v.c.counters[C.staleHits] += staleKnown;
  // Every change this batch made to the TLB went through evict().
  v.hints.settle(tlb);
  countBatch(v, k, hits, nHits, walks, tNs);
}

/** Adds a batch's `n` accesses to the shard's counters and moves the vCPU's clock to the batch's end. */
function countBatch(v: VcpuActor, n: number, hits: number, nestedHits: number, walks: number, endNs: number): void {
  const c = v.c.counters;
  const k = v.costs;
  c[C.accesses] += n;
  c[C.guestAccesses] += n * k.sampling;
  c[C.tlbHits] += hits;
  c[C.tlbMisses] += n - hits;
  c[C.nestedHits] += nestedHits;
  c[C.nestedWalks] += walks;
  c[C.timeAccessPs] += ps(n * k.hitNs);
  c[C.timeWalkPs] += ps((n - hits) * k.guestWalkNs + walks * (k.nestedWalkNs + k.l0NestedFaultNs));
  v.s.accessesDone += n;
  v.s.nextAccessNs = endNs;
}

/**
 * A stale hit on slot `i` (`bits`: its {@link staleCauses}): known when every
 * cause was reported already (counted as a stale hit, certified known),
 * else the checker looks at it, and once reported the next hit is a known
 * one. Returns the hint's certificate.
 */
function staleHitCert(v: VcpuActor, i: number, bits: number, tNs: number, gva: number, gpa: number): number {
  const root = v.tlb.slots[i * SLOT_STRIDE + S_ROOT];
  if (((root >>> META_SHIFT) & bits) === bits) {
    v.c.counters[C.staleHits]++;
    return HINT_KNOWN;
  }
  v.suspicious(i, tNs, gva, gpa);
  return ((v.tlb.slots[i * SLOT_STRIDE + S_ROOT] >>> META_SHIFT) & bits) === bits ? HINT_KNOWN : 0;
}

/**
 * A combined miss (way hint `slot`) when nested entries live in this TLB (no
 * partition cache): the nested lookup under the batch's root, a walk on a
 * nested miss, then the fills. Returns true on a nested hit.
 */
function ownNestedFill(
  v: VcpuActor,
  ctag: number,
  slot: number,
  gva: number,
  gpa: number,
  fillUs: number,
  tNs: number,
  setBase: number,
): boolean {
  const root = v.s.rootPage;
  const inc = v.s.rootInc;
  const tlb = v.tlb;
  const sl = tlb.slots;
  const j = tlb.lookupNested(root, gpa);
  if (j >= 0) {
    const no = j * SLOT_STRIDE;
    if (staleCauses(sl[no + S_INC], sl[no + S_HPA], inc, v.view.map, v.view.seq, gpa, v.s.flushedSeq) !== 0)
      v.suspicious(j, tNs, -1, gpa);
    v.hints.hint[slot] = v.fillEvicting(ctag, gva, sl[no + S_HPA], root, sl[no + S_INC], fillUs) - setBase;
    return true;
  }
  const hpa = v.view.map[gpa];
  v.fillEvicting(root, gpa, hpa, root, inc, fillUs);
  v.hints.hint[slot] = v.fillEvicting(ctag, gva, hpa, root, inc, fillUs) - setBase;
  return false;
}

/** How a vCPU draws pages: [cold, hot] range reduction of 32-bit draws (see {@link accessBatch}). */
export interface PageDraw {
  /** Draws below it pick a hot page. */
  hotCut: number;
  byShift: boolean;
  shiftCold: number;
  shiftHotLess: number;
  scaleCold: number;
  scaleHot: number;
}

/** The {@link PageDraw} of a workload (computed once per vCPU): `hotPercent` of the draws from the first `hotPages` pages. */
export function pageDrawOf(w: { workingSetPages: number; hotPages: number; hotPercent: number }): PageDraw {
  const { workingSetPages, hotPages, hotPercent } = w;
  const shiftCold = setShiftOf(workingSetPages) | 0;
  const shiftHotLess = (setShiftOf(hotPages) - shiftCold) | 0;
  return {
    hotCut: Math.floor((hotPercent / 100) * 0x100000000),
    byShift: shiftCold >= 0 && shiftCold + shiftHotLess >= 0,
    shiftCold,
    shiftHotLess,
    scaleCold: workingSetPages / 0x100000000,
    scaleHot: hotPages / 0x100000000,
  };
}
