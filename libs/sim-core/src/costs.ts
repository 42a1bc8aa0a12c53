import { SimConfig } from './config';
import { C } from './counters';

/**
 * Cycles per operation class, derived from counters and the cost parameters
 * (docs/costs.md gives each default and its source). Stall time (a vCPU
 * waiting for a root or a synchronous hypercall) is converted at
 * `platform.cpuGhz`.
 */
export function cyclesByOp(cfg: SimConfig, c: ArrayLike<number>): Record<string, number> {
  const k = cfg.costs;
  const exitCycles = exitCyclesOf(cfg);
  const hyperv = cfg.platform.l0 === 'hyperv';
  return {
    tlbHits: c[C.tlbHits] * k.tlbHitCycles,
    guestWalks: c[C.tlbMisses] * k.guestWalkCycles,
    nestedWalks: c[C.nestedWalks] * k.nestedWalkCycles,
    asidFlushes: (c[C.flushAsid] + c[C.flushAsidEnlightened]) * k.asidFlushCycles,
    invept: (c[C.inveptSingle] + c[C.inveptGlobal]) * k.inveptCycles,
    hypercalls: c[C.hypercallCycles],
    shootdownIpis: c[C.shootdownMessages] * k.ipiCycles,
    nestedTransitions: c[C.nestedTransitions] * 2 * exitCycles,
    cr4Exits: c[C.cr4Writes] * exitCycles,
    rootAllocs: c[C.rootsAllocated] * k.rootAllocCycles,
    stalls: Math.round(c[C.stallNs] * cfg.platform.cpuGhz),
    l0NestedFaults: sharedNestedOf(cfg) ? c[C.nestedWalks] * k.l0NestedFaultCycles : 0,
    l0AsidFlushes: hyperv && cfg.platform.vendor === 'amd' ? c[C.flushAsid] * k.l0AsidFlushCycles : 0,
  };
}

/**
 * One exit to KVM and back: through L0 under Hyper-V (Intel's measured
 * `nestedExitCycles`, AMD's own `amdNestedExitCycles`), a VMRUN round trip on
 * bare metal.
 */
export function exitCyclesOf(cfg: SimConfig): number {
  const k = cfg.costs;
  if (cfg.platform.l0 !== 'hyperv') return k.vmExitCycles;
  return cfg.platform.vendor === 'amd' ? k.amdNestedExitCycles : k.nestedExitCycles;
}

/** Nested translations live in the partition's shared cache (L0's shadow tables): a miss there is an L0 intercept. */
function sharedNestedOf(cfg: SimConfig): boolean {
  return cfg.platform.l0 === 'hyperv' && cfg.platform.nestedCache === 'partition';
}

/**
 * Costs in simulated nanoseconds: time is cost. A vCPU's clock advances by
 * what it does, so a policy that costs more finishes the same work later.
 * Derived once per shard from `costs.*` at `platform.cpuGhz`.
 */
export interface TimeCosts {
  /** An access that hits in the TLB: `workload.accessIntervalNs` (x sampling: the k - 1 accesses a sampled one stands for hit). */
  hitNs: number;
  /** Extra for a TLB miss: the guest's page walk. */
  guestWalkNs: number;
  /** Extra for a nested miss: the 2D walk of the nested page tables. */
  nestedWalkNs: number;
  /**
   * Extra for a miss in the partition's shared nested translations: L0
   * handles the nested page fault and refills its shadow entry (an
   * intercept; 0 when nested translations live in the VP's TLB).
   */
  l0NestedFaultNs: number;
  /** L0's work for a full (non-enlightened) ASID flush under Hyper-V on AMD (0 elsewhere). */
  l0AsidFlushNs: number;
  /** One nested VMRUN or #VMEXIT (through L0 when KVM is L1). */
  transitionNs: number;
  /** One exit to KVM (CR4 write). */
  exitNs: number;
  /** INVEPT (an exit to L0 under Hyper-V). */
  inveptNs: number;
  /** An ASID flush (VMCB TLB_CONTROL). */
  asidFlushNs: number;
  /** Allocating and zeroing a root page in `kvm_mmu_load`. */
  rootAllocNs: number;
  /** L0's fixed work per flush hypercall. */
  l0BaseNs: number;
  /** L0's work per virtual processor it flushes (each VP is interrupted that long). */
  l0PerVpNs: number;
  /** Guest accesses per simulated access. */
  sampling: number;
  /** Simulated time at which every vCPU stops ({@link endNsOf}). */
  endNs: number;
}

