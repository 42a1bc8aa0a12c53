import { F_SRC, F_TYPE, HV_FLUSH_LIST, Msg } from './message';
import { FLUSH_WORDS, MF } from './message.schema';
import { H_HPA, H_INC, H_STAMP, HOT_STRIDE, TAG_INVALID, Tlb } from './tlb';

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

  constructor(
    readonly host: number,
    entries: number,
    private readonly firstVcpuActor: number,
  ) {
    this.tlb = new Tlb(entries, Math.min(PARTITION_CACHE_WAYS, entries));
    this.filler = new Int32Array(entries);
  }

  /** Bytes of typed-array storage of this replica. */
  get bytes(): number {
    const t = this.tlb;
    return (
      t.tags.byteLength +
      t.hot.byteLength +
      t.root.byteLength +
      t.fillUs.byteLength +
      t.meta.byteLength +
      this.filler.byteLength
    );
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
    const tags = t.tags;
    const hot = t.hot;
    const base = t.setBase(ncr3, gpa);
    let found = -1,
      empty = -1,
      lru = base,
      oldest = 0x7fffffff;
    for (let i = base, end = base + t.ways; i < end; i++) {
      if (tags[2 * i + 1] === gpa && tags[2 * i] === ncr3) {
        found = i;
        break;
      }
      if (tags[2 * i] === TAG_INVALID) {
        if (empty < 0) empty = i;
        continue;
      }
      const st = hot[i * HOT_STRIDE + H_STAMP];
      if (st < oldest) {
        oldest = st;
        lru = i;
      }
    }
    let slot = found;
    if (found >= 0) {
      const h = found * HOT_STRIDE;
      hot[h + H_HPA] = b[o + FILL.hpa];
      hot[h + H_INC] = b[o + FILL.inc];
      hot[h + H_STAMP] = t.tick();
      t.fillUs[found] = b[o + FILL.fillUs];
    } else {
      slot = empty >= 0 ? empty : lru;
      t.fillSlot(slot, ncr3, gpa, b[o + FILL.hpa], ncr3, b[o + FILL.inc], b[o + FILL.fillUs]);
    }
    this.filler[slot] = b[o + F_SRC] - this.firstVcpuActor;
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
