import { fail } from './assert';
import { SimConfig } from './config';
import { eventRatePerNs } from './costs';
import { Prng, streamSeed } from './prng';
import { Topology } from './topology';

/** Salt of the scheduler's PRNG streams (one per vCPU), apart from the actors' own. */
const SCHED_SALT = 0x5c4ed;

/** Segments a cursor keeps behind the earliest window still asked about. */
const SEGMENTS_KEPT = 4;

/** Where one vCPU runs over time: VP `vp[i]` from window `from[i]` on. */
interface Cursor {
  prng: Prng;
  from: number[];
  vp: number[];
  /** Window of the next migration not yet in the lists. */
  next: number;
}

/**
 * How vCPUs are placed on the L1 partition's virtual processors (VPs), as
 * the L1 scheduler would: `fleet.l1VpsPerHost` VPs per host, each vCPU
 * starting on VP `hostVcpu mod VPs`, migrating to a random other VP at
 * `events.vcpuMigrationsPerSec` (per host), and vCPUs sharing a VP taking
 * turns every `platform.schedQuantumUs`. Both happen at window boundaries.
 *
 * The schedule is a pure function of the seed, drawn from streams of its
 * own, so every shard computes the same placement for any vCPU at any
 * window without asking anyone: that is what lets messages be routed to the
 * shard a vCPU will be on when they are due, and a migrating vCPU travel
 * there as an event.
 */
export class VpSchedule {
  /** VPs per host. */
  readonly vps: number;
  /** Windows per scheduling quantum. */
  readonly quantumWindows: number;
  /** Migrations per vCPU per window. */
  private readonly migrateRate: number;
  private readonly cursors = new Map<number, Cursor>();
  /** Per host: the window of the cached assignment and the vCPUs on each VP (sorted). */
  private readonly assignment = new Map<number, { window: number; byVp: number[][] }>();

  constructor(
    private readonly cfg: SimConfig,
    private readonly topo: Topology,
    windowNs: number,
  ) {
    this.vps = cfg.fleet.l1VpsPerHost > 0 ? cfg.fleet.l1VpsPerHost : topo.vcpusPerHost;
    if (this.vps > topo.vcpusPerHost)
      throw new Error(`fleet.l1VpsPerHost ${this.vps} exceeds the vCPUs per host ${topo.vcpusPerHost}`);
    this.quantumWindows = Math.max(1, Math.round((cfg.platform.schedQuantumUs * 1000) / windowNs));
    this.migrateRate =
      this.vps > 1 ? eventRatePerNs(cfg, cfg.events.vcpuMigrationsPerSec, topo.vcpusPerHost) * windowNs : 0;
  }

  /** True when vCPUs never share or change VPs (one VP per vCPU, no migrations): the pinned fast path. */
  get pinned(): boolean {
    return this.vps === this.topo.vcpusPerHost && this.migrateRate === 0;
  }

  /** The slot id of host-local VP `vp` (the actor id a pinned vCPU on it would have): it decides the VP's shard. */
  vpSlot(host: number, vp: number): number {
    return this.topo.kvmId(host) + 2 + vp;
  }

  /** The shard that owns VP `vp` of `host`. */
  vpShard(host: number, vp: number, shards: number): number {
    return this.topo.shardOf(this.vpSlot(host, vp), shards, this.cfg.run.placement);
  }

  /** Host-local VP that vCPU actor `vcpu` runs on during `window`. */
  vpOf(vcpu: number, window: number): number {
    if (this.pinned) return this.topo.hostVcpuIndex(vcpu);
    const c = this.cursor(vcpu);
    while (c.next <= window) this.migrate(c);
    let i = c.from.length - 1;
    while (i > 0 && c.from[i] > window) i--;
    if (c.from[i] > window) fail(`vp schedule of vcpu ${vcpu}: window ${window} was forgotten`);
    return c.vp[i];
  }

  /** The shard vCPU actor `vcpu` is on during `window`. */
  shardOf(vcpu: number, window: number, shards: number): number {
    return this.vpShard(this.topo.hostOf(vcpu), this.vpOf(vcpu, window), shards);
  }

  /** Whether `vcpu` holds its VP during `window` (vCPUs sharing a VP take turns every quantum). */
  onCpu(vcpu: number, window: number): boolean {
    if (this.pinned) return true;
    const host = this.topo.hostOf(vcpu);
    const list = this.byVp(host, window)[this.vpOf(vcpu, window)];
    return list.length === 1 || list[Math.floor(window / this.quantumWindows) % list.length] === vcpu;
  }

  /** Forgets schedule segments that end before `window` (callers never ask about earlier windows). */
  forgetBefore(window: number): void {
    for (const c of this.cursors.values()) {
      let drop = 0;
      while (drop + 1 < c.from.length && c.from[drop + 1] <= window) drop++;
      if (drop > SEGMENTS_KEPT) {
        c.from.splice(0, drop - SEGMENTS_KEPT);
        c.vp.splice(0, drop - SEGMENTS_KEPT);
      }
    }
  }

  private byVp(host: number, window: number): number[][] {
    const cached = this.assignment.get(host);
    if (cached && cached.window === window) return cached.byVp;
    const byVp: number[][] = Array.from({ length: this.vps }, () => []);
    for (let v = 0; v < this.topo.vcpusPerHost; v++) {
      const id = this.topo.kvmId(host) + 2 + v;
      byVp[this.vpOf(id, window)].push(id);
    }
    this.assignment.set(host, { window, byVp });
    return byVp;
  }

  private cursor(vcpu: number): Cursor {
    let c = this.cursors.get(vcpu);
    if (!c) {
      const prng = new Prng(streamSeed(this.cfg.seed, vcpu, SCHED_SALT));
      c = { prng, from: [0], vp: [this.topo.hostVcpuIndex(vcpu) % this.vps], next: 0 };
      c.next = prng.nextExpGap(this.migrateRate);
      this.cursors.set(vcpu, c);
    }
    return c;
  }

  /** Appends the migration due at `c.next` and draws the one after. */
  private migrate(c: Cursor): void {
    const cur = c.vp[c.vp.length - 1];
    const to = (cur + 1 + c.prng.nextInt(this.vps - 1)) % this.vps;
    c.from.push(c.next);
    c.vp.push(to);
    c.next += c.prng.nextExpGap(this.migrateRate);
  }
}
