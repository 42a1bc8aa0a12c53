/**
 * The kernel's view of a scenario: a plain, already validated and defaulted
 * object. `libs/contracts` owns validation, defaults and limits; the kernel
 * only asserts the invariants it depends on (see {@link assertConfig}).
 * Each key's default, range, unit and meaning are declared once, in
 * `SCENARIO_KEYS` of libs/contracts, which must name exactly these keys (it
 * does not compile otherwise); the comments here say what the kernel does
 * with a key, not its default.
 */

/** Base flush policies, see `docs/model.md` for the commit each one models. */
export const POLICY_BASES = [
  'pre-overhaul',
  'overhaul',
  'overhaul+hv-flush-current',
  'overhaul+flush-on-alloc',
  'enlightened-tlb-off',
] as const;

/** A base flush policy. */
export type PolicyBase = (typeof POLICY_BASES)[number];

/**
 * Follow-up fixes that combine with any base policy, appended in this order
 * (`overhaul+preserve-roots`, `overhaul+hv-flush-current+preserve-roots+cr0wp-keep-roots`):
 * `preserve-roots` is edbdb43fc96b (the TDP MMU keeps a reference on every
 * valid root until it is invalidated), `cr0wp-keep-roots` is 01b31714bd90
 * (a CR0.WP toggle no longer unloads the roots with TDP).
 */
export const POLICY_MODIFIERS = ['preserve-roots', 'cr0wp-keep-roots'] as const;

/** A policy modifier. */
export type PolicyModifier = (typeof POLICY_MODIFIERS)[number];

/** A flush policy name: a base, then any modifiers in {@link POLICY_MODIFIERS} order. */
export type PolicyName =
  | PolicyBase
  | `${PolicyBase}+preserve-roots`
  | `${PolicyBase}+cr0wp-keep-roots`
  | `${PolicyBase}+preserve-roots+cr0wp-keep-roots`;

/** Every policy name: the bases, then each base with each combination of modifiers. */
export const POLICY_NAMES: readonly PolicyName[] = [
  ...POLICY_BASES,
  ...POLICY_BASES.map((b) => `${b}+preserve-roots` as const),
  ...POLICY_BASES.map((b) => `${b}+cr0wp-keep-roots` as const),
  ...POLICY_BASES.map((b) => `${b}+preserve-roots+cr0wp-keep-roots` as const),
];

/** A policy name's base and modifiers. */
export function policyParts(name: PolicyName): { base: PolicyBase; modifiers: PolicyModifier[] } {
  let rest: string = name;
  const modifiers: PolicyModifier[] = [];
  for (const m of [...POLICY_MODIFIERS].reverse()) {
    if (rest.endsWith(`+${m}`)) {
      modifiers.unshift(m);
      rest = rest.slice(0, -(m.length + 1));
    }
  }
  if (!(POLICY_BASES as readonly string[]).includes(rest)) throw new Error(`unknown policy ${name}`);
  return { base: rest as PolicyBase, modifiers };
}

/** CPU vendor: decides what `flush_tlb_current` is (ASID flush or INVEPT). */
export type Vendor = 'amd' | 'intel';

/** What runs below KVM: Hyper-V (KVM is L1) or bare metal. */
export type L0Kind = 'hyperv' | 'none';

/**
 * Where nested (GPA -> HPA) translations live. `partition`: Hyper-V's nested
 * translations for L2 (the shadow NPT/EPT that L0 builds from L1's tables)
 * belong to the L1 partition and are shared by all its virtual processors;
 * `vp`: each virtual processor's TLB holds its own, as hardware TLBs do.
 * Bare metal always behaves like `vp`.
 */
export type NestedCacheKind = 'partition' | 'vp';

/** How actors are spread over shards. */
export type Placement = 'block' | 'round-robin';

/** How a distributed shard stores its snapshots: whole each time, or a full one then deltas (libs/jobs snapshot-chain.ts). */
export type SnapshotMode = 'full' | 'incremental';

/** Platform switches. */
export interface PlatformConfig {
  vendor: Vendor;
  l0: L0Kind;
  /** `HV_X64_NESTED_ENLIGHTENED_TLB` exposed to KVM (AMD only). */
  enlightenedTlb: boolean;
  /** Clock used to turn cycles into nanoseconds in reports. */
  cpuGhz: number;
  /** Where nested translations live under Hyper-V, see {@link NestedCacheKind}. */
  nestedCache: NestedCacheKind;
  /** L1 scheduler quantum: vCPUs sharing a virtual processor take turns this often. */
  schedQuantumUs: number;
}

/** KVM knobs. */
export interface KvmConfig {
  policy: PolicyName;
  /** `HV_MAX_FLUSH_REP_COUNT`: entries in one GPA-list hypercall before KVM falls back to a whole-space flush. */
  hvFlushListEntriesMax: number;
  /**
   * Historical bug toggle: range flushes cover only the first page of the
   * range ("KVM: x86/mmu: Fix wrong gfn range of tlb flushing", 2022; visible
   * only through the Hyper-V GPA-list hypercall).
   */
  undersizedRangeFlush: boolean;
  /**
   * Historical bug toggle: pages unmapped by an MMU-notifier invalidation are
   * freed before the remote TLB flush completed (the class of Xen
   * CVE-2026-23554, "paging structures freed before the deferred flush
   * completed"), so a vCPU can still reach them through its TLB.
   */
  freeBeforeFlush: boolean;
}

/** Fleet shape. */
export interface FleetConfig {
  hosts: number;
  vmsPerHost: number;
  vcpusPerVm: number;
  memoryMiBPerVm: number;
  /** Virtual processors of each L1 partition (0: one per vCPU, pinned). */
  l1VpsPerHost: number;
}