/** The {@link TimeCosts} of a scenario. */
export function timeCostsOf(cfg: SimConfig): TimeCosts {
  const k = cfg.costs;
  const ns = (cycles: number): number => cycles / cfg.platform.cpuGhz;
  const sampling = Math.max(1, cfg.workload.accessSampling);
  const exit = exitCyclesOf(cfg);
  return {
    hitNs: hitNsOf(cfg),
    // A sampled access stands for k accesses to the same page: the first one's
    // outcome (hit, walk), then k - 1 hits. Walks are not multiplied.
    guestWalkNs: ns(k.guestWalkCycles),
    nestedWalkNs: ns(k.nestedWalkCycles),
    l0NestedFaultNs: sharedNestedOf(cfg) ? ns(k.l0NestedFaultCycles) : 0,
    l0AsidFlushNs: cfg.platform.l0 === 'hyperv' && cfg.platform.vendor === 'amd' ? ns(k.l0AsidFlushCycles) : 0,
    transitionNs: ns(exit),
    exitNs: ns(exit),
    inveptNs: ns(k.inveptCycles),
    asidFlushNs: ns(k.asidFlushCycles),
    rootAllocNs: ns(k.rootAllocCycles),
    l0BaseNs: ns(k.hypercallBaseCycles),
    l0PerVpNs: ns(k.hypercallPerVpCycles),
    sampling,
    endNs: endNsOf(cfg),
  };
}

/**
 * How many times its nominal time (every access a hit) a vCPU may take when
 * only `workload.accessesPerVcpu` ends the run. Walks, exits and shared VPs
 * slow a vCPU by tens to hundreds of times; a policy whose hypercalls
 * offer L0 more work than it can serve makes the queue, and so the run,
 * grow without end. The limit ends such a run, and the report says so.
 */
export const STALL_FACTOR_MAX = 1000;

/**
 * The stall limit is never below this much simulated time: a short run's
 * fixed start-up work (every vCPU's first root and its hypercall, queued at
 * L0 together) can exceed any multiple of a tiny nominal time.
 */
export const STALL_LIMIT_NS_MIN = 50_000_000;

/**
 * Simulated time at which every vCPU stops: `run.simulatedMs`, or else
 * {@link STALL_FACTOR_MAX} times the nominal time of `workload.accessesPerVcpu`
 * (at least {@link STALL_LIMIT_NS_MIN}).
 */
export function endNsOf(cfg: SimConfig): number {
  if (cfg.run.simulatedMs > 0) return cfg.run.simulatedMs * 1e6;
  return Math.max(STALL_LIMIT_NS_MIN, STALL_FACTOR_MAX * cfg.workload.accessesPerVcpu * hitNsOf(cfg));
}

/** A simulated access that hits: `workload.accessIntervalNs` times the accesses it stands for. */
function hitNsOf(cfg: SimConfig): number {
  return cfg.workload.accessIntervalNs * Math.max(1, cfg.workload.accessSampling);
}

/**
 * An event rate per simulated nanosecond: `perSec` (per host, as scenarios
 * give them) divided among `among` actors, times `run.timeCompression`.
 * Every event schedule of the kernel draws its gaps from this.
 */
export function eventRatePerNs(cfg: SimConfig, perSec: number, among = 1): number {
  return (perSec * cfg.run.timeCompression) / among / 1e9;
}
