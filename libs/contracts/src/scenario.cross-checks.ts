import { partitionCacheEntriesOf, type SimConfig } from '@tlbsim/sim-core';
import { accessesTotalOf, actorsOf, shardsError, vcpusOf } from './scenario.totals';
import { crossFieldError } from './field-error.messages';
import type { FieldError } from './field-error.type';
import { SCENARIO_TOTALS } from './scenario.limits';
import type { ScenarioPath } from './scenario.types';

/** A rule relating several fields, reported on one of them. */
export interface CrossCheck {
  /** Fields the rule reads; it is skipped when one of them is itself invalid. */
  reads: readonly ScenarioPath[];
  /** Returns the error, or `undefined` when the rule holds. */
  check(config: SimConfig): FieldError | undefined;
}

/**
 * Every cross-field rule of the scenario format. Each one is reported as a
 * {@link FieldError} on the field the user most likely has to change.
 */
export const SCENARIO_CROSS_CHECKS: readonly CrossCheck[] = [
  {
    reads: ['tlb.entries', 'tlb.ways'],
    check: ({ tlb }) =>
      tlb.entries % tlb.ways === 0
        ? undefined
        : crossFieldError(
            'tlb.entries',
            tlb.entries,
            'divisibleBy',
            `is not a multiple of tlb.ways ${tlb.ways}`,
            tlb.ways,
          ),
  },
  {
    reads: ['workload.hotPages', 'workload.workingSetPages'],
    check: ({ workload: w }) =>
      w.hotPages <= w.workingSetPages
        ? undefined
        : crossFieldError(
            'workload.hotPages',
            w.hotPages,
            'maxWorkingSet',
            `exceeds the maximum ${w.workingSetPages} (workload.workingSetPages)`,
            w.workingSetPages,
          ),
  },
  {
    reads: ['workload.workingSetPages', 'fleet.vcpusPerVm', 'fleet.memoryMiBPerVm'],
    check: ({ workload, fleet }) => {
      const pages = fleet.memoryMiBPerVm * SCENARIO_TOTALS.pagesPerMiB;
      const max = Math.floor(pages / fleet.vcpusPerVm);
      if (workload.workingSetPages <= max) return undefined;
      return crossFieldError(
        'workload.workingSetPages',
        workload.workingSetPages,
        'maxVmMemory',
        `exceeds the maximum ${max} (fleet.vcpusPerVm * workingSetPages must fit in ` +
          `fleet.memoryMiBPerVm * ${SCENARIO_TOTALS.pagesPerMiB} = ${pages} pages)`,
        max,
      );
    },
  },
  {
    reads: ['fleet.hosts', 'fleet.vmsPerHost', 'fleet.vcpusPerVm'],
    check: (c) => {
      if (vcpusOf(c) <= SCENARIO_TOTALS.maxVcpus) return undefined;
      const vms = c.fleet.hosts * c.fleet.vmsPerHost;
      if (vms > SCENARIO_TOTALS.maxVcpus) {
        // Even one vCPU per VM is too many: the VMs per host are what must shrink.
        const maxVms = Math.floor(SCENARIO_TOTALS.maxVcpus / c.fleet.hosts);
        return crossFieldError(
          'fleet.vmsPerHost',
          c.fleet.vmsPerHost,
          'maxTotalVcpus',
          `exceeds the maximum ${maxVms} (total vCPUs hosts*vmsPerHost*vcpusPerVm = ${vcpusOf(c)} ` +
            `must be at most ${SCENARIO_TOTALS.maxVcpus}; hosts*vmsPerHost alone is ${vms})`,
          maxVms,
        );
      }
      const max = Math.floor(SCENARIO_TOTALS.maxVcpus / vms);
      return crossFieldError(
        'fleet.vcpusPerVm',
        c.fleet.vcpusPerVm,
        'maxTotalVcpus',
        `exceeds the maximum ${max} (total vCPUs hosts*vmsPerHost*vcpusPerVm = ${vcpusOf(c)} ` +
          `must be at most ${SCENARIO_TOTALS.maxVcpus})`,
        max,
      );
    },
  },
  {
    reads: [
      'fleet.hosts',
      'fleet.vmsPerHost',
      'fleet.vcpusPerVm',
      'workload.accessesPerVcpu',
      'workload.accessIntervalNs',
      'workload.accessSampling',
      'run.simulatedMs',
    ],
    check: (c) => {
      const total = accessesTotalOf(c);
      const max = Math.floor(SCENARIO_TOTALS.maxAccesses / vcpusOf(c));
      if (total <= SCENARIO_TOTALS.maxAccesses) return undefined;
      return crossFieldError(
        'workload.accessesPerVcpu',
        c.workload.accessesPerVcpu,
        'maxTotalAccesses',
        `exceeds the maximum ${max} (total accesses the run can make, vCPUs*accessesPerVcpu bounded by run.simulatedMs, = ${total} ` +
          `must be at most ${SCENARIO_TOTALS.maxAccesses})`,
        max,
      );
    },
  },
  {
    reads: ['run.shards', 'fleet.hosts', 'fleet.vmsPerHost', 'fleet.vcpusPerVm'],
    // The range 1..1024 is the field's own limit; the cross-field part is the fleet's actors (shardsError).
    check: (c) => {
      const error = shardsError(c, c.run.shards, 'run.shards');
      return error?.constraint === 'max' && c.run.shards > actorsOf(c) ? error : undefined;
    },
  },
  {
    reads: ['run.minShards', 'run.shards'],
    check: ({ run }) =>
      run.minShards <= run.shards
        ? undefined
        : crossFieldError(
            'run.minShards',
            run.minShards,
            'maxShards',
            `exceeds the maximum ${run.shards} (run.shards)`,
            run.shards,
          ),
  },
  {
    reads: ['run.warmupMs', 'run.simulatedMs'],
    check: ({ run }) =>
      run.simulatedMs === 0 || run.warmupMs < run.simulatedMs
        ? undefined
        : crossFieldError(
            'run.warmupMs',
            run.warmupMs,
            'maxSimulatedMs',
            `must be below ${run.simulatedMs} (run.simulatedMs): the figures would cover no time`,
            run.simulatedMs,
          ),
  },
  {
    reads: ['run.windowNs', 'latency.ipiNs', 'latency.hypercallNs', 'latency.kvmRequestNs'],
    check: ({ run, latency }) => {
      const lookahead = Math.min(latency.ipiNs, latency.hypercallNs, latency.kvmRequestNs);
      if (run.windowNs === 0 || run.windowNs <= lookahead) return undefined;
      return crossFieldError(
        'run.windowNs',
        run.windowNs,
        'maxLookahead',
        `exceeds the maximum ${lookahead} (the lookahead, the smallest latency.*)`,
        lookahead,
      );
    },
  },
  {
    reads: ['tlb.entries', 'fleet.hosts', 'fleet.vmsPerHost', 'fleet.vcpusPerVm'],
    check: (c) => {
      const max = Math.floor(SCENARIO_TOTALS.maxTlbEntries / vcpusOf(c));
      if (c.tlb.entries <= max) return undefined;
      return crossFieldError(
        'tlb.entries',
        c.tlb.entries,
        'maxTotalTlbEntries',
        `exceeds the maximum ${max} (vCPUs*tlb.entries must be at most ${SCENARIO_TOTALS.maxTlbEntries})`,
        max,
      );
    },
  },
  {
    reads: ['workload.workingSetPages', 'fleet.hosts', 'fleet.vmsPerHost', 'fleet.vcpusPerVm'],
    check: (c) => {
      const max = Math.floor(SCENARIO_TOTALS.maxFootprintPages / vcpusOf(c));
      if (c.workload.workingSetPages <= max) return undefined;
      return crossFieldError(
        'workload.workingSetPages',
        c.workload.workingSetPages,
        'maxTotalFootprint',
        `exceeds the maximum ${max} (vCPUs*workingSetPages must be at most ${SCENARIO_TOTALS.maxFootprintPages})`,
        max,
      );
    },
  },
  {
    reads: [
      'workload.accessesPerVcpu',
      'workload.accessIntervalNs',
      'run.windowNs',
      'latency.ipiNs',
      'latency.hypercallNs',
      'latency.kvmRequestNs',
    ],
    check: ({ workload: w, run, latency }) => {
      const window =
        run.windowNs > 0 ? run.windowNs : Math.min(latency.ipiNs, latency.hypercallNs, latency.kvmRequestNs);
      const windows = Math.ceil((w.accessesPerVcpu * w.accessIntervalNs) / window);
      if (windows <= SCENARIO_TOTALS.maxWindows) return undefined;
      const max = Math.floor((SCENARIO_TOTALS.maxWindows * window) / w.accessIntervalNs);
      return crossFieldError(
        'workload.accessesPerVcpu',
        w.accessesPerVcpu,
        'maxWindows',
        `exceeds the maximum ${max} (the run would take ${windows} windows of ${window} ns; at most ${SCENARIO_TOTALS.maxWindows})`,
        max,
      );
    },
  },
  {
    reads: ['workload.l3TimePercent', 'events.nestedTransitionsPerSec'],
    check: ({ workload: w, events }) =>
      w.l3TimePercent === 0 || events.nestedTransitionsPerSec > 0
        ? undefined
        : crossFieldError(
            'workload.l3TimePercent',
            w.l3TimePercent,
            'needsTransitions',
            'needs events.nestedTransitionsPerSec > 0 (L3 is entered and left by nested transitions)',
            0,
          ),
  },
  {
    reads: ['fleet.l1VpsPerHost', 'fleet.vmsPerHost', 'fleet.vcpusPerVm'],
    check: ({ fleet }) => {
      const max = fleet.vmsPerHost * fleet.vcpusPerVm;
      if (fleet.l1VpsPerHost <= max) return undefined;
      return crossFieldError(
        'fleet.l1VpsPerHost',
        fleet.l1VpsPerHost,
        'maxVcpusPerHost',
        `exceeds the maximum ${max} (the vCPUs per host, vmsPerHost*vcpusPerVm)`,
        max,
      );
    },
  },
  {
    reads: [
      'tlb.nestedCacheEntries',
      'fleet.hosts',
      'fleet.vmsPerHost',
      'fleet.vcpusPerVm',
      'workload.workingSetPages',
    ],
    check: (c) => {
      const max = Math.floor(SCENARIO_TOTALS.maxPartitionCacheEntries / c.fleet.hosts);
      const entries = partitionCacheEntriesOf(c);
      if (entries <= max) return undefined;
      const auto = c.tlb.nestedCacheEntries === 0 ? ` (0 means twice the host's guest footprint: ${entries})` : '';
      return crossFieldError(
        'tlb.nestedCacheEntries',
        c.tlb.nestedCacheEntries,
        'maxTotalPartitionCache',
        `exceeds the maximum ${max}${auto} (hosts*tlb.nestedCacheEntries must be at most ${SCENARIO_TOTALS.maxPartitionCacheEntries})`,
        max,
      );
    },
  },
];

/**
 * Runs {@link SCENARIO_CROSS_CHECKS} on a config whose single fields may be
 * partly invalid: a rule is skipped when a field it reads is in `invalid` (or
 * under an invalid group) or was refused by an earlier rule, so one mistake is
 * reported once, not again through every limit derived from it.
 */
export function crossCheckScenario(config: SimConfig, invalid: ReadonlySet<string>): FieldError[] {
  const isInvalid = (path: string): boolean => invalid.has(path) || invalid.has(path.split('.')[0]);
  const errors: FieldError[] = [];
  const failed = new Set<string>();
  for (const rule of SCENARIO_CROSS_CHECKS) {
    if (rule.reads.some((path) => isInvalid(path) || failed.has(path))) continue;
    const error = rule.check(config);
    if (!error) continue;
    errors.push(error);
    // Later rules reading this field would derive their limits from a value already refused.
    failed.add(error.path);
  }
  return errors;
}
