/**
 * Everything a vCPU actor knows besides its TLB, as one plain record: a
 * snapshot copies it whole and a restore assigns it whole, so a field added
 * here can never be left out of a resume.
 */
export interface VcpuState {
  /** Sequence number of the last message sent. */
  seq: number;
  /** PRNG state of the vCPU's stream. */
  prng: number;
  /** The root in use by the current context (vmcb01's or vmcb02's), -1 when none. */
  rootPage: number;
  rootInc: number;
  rootGen: number;
  rootLoadNs: number;
  /** vmcb01's root (role normal or SMM), -1 when not held. */
  r01Page: number;
  r01Inc: number;
  r01Gen: number;
  /** Guest accesses ran under vmcb01's root since it was loaded (sent with its put: the checker's exposures). */
  r01Used: boolean;
  /** vmcb02's guest-mode root (an L3 of the L2), -1 when not held. */
  r02Page: number;
  r02Inc: number;
  r02Gen: number;
  /** Guest accesses ran under vmcb02's root since it was loaded. */
  r02Used: boolean;
  /** vmcb01's ASID (Intel: VPID) on the current VP. */
  asid01: number;
  /** vmcb02's ASID (Intel: vpid02) on the current VP. */
  asid02: number;
  /** The VP's `asid_generation` the ASIDs belong to (a mismatch means `new_asid()` before the next VMRUN). */
  asidGen: number;
  /** Running L3 on vmcb02. */
  inL3: boolean;
  /** 0: not in SMM; 1: SMI taken, waiting for the SMM root; 2: RSM, waiting for the normal root. */
  smmPhase: number;
  /** How the last `flush_tlb_current` was done (flush-kind.ts). */
  lastFlushKind: number;
  /** Role of the root being acquired, -1 when not waiting for one. */
  waitingRole: number;
  /** Synchronous hypercalls in flight. */
  waitingCalls: number;
  /** When an announced vmcb01/vmcb02 switch takes effect (Infinity: none). */
  switchAtNs: number;
  /** The announced switch enters L3 (else it leaves it). */
  switchToL3: boolean;
  /** Unused (the clock is `nextAccessNs`; stall time is charged as it passes); kept for snapshot shape. */
  stallSinceNs: number;
  nextCallId: number;
  accessesDone: number;
  /**
   * The vCPU's clock: when it is free to make its next access. Everything it
   * does advances it by its cost, charged to one `time*Ns` counter.
   */
  nextAccessNs: number;
  process: number;
  pcid: number;
  nextCr3At: number;
  nextInvlpgAt: number;
  nextNestedNs: number;
  nextCr4Ns: number;
  nextSmiNs: number;
  /** When the next guest CR0.WP toggle falls due. */
  nextCr0Ns: number;
  /** In SMM with the SMM root loaded: when the handler ends with RSM (Infinity: not in SMM). */
  rsmAtNs: number;
  /** Intel: L3's vpid12 has been seen (first VM-enter flushes the guest TLB). */
  vpid12Seen: boolean;
  /** Highest invalidation seq whose owed flush completed (ground truth). */
  flushedSeq: number;
  /** Highest `mmu_valid_gen` seen in a free-obsolete-roots request. */
  zapGen: number;
  started: boolean;
  /** The workload is complete (or `run.simulatedMs` reached): the vCPU's time is final. */
  finished: boolean;
  /**
   * Local view of partition-wide drops not yet applied to the shared
   * replica: flat [nCR3 (-1: all), untilNs] pairs. Until then this vCPU
   * treats those shared entries as absent (its own flush is synchronous).
   */
  masks: number[];
  /** Shared nested entries this vCPU already reported (keys, see stale-hit.checker.ts). */
  reported: number[];
}

/** The state of a vCPU before its first window. */
export function initialVcpuState(prng: number): VcpuState {
  return {
    seq: 0,
    prng,
    rootPage: -1,
    rootInc: 0,
    rootGen: 0,
    rootLoadNs: 0,
    asid01: 0,
    asid02: 0,
    asidGen: 0,
    r01Page: -1,
    r01Inc: 0,
    r01Gen: 0,
    r01Used: false,
    r02Page: -1,
    r02Inc: 0,
    r02Gen: 0,
    r02Used: false,
    inL3: false,
    smmPhase: 0,
    lastFlushKind: 0,
    waitingRole: -1,
    waitingCalls: 0,
    switchAtNs: Infinity,
    switchToL3: false,
    stallSinceNs: 0,
    nextCallId: 0,
    accessesDone: 0,
    nextAccessNs: 0,
    process: 0,
    pcid: 0,
    nextCr3At: Infinity,
    nextInvlpgAt: Infinity,
    nextNestedNs: Infinity,
    nextCr4Ns: Infinity,
    nextSmiNs: Infinity,
    nextCr0Ns: Infinity,
    rsmAtNs: Infinity,
    vpid12Seen: false,
    flushedSeq: 0,
    zapGen: 0,
    started: false,
    finished: false,
    masks: [],
    reported: [],
  };
}

/** A deep copy of a state record (snapshots must not alias the live one). */
export function copyVcpuState(s: VcpuState): VcpuState {
  return { ...s, masks: [...s.masks], reported: [...s.reported] };
}

/** The scalar fields of {@link VcpuState} in a fixed order (booleans as 0/1): the migration encoding. */
const SCALAR_FIELDS = (Object.keys(initialVcpuState(0)) as (keyof VcpuState)[]).filter(
  (k) => !Array.isArray(initialVcpuState(0)[k]),
);

/**
 * The state as numbers, for a vCPU that migrates to a VP on another shard
 * (it travels as messages). The reported-entry memory stays behind: a
 * migrated vCPU may report a shared entry it had already reported.
 */
export function encodeVcpuState(s: VcpuState): number[] {
  const out: number[] = [];
  for (const k of SCALAR_FIELDS) {
    const v = s[k] as number | boolean;
    out.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
  }
  out.push(s.masks.length, ...s.masks);
  return out;
}

/** The inverse of {@link encodeVcpuState} (with an empty reported memory). */
export function decodeVcpuState(nums: readonly number[]): VcpuState {
  const s = initialVcpuState(0) as unknown as Record<string, unknown>;
  const proto = initialVcpuState(0) as unknown as Record<string, unknown>;
  let i = 0;
  for (const k of SCALAR_FIELDS) {
    const v = nums[i++];
    s[k] = typeof proto[k] === 'boolean' ? v === 1 : v;
  }
  const n = nums[i++];
  s.masks = nums.slice(i, i + n);
  return s as unknown as VcpuState;
}
