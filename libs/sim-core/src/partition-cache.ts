import { savedArray, SaveOptions } from './save-options';
import { assert, kernelChecks } from './assert';
import { F_SRC, F_TYPE, HV_FLUSH_LIST, Msg } from './message';
import { FLUSH_WORDS, MF } from './message.schema';
import { S_FILL_US, S_HPA, S_INC, S_TAG0, S_TAG1, SLOT_STRIDE, TAG_INVALID, Tlb } from './tlb';
import { SET_TAG0_MUL, setOf } from './tlb-set.hash';

import type { SimConfig } from './config';

const FILL = MF[Msg.NestedFill];

/**
 * Entries of each partition's shared nested translations:
 * `tlb.nestedCacheEntries`, or when 0 twice the host's guest footprint (every
 * GPA of every VM under two roots at once, as during a fast zap), rounded up
 * to whole sets. Shadow page tables cover the guest's memory, not a TLB's reach.
 */
export function partitionCacheEntriesOf(cfg: SimConfig): number {
  if (cfg.tlb.nestedCacheEntries > 0) return cfg.tlb.nestedCacheEntries;
  const f = cfg.fleet;
  const footprint = f.vmsPerHost * f.vcpusPerVm * cfg.workload.workingSetPages;
  return Math.ceil((2 * footprint) / PARTITION_CACHE_WAYS) * PARTITION_CACHE_WAYS;
}

/** Words per slot of {@link PartitionCache.keys}: tag0 (nCR3/EPTP), tag1 (GPA page), HPA, root incarnation. */
export const KEY_STRIDE = 4;
export const K_TAG0 = 0;
export const K_TAG1 = 1;
export const K_HPA = 2;
export const K_INC = 3;

/** Ways of the shared nested translations (shadow page tables are not a TLB; this only bounds memory). */
export const PARTITION_CACHE_WAYS = 16;

/**
 * One replica of an L1 partition's shared nested translations: the GPA ->
 * HPA entries L0 keeps for L2 (the shadow NPT/EPT it builds from L1's
 * tables), keyed by (nCR3/EPTP, GPA page) and shared by every virtual
 * processor of the partition (TLFS: shadow page tables may be shared between
 * virtual processors). Only the GPA flush hypercalls (and, for the flushing
 * processor's address space, INVEPT or a full ASID flush) drop them.
 *
 * Every shard with vCPUs of the host keeps a replica. Replicas change only at
 * window starts, by {@link Msg.NestedFill} and {@link Msg.NestedFlush}
 * messages applied in (time, src, seq) order, so every replica holds the same
 * entries at the same simulated instant whatever the placement. Reads never
 * change a replica (no LRU refresh: replacement is by fill order), so
 * vCPUs of one shard cannot see each other's reads.
 */
export class PartitionCache {
  /** The entries (nested entries only: tag0 = nCR3/EPTP, tag1 = GPA page). */
  readonly tlb: Tlb;
  /** Host-local vCPU index that filled each slot (for witnesses). */
  readonly filler: Int32Array;
  /**
   * A copy of what a lookup and a hit read of each slot ({@link KEY_STRIDE}
   * words: tag0, tag1, hpa, inc): a set's 16 of them fit four cache lines
   * where the slots take seven, and the replica is megabytes, so a lookup
   * that misses the cache reads about half as much and a hit reads the
   * entry from the line the lookup brought in. Rewritten from the slots
   * after every flush.
   */
  readonly keys: Int32Array;

  constructor(
    readonly host: number,
    entries: number,
    private readonly firstVcpuActor: number,
  ) {
    this.tlb = new Tlb(entries, Math.min(PARTITION_CACHE_WAYS, entries));
    this.filler = new Int32Array(entries);
    this.keys = new Int32Array(entries * KEY_STRIDE);
    this.syncKeys();
  }

  /** Copies every slot's tags into {@link keys}. */
  private syncKeys(): void {
    const sl = this.tlb.slots;
    const keys = this.keys;
    for (let i = 0; i < this.tlb.entries; i++) this.copyKey(sl, keys, i);
  }

  private copyKey(sl: Int32Array, keys: Int32Array, i: number): void {
    const k = i * KEY_STRIDE;
    const o = i * SLOT_STRIDE;
    keys[k + K_TAG0] = sl[o + S_TAG0];
    keys[k + K_TAG1] = sl[o + S_TAG1];
    keys[k + K_HPA] = sl[o + S_HPA];
    keys[k + K_INC] = sl[o + S_INC];
  }

  /** Bytes of typed-array storage of this replica. */
  get bytes(): number {
    const t = this.tlb;
    return t.slots.byteLength + t.stamps.byteLength + t.mru.byteLength + this.filler.byteLength + this.keys.byteLength;
  }

