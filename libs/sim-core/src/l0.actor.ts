import { fail } from './assert';
import { C, ps } from './counters';
import { F_SRC, F_TIME, F_TYPE, HV_FLUSH_SPACE, Msg, partitionDst } from './message';
import { MF } from './message.schema';
import { Actor, ShardContext } from './shard-context';

const CALL = MF[Msg.HvFlush];

/**
 * Hyper-V (L0) for one L1 partition. `HvCallFlushGuestPhysicalAddressSpace`
 * and `...List` invalidate one address space on every virtual processor of
 * the partition and in its shared nested translations, and return when all
 * have applied it (TLFS: synchronous). L0 sends the flush to every shard
 * holding the partition's VPs, where it is applied at the start of the
 * window it lands in (one IPI latency after the call reached L0); it then
 * completes the call one IPI latency later, the time the VPs' acknowledgements
 * would take. Each call is a shootdown to every VP of the host.
 */
export class L0Actor extends Actor {
  private readonly host: number;
  /** L0 serves flush hypercalls one at a time: busy until then. */
  private busyUntilNs = 0;

  constructor(id: number, ctx: ShardContext) {
    super(id, ctx);
    this.host = ctx.topo.hostOf(id);
  }

  override run(inbox: Float64Array, offsets: number[], windowEndNs: number): void {
    for (const o of offsets) {
      const t = inbox[o + F_TIME];
      if (t >= windowEndNs) return; // sorted: the rest is due in a later window
      const type = inbox[o + F_TYPE];
      if (type === Msg.HvFlush) this.hypercall(t, inbox, o, inbox[o + F_SRC]);
      else fail(`l0 ${this.id}: unexpected message type ${type}`);
    }
  }

  /**
   * One flush hypercall: L0 serves calls in arrival order, each taking
   * `costs.hypercallBaseCycles + costs.hypercallPerVpCycles * VPs`; a call
   * that finds L0 busy waits. The flush reaches the VPs when the service
   * ends (and at least one IPI after the call arrived); each VP is
   * interrupted for its share of the work.
   */
  private hypercall(t: number, b: Float64Array, o: number, caller: number): void {
    const { cfg, counters, schedule, costs } = this.ctx;
    const vps = schedule.vps;
    counters[b[o + CALL.kind] === HV_FLUSH_SPACE ? C.hvFlushSpace : C.hvFlushList]++;
    counters[C.hypercallCycles] += cfg.costs.hypercallBaseCycles + cfg.costs.hypercallPerVpCycles * vps;
    counters[C.shootdownMessages] += vps;
    const start = Math.max(t, this.busyUntilNs);
    const serviceNs = costs.l0BaseNs + costs.l0PerVpNs * vps;
    this.busyUntilNs = start + serviceNs;
    counters[C.l0BusyPs] += ps(serviceNs);
    counters[C.l0QueuePs] += ps(start - t);
    const applyNs = Math.max(t + cfg.latency.ipiNs, this.busyUntilNs);
    // HvFlushApply carries the call's payload unchanged (same declaration).
    this.send(
      applyNs,
      partitionDst(this.host),
      Msg.HvFlushApply,
      b[o + CALL.kind],
      b[o + CALL.ncr3],
      b[o + CALL.gpa],
      b[o + CALL.pages],
      b[o + CALL.seq],
      b[o + CALL.vm],
      b[o + CALL.callId],
    );
    this.send(applyNs + cfg.latency.ipiNs, caller, Msg.HvFlushDone, 0, 0, 0, 0, 0, 0, b[o + CALL.callId]);
  }

  override save(): Record<string, unknown> {
    return { seq: this.seq, busyUntilNs: this.busyUntilNs };
  }

  override load(s: Record<string, unknown>): void {
    this.seq = s.seq as number;
    this.busyUntilNs = s.busyUntilNs as number;
  }
}
