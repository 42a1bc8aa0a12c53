import { F_P0, F_SRC, F_TYPE, HV_FLUSH_LIST, Msg } from './message';
import { H_STAMP, HOT_STRIDE, Tlb } from './tlb';

import type { SimConfig } from './config';

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

  constructor(readonly host: number, entries: number, private readonly firstVcpuActor: number) {
    this.tlb = new Tlb(entries, Math.min(PARTITION_CACHE_WAYS, entries));
    this.filler = new Int32Array(entries);
  }

  /** Bytes of typed-array storage of this replica. */
  get bytes(): number {
    const t = this.tlb;
    return t.tags.byteLength + t.hot.byteLength + t.root.byteLength + t.fillUs.byteLength + t.meta.byteLength + this.filler.byteLength;
  }

  /** Slot of (nCR3, GPA) or -1, without touching the replacement order. */
  peek(ncr3: number, gpa: number): number {
    const t = this.tlb;
    const base = t.setBase(ncr3, gpa);
    const tags = t.tags;
    for (let i = base, end = base + t.ways; i < end; i++) {
      if (tags[2 * i + 1] === gpa && tags[2 * i] === ncr3) return i;
    }
    return -1;
  }

  /** Applies one NestedFill or NestedFlush record at offset o of b. */
  apply(b: Float64Array, o: number): void {
    const p = o + F_P0;
    if (b[o + F_TYPE] === Msg.NestedFill) {
      const ncr3 = b[p];
      const gpa = b[p + 1];
      let i = this.peek(ncr3, gpa);
      if (i < 0) i = this.tlb.fill(ncr3, gpa, b[p + 2], ncr3, b[p + 3], b[p + 4]);
      else {
        // Refill of a present entry: newer translation, newer provenance.
        const h = i * HOT_STRIDE;
        this.tlb.hot[h] = b[p + 2];
        this.tlb.hot[h + 1] = b[p + 3];
        this.tlb.hot[h + H_STAMP] = this.tlb.tick();
        this.tlb.fillUs[i] = b[p + 4];
      }
      this.filler[i] = b[o + F_SRC] - this.firstVcpuActor;
      return;
    }
    if (b[p + 1] < 0) this.tlb.flushAll();
    else if (b[p] === HV_FLUSH_LIST) this.tlb.hvFlushRange(b[p + 1], b[p + 2], b[p + 3]);
    else this.tlb.hvFlushSpace(b[p + 1]);
  }

  /** Snapshot state. */
  save(): Record<string, unknown> {
    return { tlb: this.tlb.save(), filler: this.filler.slice() };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    this.tlb.load(s.tlb as Record<string, unknown>);
    this.filler.set(s.filler as Int32Array);
  }
}
