/**
 * A witness as data: the events of one violation's causal chain with their
 * kind, ids, pages and times, and nothing rendered. The digest hashes these
 * fields, so rewording a trace line changes no digest; the engine renders
 * them as kernel-trace-style lines (libs/engine/src/witness.renderer.ts).
 * Pages are page numbers (host physical for `hpa`/`page`, guest physical for
 * `gpa`, guest virtual for `gva`); VM numbers are fleet-wide.
 */
import type { ViolationClass } from './violation.checker';

/** Who an event happened on: the host's kvm, or a vCPU (fleet-wide VM, index within it). */
export type WitnessTask = { kind: 'kvm' } | { kind: 'vcpu'; vm: number; vcpu: number };

/** The translation a witness is about: a nested (GPA) entry, or a combined (GVA) one. */
export interface WitnessTranslation {
  nested: boolean;
  gpa: number;
  /** Combined entries only (-1 for a nested one). */
  gva: number;
  hpa: number;
}

/** How an MMU-notifier invalidation asked for its remote flush. */
export type WitnessRemoteFlush = 'tlb-flush-request' | 'gpa-list-undersized' | 'gpa-space';

/** When a freed data page went back, relative to the flush its unmap owed. */
export type WitnessFreeTiming = 'after-delete' | 'before-flush' | 'after-flush' | 'no-unmap';

/** One event of a causal chain; `timeNs` is simulated time. */
export type WitnessEvent = { timeNs: number; task: WitnessTask } & (
  | { kind: 'root-alloc'; vm: number; rootInc: number; role: number; page: number; gen: number }
  | {
      kind: 'root-reuse';
      vm: number;
      rootInc: number;
      role: number;
      page: number;
      /** The root that used the page before. */
      prevInc: number;
      /** True when that root is the one the stale entry came from. */
      prevIsEntryRoot: boolean;
      /** Its VM and role, -1 when forgotten. */
      prevVm: number;
      prevRole: number;
    }
  | { kind: 'root-zap'; vm: number; rootInc: number }
  | { kind: 'root-free'; vm: number; rootInc: number; page: number; flushedBeforeFree: boolean }
  | { kind: 'root-load'; rootInc: number; page: number }
  | {
      kind: 'flush-current';
      /** flush-kind.ts. */
      flushKind: number;
      /** The partition's nested translations for the nCR3 were kept (an ASID flush under the enlightenment). */
      sharedKept: boolean;
    }
  | {
      kind: 'fill';
      entry: WitnessTranslation;
      rootInc: number;
      /** Filled into the partition's shared nested translations (the filler is `task`). */
      shared: boolean;
      /** The nCR3 (root page) a shared entry is tagged with, -1 when forgotten. */
      ncr3: number;
    }
  | { kind: 'memslot-delete'; vm: number; gpa: number; hpa: number }
  | {
      kind: 'notifier-invalidate';
      vm: number;
      gpa: number;
      hpa: number;
      flush: WitnessRemoteFlush;
      /** The nCR3s the remote flush went to (`hv_track_root_tdp`), null without the remote-flush enlightenment. */
      roots: number[] | null;
    }
  | { kind: 'page-free'; hpa: number; timing: WitnessFreeTiming }
  | {
      kind: 'page-alloc';
      hpa: number;
      /** The root the page became, or 0 when it became a VM's page. */
      rootInc: number;
      vm: number;
      gpa: number;
    }
  | {
      kind: 'stale-hit';
      entry: WitnessTranslation;
      entryInc: number;
      currentInc: number;
      class: ViolationClass;
      /** For cross-vm: the VM and GPA the page belongs to now (-1 otherwise). */
      ownerVm: number;
      ownerGpa: number;
    }
);
