import { savedArray, SaveOptions } from './save-options';
import { fail } from './assert';
import { F_DST, F_TIME, F_TYPE, HV_FLUSH_LIST, Msg, partitionHostOf } from './message';
import { FLUSH_WORDS, MF } from './message.schema';
import { PartitionCache, partitionCacheEntriesOf } from './partition-cache';
import type { ShardContext } from './shard-context';
import { Vp } from './vp';
import { VmView } from './vm-view';

const REMAP = MF[Msg.Remap];

/** ASIDs per virtual processor (SVM: CPUID 0x8000000A EBX minus the host's). */
export const ASIDS_PER_VP = 32767;

/**
 * The per-host state a shard keeps for every host with a virtual processor
 * on it: the VPs themselves (their TLBs and ASID allocators), a replica of
 * each of the host's VM page-table views, and a replica of the partition's
 * shared nested translations. Replicas change only at window starts, by
 * broadcast messages (`partitionDst`) applied in (time, src, seq) order, so
 * every shard sees the same state at the same simulated instant.
 */
export class HostReplicas {
  /** Hosts with a VP on this shard, ascending. */
  readonly hosts: number[] = [];

  constructor(
    private readonly ctx: ShardContext,
    shard: number,
    shards: number,
  ) {
    const { cfg, topo, schedule } = ctx;
    for (let h = 0; h < topo.hosts; h++) {
      for (let vp = 0; vp < schedule.vps; vp++) {
        if (schedule.vpShard(h, vp, shards) !== shard) continue;
        ctx.vps.set(
          schedule.vpSlot(h, vp),
          new Vp(h, vp, cfg.tlb.entries, cfg.tlb.ways, cfg.workload.workingSetPages, ASIDS_PER_VP),
        );
        if (this.hosts[this.hosts.length - 1] !== h) this.hosts.push(h);
      }
    }
    for (const h of this.hosts) {
      for (let vm = 0; vm < topo.vmsPerHost; vm++) {
        ctx.views.set(topo.globalVm(h, vm), new VmView(topo.footprintPages, vm * topo.footprintPages));
      }
      if (ctx.flags.sharedNested)
        ctx.partitions.set(h, new PartitionCache(h, partitionCacheEntriesOf(cfg), topo.vcpuId(h, 0, 0)));
    }
  }

  /** The VP `index` of `host` (it must be on this shard). */
  vp(host: number, index: number): Vp {
    const vp = this.ctx.vps.get(this.ctx.schedule.vpSlot(host, index));
    if (!vp) fail(`vp ${index} of host ${host} is not on this shard`);
    return vp;
  }

  /** Applies the window's broadcast messages (offsets into buf, sorted by time, src, seq) due before `endNs`. */
  apply(buf: Float64Array, offsets: readonly number[], endNs: number): void {
    for (const o of offsets) {
      if (buf[o + F_TIME] >= endNs) continue;
      const host = partitionHostOf(buf[o + F_DST]);
      const type = buf[o + F_TYPE];
      if (type === Msg.Remap) this.applyRemap(host, buf, o);
      else if (type === Msg.HvFlushApply) this.applyHvFlush(host, buf, o);
      else this.ctx.partitions.get(host)!.apply(buf, o);
    }
  }

  private applyRemap(host: number, b: Float64Array, o: number): void {
    const view = this.ctx.views.get(this.ctx.topo.globalVm(host, b[o + REMAP.vm]))!;
    const seq = b[o + REMAP.seq];
    const g = b[o + REMAP.gpa];
    // hpa0..hpa2 are consecutive words.
    for (let i = 0; i < b[o + REMAP.count]; i++) {
      view.map[g + i] = b[o + REMAP.hpa0 + i];
      view.seq[g + i] = seq;
    }
    view.changes++;
  }

  /** A GPA flush hypercall as L0 applies it: the partition's shared translations, then every VP's TLB of the host here. */
  private applyHvFlush(host: number, b: Float64Array, o: number): void {
    const part = this.ctx.partitions.get(host);
    if (part) part.apply(b, o);
    const ncr3 = b[o + FLUSH_WORDS.ncr3];
    for (const vp of this.ctx.vps.values()) {
      if (vp.host !== host) continue;
      vp.stolenNs += this.ctx.costs.l0PerVpNs;
      if (b[o + FLUSH_WORDS.kind] === HV_FLUSH_LIST)
        vp.tlb.hvFlushRange(ncr3, b[o + FLUSH_WORDS.gpa], b[o + FLUSH_WORDS.pages]);
      else vp.tlb.hvFlushSpace(ncr3);
    }
  }

  /** Snapshot state (see {@link SaveOptions}). */
  save(opts?: SaveOptions): Record<string, unknown> {
    const c = this.ctx;
    return {
      vps: [...c.vps.entries()].map(([k, v]) => [k, v.save(opts)]),
      views: [...c.views.entries()].map(([g, v]) => [
        g,
        { map: savedArray(v.map, opts), seq: savedArray(v.seq, opts) },
      ]),
      partitions: [...c.partitions.entries()].map(([h, p]) => [h, p.save(opts)]),
    };
  }

  /** Restores {@link save}. */
  load(s: Record<string, unknown>): void {
    const c = this.ctx;
    for (const [k, v] of s.vps as [number, Record<string, unknown>][]) c.vps.get(k)!.load(v);
    for (const [g, v] of s.views as [number, { map: Int32Array; seq: Uint16Array }][]) {
      const view = c.views.get(g)!;
      view.map.set(v.map);
      view.seq.set(v.seq);
      view.changes++;
    }
    for (const [h, p] of s.partitions as [number, Record<string, unknown>][]) c.partitions.get(h)!.load(p);
  }
}