/** Per-vCPU TLB geometry. */
export interface TlbConfig {
  entries: number;
  ways: number;
  /** Capacity of a partition's shared nested translations (sized like shadow page tables). */
  nestedCacheEntries: number;
}

/** Per-vCPU guest workload. */
export interface WorkloadConfig {
  accessesPerVcpu: number;
  workingSetPages: number;
  hotPages: number;
  hotPercent: number;
  processes: number;
  pcid: boolean;
  cr3SwitchesPerMillionAccesses: number;
  invlpgPerMillionAccesses: number;
  accessIntervalNs: number;
  /**
   * Share of each vCPU's time spent running an L3 guest of the L2 (vmcb02,
   * guest-mode root), entered and left by the nested transitions.
   */
  l3TimePercent: number;
  /**
   * Guest accesses one simulated access stands for: its time and cycles
   * scale by k, so seconds of a fleet can be priced.
   */
  accessSampling: number;
  /**
   * SMRAM pages the SMI handler touches (the first pages of each vCPU's own
   * working-set region, see vcpu-smm.ts).
   */
  smramPages: number;
}

/** Per-host event rates (simulated time). */
export interface EventsConfig {
  memslotUpdatesPerSec: number;
  mmuNotifierInvalidationsPerSec: number;
  mmuNotifierPages: number;
  nestedTransitionsPerSec: number;
  cr4WritesPerSec: number;
  /**
   * Guest CR0.WP toggles per host per second: before 01b31714bd90 each one
   * resets the MMU context and unloads the roots (`kvm_post_set_cr0`).
   */
  cr0WpTogglesPerSec: number;
  /** SMIs per host per second: SMI and RSM switch the vCPU to the SMM-role root and back. */
  smiPerSec: number;
  /** Time the SMI handler runs (SMRAM accesses under the SMM-role root) before RSM, per SMI (0: RSM at once). */
  smmDurationUs: number;
  /** Memslot DELETEs per host per second: the slot's pages are unmapped, flushed as the policy does, and freed. */
  memslotDeletesPerSec: number;
  /** Guest pages of the slot a memslot DELETE removes (then re-created with new backing pages). */
  memslotDeletePages: number;
  /** vCPU migrations between the partition's virtual processors per host per second. */
  vcpuMigrationsPerSec: number;
}

/** Message latencies; the smallest one is the lookahead. */
export interface LatencyConfig {
  ipiNs: number;
  hypercallNs: number;
  kvmRequestNs: number;
  /**
   * From a root's last put to its page's return to the allocator: the zap
   * worker (`tdp_mmu_zap_root_work`) and the RCU grace period of
   * `call_rcu()` in `kvm_tdp_mmu_put_root()`. KVM-internal, not a message:
   * not part of the lookahead. An estimate.
   */
  rootFreeNs: number;
}

/** Cycle costs per operation, see `docs/costs.md`. */
export interface CostsConfig {
  tlbHitCycles: number;
  guestWalkCycles: number;
  nestedWalkCycles: number;
  vmExitCycles: number;
  nestedExitCycles: number;
  asidFlushCycles: number;
  inveptCycles: number;
  hypercallBaseCycles: number;
  hypercallPerVpCycles: number;
  ipiCycles: number;
  rootAllocCycles: number;
  /** A nested VMRUN/#VMEXIT through L0 on AMD (Hyper-V): no public figure; an estimate. */
  amdNestedExitCycles: number;
  /**
   * L0 handling a nested page fault to refill one of the partition's shared
   * translations (its shadow tables), on top of the hardware walk: an
   * estimate.
   */
  l0NestedFaultCycles: number;
  /**
   * L0's work for a full ASID flush by L1 without the enlightened TLB (it
   * drops that address space's shadow translations): an estimate, borrowed
   * like `inveptCycles`.
   */
  l0AsidFlushCycles: number;
}

/** Run knobs: sharding and reporting. */
export interface RunConfig {
  shards: number;
  /** Window length; 0 means "the lookahead" (smallest latency). */
  windowNs: number;
  snapshotEveryWindows: number;
  witnessesMax: number;
  /** Stop every vCPU at this simulated time (0: only `workload.accessesPerVcpu` ends the run). */
  simulatedMs: number;
  /**
   * Event rates are this many times faster than configured (a short run
   * showing what takes seconds); every per-second figure is labelled
   * compressed.
   */
  timeCompression: number;
  /** Witnesses kept per violation class beyond `witnessesMax` (every class that occurred has at least this many). */
  witnessesPerClass: number;
  placement: Placement;
  /**
   * Fewest shards a distributed job may start with when fewer slots than
   * `shards` are free (0: all of `shards`); it grows to `shards` as slots
   * free up. Never changes the result.
   */
  minShards: number;
  /**
   * Simulated milliseconds at the start of the run that cost figures leave
   * out (cold TLBs, every vCPU's first root load); violations still count
   * the whole run. Never changes the digest.
   */
  warmupMs: number;
  /**
   * Runs of the scenario from derived seeds whose cost figures are averaged
   * with a 95% interval (the engine's estimate.ts); the kernel runs one.
   */
  replications: number;
  /**
   * How distributed shards store their snapshots (the kernel never reads
   * it; never changes the result). Absent in configs stored before it:
   * `full`.
   */
  snapshots: SnapshotMode;
}

/** A whole scenario as the kernel sees it. */
export interface SimConfig {
  name: string;
  seed: number;
  platform: PlatformConfig;
  kvm: KvmConfig;
  fleet: FleetConfig;
  tlb: TlbConfig;
  workload: WorkloadConfig;
  events: EventsConfig;
  latency: LatencyConfig;
  costs: CostsConfig;
  run: RunConfig;
}
