/**
 * Witnesses as text: the kernel records each violation's causal chain as
 * data (sim-core's witness.events.ts, what the digest hashes); this module
 * renders it as kernel-trace-style lines for reports, the CLI and the
 * dashboard. Rewording a line here changes no digest.
 */
import {
  FLUSH_KIND_NAMES,
  hpaHex,
  ROLE_NAMES,
  WitnessEvent,
  WitnessRecord,
  WitnessTask,
  WitnessTranslation,
} from '@tlbsim/sim-core';

function gpaHex(page: number): string {
  return '0x' + (page * 4096).toString(16);
}

/** Guest virtual pages start at the usual x86-64 user mmap base, so addresses look like real GVAs. */
function gvaHex(page: number): string {
  return '0x' + (0x7f0000000000 + page * 4096).toString(16);
}

function taskName(host: number, t: WitnessTask): string {
  return t.kind === 'kvm' ? `kvm-h${host}` : `vcpu-${t.vm}.${t.vcpu}`;
}

function translationText(e: WitnessTranslation): string {
  return e.nested ? `nested gpa=${gpaHex(e.gpa)}` : `combined gva=${gvaHex(e.gva)} gpa=${gpaHex(e.gpa)}`;
}

const REMOTE_FLUSH_TEXT = {
  'tlb-flush-request': "remote flush: KVM_REQ_TLB_FLUSH to the VM's vCPUs",
  'gpa-list-undersized': 'remote flush: GPA-list hypercall of 1 page (undersized range) per loaded root',
  'gpa-space': 'kvm_flush_remote_tlbs: GPA-space hypercall per loaded root',
} as const;

const FREE_TIMING_TEXT = {
  'no-unmap': '',
  'after-delete': ' by userspace after the DELETE ioctl returned',
  'before-flush': ' before the remote flush completed',
  'after-flush': ' after the remote flush completed',
} as const;

/** The trace event name and detail of one event. */
function eventText(e: WitnessEvent): [string, string] {
  switch (e.kind) {
    case 'root-alloc':
      return [
        'kvm_tdp_mmu_alloc_root',
        `vm=${e.vm} root=#${e.rootInc} role=${ROLE_NAMES[e.role]} hpa=${hpaHex(e.page)} gen=${e.gen}`,
      ];
    case 'root-reuse': {
      const via = e.prevIsEntryRoot
        ? `was root #${e.prevInc} of vm=${e.prevVm}`
        : `last used by root #${e.prevInc}${e.prevRole >= 0 ? ` role=${ROLE_NAMES[e.prevRole]} of vm=${e.prevVm}` : ''}`;
      return [
        'kvm_tdp_mmu_alloc_root',
        `vm=${e.vm} root=#${e.rootInc} hpa=${hpaHex(e.page)} page reused (${via}), role=${ROLE_NAMES[e.role]}`,
      ];
    }
    case 'root-zap':
      return ['kvm_mmu_zap_all_fast', `vm=${e.vm} root=#${e.rootInc} invalidated (obsolete)`];
    case 'root-free': {
      const how = e.flushedBeforeFree ? 'after a remote TLB flush' : 'with no TLB flush';
      return [
        'kvm_tdp_mmu_put_root',
        `vm=${e.vm} root=#${e.rootInc} refcount=0: page hpa=${hpaHex(e.page)} freed ${how}`,
      ];
    }
    case 'root-load':
      return ['kvm_mmu_load', `root=#${e.rootInc} nCR3=${hpaHex(e.page)}`];
    case 'flush-current': {
      const kept = e.sharedKept ? "; the partition's nested translations for this nCR3 are kept" : '';
      return ['flush_tlb_current', (FLUSH_KIND_NAMES[e.flushKind] ?? 'unknown') + kept];
    }
    default:
      return pageEventText(e);
  }
}

/** {@link eventText} for the fill, the data page's events and the hit. */
function pageEventText(e: WitnessEvent): [string, string] {
  switch (e.kind) {
    case 'fill': {
      const what = translationText(e.entry);
      if (!e.shared) return ['tlb_fill', `${what} -> hpa=${hpaHex(e.entry.hpa)} under root=#${e.rootInc}`];
      const ncr3 = e.ncr3 >= 0 ? hpaHex(e.ncr3) : '?';
      return [
        'tlb_fill',
        `shared (L0 shadow NPT of the partition): nCR3=${ncr3} ${what} -> hpa=${hpaHex(e.entry.hpa)} under root=#${e.rootInc} (shared by every VP of the partition)`,
      ];
    }
    case 'memslot-delete':
      return [
        'kvm_arch_flush_shadow_memslot',
        `vm=${e.vm} memslot DELETE: gpa=${gpaHex(e.gpa)} old hpa=${hpaHex(e.hpa)} unmapped; fast zap, KVM_REQ_MMU_FREE_OBSOLETE_ROOTS (the flush is left to the next root load)`,
      ];
    case 'notifier-invalidate': {
      const targets = e.roots ? ` (hv_track_root_tdp: nCR3 ${e.roots.map(hpaHex).join(', ') || 'none'})` : '';
      return [
        'kvm_mmu_notifier_invalidate_range',
        `vm=${e.vm} gpa=${gpaHex(e.gpa)} old hpa=${hpaHex(e.hpa)}; ${REMOTE_FLUSH_TEXT[e.flush]}${targets}`,
      ];
    }
    case 'page-free':
      return ['mm_page_free', `hpa=${hpaHex(e.hpa)}${FREE_TIMING_TEXT[e.timing]}`];
    case 'page-alloc': {
      const to = e.vm < 0 ? `kvm root #${e.rootInc}` : `vm=${e.vm} gpa=${gpaHex(e.gpa)}`;
      return ['mm_page_alloc', `hpa=${hpaHex(e.hpa)} -> ${to}`];
    }
    case 'stale-hit': {
      const whose = e.ownerVm >= 0 ? ` (hpa belongs to vm=${e.ownerVm} gpa=${gpaHex(e.ownerGpa)})` : '';
      return [
        'tlb_stale_hit',
        `${translationText(e.entry)} -> hpa=${hpaHex(e.entry.hpa)} from root=#${e.entryInc}, current root=#${e.currentInc}: ${e.class}${whose}`,
      ];
    }
    default:
      throw new Error(`witness event of unknown kind ${(e as { kind: string }).kind}`);
  }
}

/** One event as a kernel-trace-style line: task, host (as the CPU column), seconds, event, detail. */
function eventLine(host: number, e: WitnessEvent): string {
  const [name, detail] = eventText(e);
  const task = taskName(host, e.task).padStart(14);
  return `${task} [${String(host).padStart(3, '0')}] ${(e.timeNs / 1e9).toFixed(9)}: ${name}: ${detail}`;
}

/** A witness's causal chain as kernel-trace-style lines, oldest first. */
export function witnessLines(w: WitnessRecord): string[] {
  return w.events.map((e) => eventLine(w.host, e));
}
