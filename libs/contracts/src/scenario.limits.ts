import { declaredKeys, SCENARIO_KEYS } from './scenario.keys';
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

/**
 * Bounds of every numeric scenario field, by dotted path, from the
 * declaration ({@link SCENARIO_KEYS}). The validation decorators, the error
 * messages, the JSON Schema, `docs/scenario.md` and the dashboard read this table.
 */
export const SCENARIO_LIMITS: Readonly<Record<NumericPath, Readonly<ScenarioLimit>>> = Object.freeze(
  Object.fromEntries(
    declaredKeys().flatMap(([path, decl]) =>
      decl.kind === 'integer' || decl.kind === 'number'
        ? [[path, Object.freeze({ min: decl.min, max: decl.max, integer: decl.kind === 'integer' })]]
        : [],
    ),
  ) as Record<NumericPath, ScenarioLimit>,
);

/** Accepted values of every string-enum scenario field, by dotted path, from the declaration. */
export const SCENARIO_ENUMS: Readonly<Record<EnumPath, readonly string[]>> = Object.freeze(
  Object.fromEntries(
    declaredKeys().flatMap(([path, decl]) => (decl.kind === 'enum' ? [[path, decl.values]] : [])),
  ) as Record<EnumPath, readonly string[]>,
);

/** Limits that span several fields (see {@link SCENARIO_CROSS_CHECKS}). */
export const SCENARIO_TOTALS = Object.freeze({
  /** Most vCPUs in a fleet: `hosts * vmsPerHost * vcpusPerVm`. */
  maxVcpus: 65536,
  /** Most guest accesses in a run: what it can make (`accessesTotalOf`: `vCPUs * accessesPerVcpu`, bounded by `run.simulatedMs`). */
  maxAccesses: 1e11,
  /** 4 KiB pages per MiB, to fit a vCPU's working set in its VM's memory. */
  pagesPerMiB: 256,
  /** Longest `name` (declared with the key). */
  nameMaxLength: SCENARIO_KEYS.name.maxLength,
  /** Most TLB entries in a fleet, `vCPUs * tlb.entries` (about 29 bytes each). */
  maxTlbEntries: 2 ** 27,
  /** Most pre-faulted guest pages in a fleet, `vCPUs * workingSetPages` (about 16 bytes each). */
  maxFootprintPages: 2 ** 27,
  /** Most shared nested translations in a fleet, `hosts * tlb.nestedCacheEntries` (about 33 bytes each per replica). */
  maxPartitionCacheEntries: 2 ** 28,
  /** Most windows in a run, `accessesPerVcpu * accessIntervalNs / window`. */
  maxWindows: 1e7,
});
