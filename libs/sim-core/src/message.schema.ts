import { assert, fail } from './assert';
import { F_P0, F_TIME, F_TYPE, MSG_WIDTH, Msg } from './message';

/**
 * The one declaration of every message's payload: for each {@link Msg}
 * type, its payload words p0..p6 by position (null: unused, always 0), each
 * with a name, a unit and a range. Everything else is derived from it:
 * the payload tuple an actor must pass to send a message (by type, so a
 * missing or extra word is a compile error), the named offsets receivers
 * read ({@link MF}), {@link decodeMessage} for traces and tests, and the
 * debug-mode range checks ({@link checkMessage}). The wire format stays the
 * 12-number record of message.ts, so digests do not depend on this file.
 */

/** One payload word. `real` words carry any number but NaN (state, times); others are integers. */
export interface FieldDecl {
  readonly name: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly real?: true;
}

/** One message type: what it means, and its payload words by position. */
export interface MessageDecl {
  readonly doc: string;
  readonly fields: readonly (FieldDecl | null)[];
}

/** Largest value of an integer payload word (ids, sequence numbers, pages: 31 bits). */
export const WORD_INT_MAX = 0x7fffffff;

function int<N extends string>(name: N, unit: string, min = 0, max = WORD_INT_MAX): FieldDecl & { readonly name: N } {
  return { name, unit, min, max };
}

function page<N extends string>(name: N): FieldDecl & { readonly name: N } {
  return int(name, 'page');
}

function real<N extends string>(name: N): FieldDecl & { readonly name: N } {
  return { name, unit: 'state word', min: -Infinity, max: Infinity, real: true };
}

const role = int('role', 'kvm_mmu_page_role: 0 normal, 1 smm, 2 guest mode', 0, 2);
const hvKind = int('kind', 'hypercall: 0 FLUSH_GUEST_PHYSICAL_ADDRESS_SPACE, 1 ..._LIST', 0, 1);
const callId = int('callId', 'id (kvm op or vCPU call)');
const hvFlushFields = [
  hvKind,
  page('ncr3'),
  page('gpa'),
  int('pages', 'pages'),
  int('seq', 'invalidation seq'),
  int('vm', 'host-local VM'),
  callId,
] as const;

/** The declaration, by message type. */
export const MESSAGES = {
  [Msg.Request]: {
    doc: 'kvm -> vcpu: kvm_make_request bits; ackId > 0 asks for a RequestAck (KVM_REQUEST_WAIT)',
    fields: [
      int('requests', 'REQ_* bits', 1, 7),
      int('arg', 'mmu_valid_gen for REQ_FREE_OBSOLETE_ROOTS, the invalidation seq for REQ_TLB_FLUSH'),
      null,
      null,
      null,
      null,
      int('ackId', 'kvm op id, 0: no ack'),
    ],
  },
  [Msg.RootAcquire]: { doc: 'vcpu -> kvm: kvm_mmu_load wants a root of this role', fields: [role] },
  [Msg.RootGrant]: {
    doc: 'kvm -> vcpu: the root to load',
    fields: [page('page'), int('inc', 'root incarnation'), int('gen', 'mmu_valid_gen at grant'), role],
  },
  [Msg.RootPut]: {
    doc: 'vcpu -> kvm: kvm_tdp_mmu_put_root',
    fields: [int('inc', 'root incarnation', 1), int('used', '1: the vCPU made guest accesses under the root', 0, 1)],
  },
  [Msg.HvFlush]: { doc: 'caller -> l0: a GPA flush hypercall', fields: hvFlushFields },
  [Msg.HvFlushApply]: {
    doc: "l0 -> partition (broadcast): the hypercall's flush, applied on every VP and the shared translations",
    fields: hvFlushFields,
  },
  [Msg.HvFlushAck]: { doc: 'unused (type number kept stable)', fields: [] },
  [Msg.HvFlushDone]: { doc: 'l0 -> caller: the call completed', fields: [null, null, null, null, null, null, callId] },
  [Msg.Remap]: {
    doc: 'kvm -> partition (broadcast): an SPTE change for the vCPU-side views, up to three pages',
    fields: [
      int('vm', 'host-local VM'),
      int('seq', 'invalidation seq'),
      page('gpa'),
      int('count', 'pages', 1, 3),
      page('hpa0'),
      page('hpa1'),
      page('hpa2'),
    ],
  },
  [Msg.Report]: {
    doc: 'vcpu -> kvm: a suspicious TLB hit for the checker (stale-hit.checker.ts)',
    fields: [
      int('flags', 'REPORT_* bits, flush kind, filler'),
      page('gpa'),
      page('hpa'),
      int('entryInc', 'root incarnation'),
      int('fillUs', 'us'),
      int('curInc', 'root incarnation'),
      int('gva', 'page, -1: a nested entry', -1),
    ],
  },
  [Msg.RequestAck]: {
    doc: 'vcpu -> kvm: a Request with an ack id was serviced',
    fields: [null, null, null, null, null, null, int('ackId', 'kvm op id', 1)],
  },
  [Msg.InvalDone]: {
    doc: 'kvm -> vcpu: ground truth, the old pages of this invalidation were freed',
    fields: [int('vm', 'host-local VM'), int('seq', 'invalidation seq')],
  },
  [Msg.PgdSwitch]: {
    doc: 'vcpu -> kvm: svm_load_mmu_pgd -> hv_track_root_tdp on a vmcb01/vmcb02 switch',
    fields: [page('page'), role],
  },
  [Msg.NestedFill]: {
    doc: "vcpu -> partition (broadcast): L0 filled a shared nested translation after this vCPU's walk",
    fields: [page('ncr3'), page('gpa'), page('hpa'), int('inc', 'root incarnation'), int('fillUs', 'us')],
  },
  [Msg.NestedFlush]: {
    doc: 'l0 or vcpu -> partition (broadcast): drop shared nested translations',
    fields: [hvKind, int('ncr3', 'page, -1: every address space', -1), page('gpa'), int('pages', 'pages')],
  },
  [Msg.VcpuMigrate]: {
    doc: 'a vCPU moving to another VP: chunk of its state (vcpu.state.ts)',
    fields: [
      int('chunk', 'index'),
      int('chunks', 'count', 1),
      real('w0'),
      real('w1'),
      real('w2'),
      real('w3'),
      real('w4'),
    ],
  },
} as const satisfies Record<Msg, MessageDecl>;