  /** Slot of (nCR3, GPA) or -1, without touching the replacement order. */
  peek(ncr3: number, gpa: number): number {
    const t = this.tlb;
    // Tlb.setBase without the method: what peek inlines counts against the access loop's inlining budget.
    const base = setOf(Math.imul(ncr3, SET_TAG0_MUL), gpa, t.setShift, t.setsScale) * t.ways;
    const keys = this.keys;
    if (kernelChecks.enabled) this.checkKeys(base);
    for (let i = base, end = base + t.ways; i < end; i++) {
      if (keys[i * KEY_STRIDE + K_TAG1] === gpa && keys[i * KEY_STRIDE + K_TAG0] === ncr3) return i;
    }
    return -1;
  }

  /** Debug mode: the set at `base` has its slots' words in {@link keys}. */
  private checkKeys(base: number): void {
    const sl = this.tlb.slots;
    const k = this.keys;
    for (let i = base, end = base + this.tlb.ways; i < end; i++) {
      const [a, o] = [i * KEY_STRIDE, i * SLOT_STRIDE];
      const same =
        k[a + K_TAG0] === sl[o + S_TAG0] &&
        k[a + K_TAG1] === sl[o + S_TAG1] &&
        k[a + K_HPA] === sl[o + S_HPA] &&
        k[a + K_INC] === sl[o + S_INC];
      assert(same, 'the partition cache keys mirror its slots');
    }
  }

  /** Applies one NestedFill, NestedFlush or HvFlushApply record at offset o of b. */
  apply(b: Float64Array, o: number): void {
    if (b[o + F_TYPE] === Msg.NestedFill) {
      this.fill(b, o);
      return;
    }
    const ncr3 = b[o + FLUSH_WORDS.ncr3];
    if (ncr3 < 0) this.tlb.flushAll();
    else if (b[o + FLUSH_WORDS.kind] === HV_FLUSH_LIST)
      this.tlb.hvFlushRange(ncr3, b[o + FLUSH_WORDS.gpa], b[o + FLUSH_WORDS.pages]);
    else this.tlb.hvFlushSpace(ncr3);
    this.syncKeys();
  }

  /**
   * A NestedFill: a refill of a present entry takes the newer translation and
   * provenance in place; otherwise the entry goes where {@link Tlb.fill} would
   * put it (the set's first empty slot, else its LRU). One scan of the set
   * finds both, since fills are most of a replica's work.
   */
  private fill(b: Float64Array, o: number): void {
    const ncr3 = b[o + FILL.ncr3];
    const gpa = b[o + FILL.gpa];
    const t = this.tlb;
    const sl = t.slots;
    const keys = this.keys;
    const base = t.setBase(ncr3, gpa);
    const end = base + t.ways;
    let found = -1,
      empty = -1;
    for (let i = base; i < end; i++) {
      if (keys[i * KEY_STRIDE + K_TAG1] === gpa && keys[i * KEY_STRIDE + K_TAG0] === ncr3) {
        found = i;
        break;
      }
      if (empty < 0 && keys[i * KEY_STRIDE + K_TAG0] === TAG_INVALID) empty = i;
    }
    // A full set without the entry: its least recently filled slot goes.
    let lru = base;
    if (found < 0 && empty < 0) {
      let oldest = 0x7fffffff;
      for (let i = base; i < end; i++) {
        const st = t.stamp(i);
        if (st < oldest) {
          oldest = st;
          lru = i;
        }
      }
    }
    let slot = found;
    if (found >= 0) {
      const q = found * SLOT_STRIDE;
      sl[q + S_HPA] = b[o + FILL.hpa];
      sl[q + S_INC] = b[o + FILL.inc];
      t.touch(found);
      sl[found * SLOT_STRIDE + S_FILL_US] = b[o + FILL.fillUs];
    } else {
      slot = empty >= 0 ? empty : lru;
      t.fillSlot(slot, ncr3, gpa, b[o + FILL.hpa], ncr3, b[o + FILL.inc], b[o + FILL.fillUs]);
    }
    this.copyKey(sl, keys, slot);
    this.filler[slot] = b[o + F_SRC] - this.firstVcpuActor;
  }

  /** Snapshot state (see {@link SaveOptions}). */
  save(opts?: SaveOptions): Record<string, unknown> {
    return { tlb: this.tlb.save(opts), filler: savedArray(this.filler, opts) };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.tlb.load(s.tlb as Record<string, unknown>);
    this.filler.set(s.filler as Int32Array);
    this.syncKeys();
  }
}
