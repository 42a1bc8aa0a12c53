import type { SaveOptions } from './save-options';
import { SimConfig } from './config';
import { C } from './counters';
import { kernelChecks } from './assert';
import { KernelAssertionError } from './kernel-assertion.error';
import { MSG_WIDTH, Msg, Outbox } from './message';
import { checkMessage, Payload } from './message.schema';
import { PolicyFlags } from './policy';
import { Topology } from './topology';
import { VmView } from './vm-view';
import type { TimeCosts } from './costs';
import type { PartitionCache } from './partition-cache';
import type { Vp } from './vp';
import type { VpSchedule } from './vp-schedule';

/**
 * What the actors of one shard share with their shard (never with each
 * other): configuration, the outbox of the current window, counters and the
 * VM views. Actors still talk only by messages.
 */
export interface ShardContext {
  readonly cfg: SimConfig;
  readonly topo: Topology;
  readonly flags: PolicyFlags;
  readonly counters: Float64Array;
  readonly outbox: Outbox;
  /** VM views by fleet-wide VM number, for the VMs of hosts with a VP on this shard. */
  readonly views: Map<number, VmView>;
  /** The window length: the smallest message latency the kernel uses. */
  readonly windowNs: number;
  /** Costs in simulated nanoseconds (costs.ts). */
  readonly costs: TimeCosts;
  /**
   * This shard's replica of each host's shared nested translations (hosts
   * with vCPUs here, `platform.nestedCache: partition` under Hyper-V only).
   */
  readonly partitions: Map<number, PartitionCache>;
  /** The virtual processors on this shard, by VP slot id ({@link VpSchedule.vpSlot}). */
  readonly vps: Map<number, Vp>;
  /** Where every vCPU runs when (the same on every shard). */
  readonly schedule: VpSchedule;
  /** The window being run. */
  window: number;
  /**
   * The vCPU-local events of this window (local-events.ts) when a timeline
   * is recorded, else null: the actors append, never read.
   */
  localEvents: number[] | null;
}

/** Base of the three actor kinds: identity, message sequence and sending. */
export abstract class Actor {
  /** Sequence number of the last message sent (part of the message id). */
  seq = 0;

  constructor(
    readonly id: number,
    protected readonly ctx: ShardContext,
  ) {}

  /** The shard context (read by the checker, which works on kvm's behalf). */
  get context(): ShardContext {
    return this.ctx;
  }

  /**
   * Sends a message; the caller passes a time at least one lookahead ahead.
   * The payload is the type's words in declared order (message.schema.ts).
   */
  protected send<T extends Msg>(timeNs: number, dst: number, type: T, ...payload: Payload<T>): void;
  protected send(timeNs: number, dst: number, type: Msg, p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0): void {
    this.post(timeNs, dst, type, p0, p1, p2, p3, p4, p5, p6);
  }

  /** {@link send} on this actor's behalf, for its helper objects (host events, flushes, modes). */
  emit<T extends Msg>(timeNs: number, dst: number, type: T, ...payload: Payload<T>): void;
  emit(timeNs: number, dst: number, type: Msg, p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0): void {
    this.post(timeNs, dst, type, p0, p1, p2, p3, p4, p5, p6);
  }

  // Positional on purpose: the hot path sends without allocating.
  private post(
    timeNs: number,
    dst: number,
    type: Msg,
    p0: number,
    p1: number,
    p2: number,
    p3: number,
    p4: number,
    p5: number,
    p6: number,
  ): void {
    const out = this.ctx.outbox;
    out.push(timeNs, this.id, ++this.seq, dst, type, p0, p1, p2, p3, p4, p5, p6);
    this.ctx.counters[C.messagesSent]++;
    if (kernelChecks.enabled) this.checkSent(out);
  }

  /** Debug mode: the message just sent matches its declaration and is not due before the window it was sent in. */
  private checkSent(out: Outbox): void {
    const o = (out.count - 1) * MSG_WIDTH;
    const problem =
      checkMessage(out.buf, o) ??
      (out.buf[o] < this.ctx.window * this.ctx.windowNs
        ? `message due at ${out.buf[o]} ns, before window ${this.ctx.window}`
        : null);
    if (problem) throw new KernelAssertionError(`actor ${this.id} sent ${problem}`);
  }

  /**
   * Runs this actor over [.., windowEndNs): its inbound messages (sorted
   * records in `inbox` at offsets `offsets`) interleaved with local events.
   */
  abstract run(inbox: Float64Array, offsets: number[], windowEndNs: number): void;

  /** Plain, structured-clone-friendly state for snapshots; typed arrays copied unless `opts.alias` ({@link SaveOptions}). */
  abstract save(opts?: SaveOptions): Record<string, unknown>;

  /** Restores what {@link save} produced. */
  abstract load(state: Record<string, unknown>): void;
}
