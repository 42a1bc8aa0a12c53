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
  const exitCycles = cfg.platform.l0 === 'hyperv' ? k.nestedExitCycles : k.vmExitCycles;
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
  };
}
