import { C } from './counters';
import { F_P0, F_SRC, F_TIME, F_TYPE, HV_FLUSH_SPACE, Msg, partitionDst } from './message';
import { Actor, ShardContext } from './shard-context';

interface PendingCall {
  caller: number;
  callerId: number;
  remaining: number;
}

/**
 * Hyper-V (L0) for one L1 partition. `HvCallFlushGuestPhysicalAddressSpace`
 * and `...List` invalidate one address space on every virtual processor of
 * the partition and return when all have applied it (TLFS: synchronous), so
 * each call is a shootdown to every vCPU of the host.
 */
export class L0Actor extends Actor {
  private readonly host: number;
  private nextId = 0;
  private pending = new Map<number, PendingCall>();

  constructor(id: number, ctx: ShardContext) {
    super(id, ctx);
    this.host = ctx.topo.hostOf(id);
  }

  override run(inbox: Float64Array, offsets: number[], windowEndNs: number): void {
    for (const o of offsets) {
      const t = inbox[o + F_TIME];
      if (t >= windowEndNs) return; // sorted: the rest is due in a later window
      const p = o + F_P0;
      const type = inbox[o + F_TYPE];
      if (type === Msg.HvFlush) this.hypercall(t, inbox, p, inbox[o + F_SRC]);
      else if (type === Msg.HvFlushAck) this.ack(t, inbox[p + 6]);
      else throw new Error(`l0 ${this.id}: unexpected message type ${type}`);
    }
  }

  private hypercall(t: number, b: Float64Array, p: number, caller: number): void {
    const { topo, cfg, counters } = this.ctx;
    const vps = topo.vcpusPerHost;
    const id = ++this.nextId;
    this.pending.set(id, { caller, callerId: b[p + 6], remaining: vps });
    counters[b[p] === HV_FLUSH_SPACE ? C.hvFlushSpace : C.hvFlushList]++;
    counters[C.hypercallCycles] += cfg.costs.hypercallBaseCycles + cfg.costs.hypercallPerVpCycles * vps;
    counters[C.shootdownMessages] += vps;
    // The partition's shared nested translations go first (applied at the
    // start of the window the call lands in), then each virtual processor's own TLB.
    if (this.ctx.flags.sharedNested) this.send(t + cfg.latency.ipiNs, partitionDst(this.host), Msg.NestedFlush, b[p], b[p + 1], b[p + 2], b[p + 3]);
    for (let v = 0; v < vps; v++) {
      this.send(t + cfg.latency.ipiNs, topo.actorsPerHost * this.host + 2 + v, Msg.HvFlushApply,
        b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], id);
    }
  }

  private ack(t: number, id: number): void {
    const call = this.pending.get(id);
    if (!call) throw new Error(`l0 ${this.id}: ack for unknown call ${id}`);
    if (--call.remaining > 0) return;
    this.pending.delete(id);
    this.send(t + this.ctx.cfg.latency.hypercallNs, call.caller, Msg.HvFlushDone, 0, 0, 0, 0, 0, 0, call.callerId);
  }

  override save(): Record<string, unknown> {
    return { seq: this.seq, nextId: this.nextId, pending: [...this.pending.entries()].map(([k, v]) => [k, { ...v }]) };
  }

  override load(s: Record<string, unknown>): void {
    this.seq = s.seq as number;
    this.nextId = s.nextId as number;
    this.pending = new Map((s.pending as [number, PendingCall][]).map(([k, v]) => [k, { ...v }]));
  }
}
