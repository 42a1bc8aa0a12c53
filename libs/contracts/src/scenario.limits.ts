import { POLICY_NAMES } from '@tlbsim/sim-core';
import type { EnumPath, NumericPath } from './scenario.types';

/** Inclusive bounds of one numeric scenario field. */
export interface ScenarioLimit {
  /** Smallest accepted value. */
  min: number;
  /** Largest accepted value. */
  max: number;
  /** Whether only integers are accepted. */
  integer: boolean;
}

const int = (min: number, max: number): ScenarioLimit => ({ min, max, integer: true });
const real = (min: number, max: number): ScenarioLimit => ({ min, max, integer: false });

/**
 * Bounds of every numeric scenario field, by dotted path. The validation
 * decorators, the error messages, the JSON Schema and `docs/scenario.md` all
 * read this one table.
 */
export const SCENARIO_LIMITS: Readonly<Record<NumericPath, Readonly<ScenarioLimit>>> = Object.freeze({
  seed: int(0, 4294967295),
  'platform.cpuGhz': real(0.1, 10),
  'platform.schedQuantumUs': int(1, 1000000),
  'kvm.hvFlushListEntriesMax': int(1, 4096),
  'fleet.hosts': int(1, 4096),
  'fleet.vmsPerHost': int(1, 1024),
  'fleet.vcpusPerVm': int(1, 1024),
  'fleet.memoryMiBPerVm': int(16, 1048576),
  'fleet.l1VpsPerHost': int(0, 1048576),
  'tlb.entries': int(16, 65536),
  'tlb.ways': int(1, 64),
  'tlb.nestedCacheEntries': int(0, 4194304),
  'workload.accessesPerVcpu': int(1, 1e9),
  'workload.workingSetPages': int(1, 1048576),
  'workload.hotPages': int(1, 1048576),
  'workload.hotPercent': real(0, 100),
  'workload.processes': int(1, 64),
  'workload.cr3SwitchesPerMillionAccesses': real(0, 1e6),
  'workload.invlpgPerMillionAccesses': real(0, 1e6),
  'workload.accessIntervalNs': int(1, 1e6),
  'workload.l3TimePercent': real(0, 95),
  'workload.accessSampling': int(1, 1000000),
  'workload.smramPages': int(1, 4096),
  'events.memslotUpdatesPerSec': real(0, 1e7),
  'events.mmuNotifierInvalidationsPerSec': real(0, 1e7),
  'events.mmuNotifierPages': int(1, 65536),
  'events.nestedTransitionsPerSec': real(0, 1e7),
  'events.cr4WritesPerSec': real(0, 1e7),
  'events.cr0WpTogglesPerSec': real(0, 1e7),
  'events.smiPerSec': real(0, 1e7),
  'events.smmDurationUs': real(0, 1e5),
  'events.memslotDeletesPerSec': real(0, 1e7),
  'events.memslotDeletePages': int(1, 65536),
  'events.vcpuMigrationsPerSec': real(0, 1e7),
  'latency.ipiNs': int(1, 1e9),
  'latency.hypercallNs': int(1, 1e9),
  'latency.kvmRequestNs': int(1, 1e9),
  'latency.rootFreeNs': int(0, 1e9),
  'costs.tlbHitCycles': real(0, 1e9),
  'costs.guestWalkCycles': real(0, 1e9),
  'costs.nestedWalkCycles': real(0, 1e9),
  'costs.vmExitCycles': real(0, 1e9),
  'costs.nestedExitCycles': real(0, 1e9),
  'costs.asidFlushCycles': real(0, 1e9),
  'costs.inveptCycles': real(0, 1e9),
  'costs.hypercallBaseCycles': real(0, 1e9),
  'costs.hypercallPerVpCycles': real(0, 1e9),
  'costs.ipiCycles': real(0, 1e9),
  'costs.rootAllocCycles': real(0, 1e9),
  'costs.amdNestedExitCycles': real(0, 1e9),
  'costs.l0NestedFaultCycles': real(0, 1e9),
  'costs.l0AsidFlushCycles': real(0, 1e9),
  'run.shards': int(1, 1024),
  'run.windowNs': int(0, 1e9),
  'run.snapshotEveryWindows': int(1, 1e6),
  'run.witnessesMax': int(0, 1000),
  'run.simulatedMs': real(0, 600000),
  'run.timeCompression': real(1, 1000000),
  'run.witnessesPerClass': int(0, 100),
  'run.minShards': int(0, 1024),
  'run.warmupMs': real(0, 600000),
  'run.replications': int(1, 100),
});

/** Accepted values of every string-enum scenario field, by dotted path. */
export const SCENARIO_ENUMS: Readonly<Record<EnumPath, readonly string[]>> = Object.freeze({
  'platform.vendor': ['amd', 'intel'],
  'platform.l0': ['hyperv', 'none'],
  'platform.nestedCache': ['partition', 'vp'],
  'kvm.policy': POLICY_NAMES,
  'run.placement': ['block', 'round-robin'],
});

/** Limits that span several fields (see {@link SCENARIO_CROSS_CHECKS}). */
export const SCENARIO_TOTALS = Object.freeze({
  /** Most vCPUs in a fleet: `hosts * vmsPerHost * vcpusPerVm`. */
  maxVcpus: 65536,
  /** Most guest accesses in a run: what it can make (`accessesTotalOf`: `vCPUs * accessesPerVcpu`, bounded by `run.simulatedMs`). */
  maxAccesses: 1e11,
  /** 4 KiB pages per MiB, to fit a vCPU's working set in its VM's memory. */
  pagesPerMiB: 256,
  /** Longest `name`. */
  nameMaxLength: 200,
  /** Most TLB entries in a fleet, `vCPUs * tlb.entries` (about 29 bytes each). */
  maxTlbEntries: 2 ** 27,
  /** Most pre-faulted guest pages in a fleet, `vCPUs * workingSetPages` (about 16 bytes each). */
  maxFootprintPages: 2 ** 27,
  /** Most shared nested translations in a fleet, `hosts * tlb.nestedCacheEntries` (about 33 bytes each per replica). */
  maxPartitionCacheEntries: 2 ** 28,
  /** Most windows in a run, `accessesPerVcpu * accessIntervalNs / window`. */
  maxWindows: 1e7,
});