type Decl<T extends Msg> = (typeof MESSAGES)[T]['fields'];

/** A number for each word of a payload declaration (a homomorphic map keeps the tuple's length). */
type Words<F extends readonly unknown[]> = { -readonly [I in keyof F]: number };

/** The payload words of message type T, in order (the arguments after the type in `send`). */
export type Payload<T extends Msg> = Words<Decl<T>>;

type NamesOf<T extends Msg> = Extract<Decl<T>[number], { readonly name: string }>['name'];

/** Record offsets of message type T's named payload words. */
export type FieldOffsets<T extends Msg> = { readonly [N in NamesOf<T>]: number };

function offsetsOf(decl: MessageDecl): Record<string, number> {
  const out: Record<string, number> = {};
  decl.fields.forEach((f, i) => {
    if (f) out[f.name] = F_P0 + i;
  });
  return out;
}

/** Named offsets, from the record's start, of each message type's payload words: `b[o + MF[Msg.NestedFill].gpa]`. */
export const MF = Object.fromEntries(
  Object.entries(MESSAGES).map(([type, decl]) => [type, offsetsOf(decl)]),
) as unknown as { readonly [T in Msg]: FieldOffsets<T> };

/**
 * Offsets of the flush words that HvFlushApply and NestedFlush share, so a
 * replica applies either with one reader (kind, ncr3, gpa, pages).
 */
export const FLUSH_WORDS = MF[Msg.NestedFlush];
for (const name of ['kind', 'ncr3', 'gpa', 'pages'] as const) {
  assert(MF[Msg.HvFlushApply][name] === FLUSH_WORDS[name], `HvFlushApply.${name} and NestedFlush.${name} share a word`);
}
for (let i = 1; i < 3; i++)
  assert(MF[Msg.Remap][`hpa${i}` as 'hpa1'] === MF[Msg.Remap].hpa0 + i, 'Remap hpa0..hpa2 are consecutive');

/** A message record decoded by name, for traces, errors and tests. */
export interface DecodedMessage {
  type: string;
  timeNs: number;
  src: number;
  seq: number;
  dst: number;
  fields: Record<string, number>;
}

/** Decodes the record at offset o of b. */
export function decodeMessage(b: Float64Array, o: number): DecodedMessage {
  const type = b[o + F_TYPE] as Msg;
  const decl: MessageDecl | undefined = MESSAGES[type];
  if (!decl) fail(`message at ${o}: unknown type ${b[o + F_TYPE]}`);
  const fields: Record<string, number> = {};
  decl.fields.forEach((f, i) => {
    if (f) fields[f.name] = b[o + F_P0 + i];
  });
  return { type: Msg[type], timeNs: b[o + F_TIME], src: b[o + 1], seq: b[o + 2], dst: b[o + 3], fields };
}

/**
 * The debug-mode check of one record against its declaration: a known type,
 * a finite time, every used word in range (integers where declared), every
 * unused word 0. Returns the problem, or null.
 */
export function checkMessage(b: Float64Array, o: number): string | null {
  const type = b[o + F_TYPE] as Msg;
  const decl: MessageDecl | undefined = MESSAGES[type];
  if (!decl) return `unknown message type ${b[o + F_TYPE]}`;
  if (!(Number.isFinite(b[o + F_TIME]) && b[o + F_TIME] >= 0)) return `${Msg[type]}: time ${b[o + F_TIME]}`;
  for (let i = 0; i < MSG_WIDTH - F_P0; i++) {
    const v = b[o + F_P0 + i];
    const f = decl.fields[i];
    if (!f) {
      if (v !== 0) return `${Msg[type]}: unused word p${i} is ${v}`;
      continue;
    }
    if (Number.isNaN(v) || v < f.min || v > f.max || (!f.real && !Number.isInteger(v))) {
      return `${Msg[type]}.${f.name} (${f.unit}) is ${v}, not in ${f.real ? 'reals' : 'integers'} [${f.min}, ${f.max}]`;
    }
  }
  return null;
}
