import { Prng } from './prng';
import { combinedTag, META_REPORTED_MAP, META_REPORTED_ROOT, setShiftOf, Tlb } from './tlb';

/**
 * Scope of every flush of {@link Tlb}, one test per row of
 * docs/flush-semantics.md (the table cites these test names verbatim).
 *
 * Each test fills the same fixture (combined entries for two ASIDs x two
 * PCIDs x two nCR3s x three GVA pages, nested entries for two nCR3s x the
 * three GPA pages behind those GVAs), applies one flush and compares the
 * exact set of surviving entries with the set the row promises.
 */

/** The guest page tables of the fixture: GPA = GVA + 0x1000, so GVA and GPA never coincide. */
const GPA_OFFSET = 0x1000;
const gpaOf = (gva: number): number => gva + GPA_OFFSET;

const ASIDS = [1, 2] as const;
const PCIDS = [1, 2] as const;
/** nCR3/EPTP page numbers of two roots. */
const R1 = 0x100;
const R2 = 0x200;
const ROOTS = [R1, R2] as const;
const GVAS = [0x10, 0x11, 0x12] as const;

interface CombinedKey {
  kind: 'C';
  asid: number;
  pcid: number;
  root: number;
  gva: number;
}
interface NestedKey {
  kind: 'N';
  root: number;
  gpa: number;
}
type Key = CombinedKey | NestedKey;

function name(k: Key): string {
  return k.kind === 'C'
    ? `C asid=${k.asid} pcid=${k.pcid} root=${k.root.toString(16)} gva=${k.gva.toString(16)}`
    : `N root=${k.root.toString(16)} gpa=${k.gpa.toString(16)}`;
}

/** Every entry of the fixture. */
function fixtureKeys(): Key[] {
  const keys: Key[] = [];
  for (const asid of ASIDS) {
    for (const pcid of PCIDS) {
      for (const root of ROOTS) for (const gva of GVAS) keys.push({ kind: 'C', asid, pcid, root, gva });
    }
  }
  for (const root of ROOTS) for (const gva of GVAS) keys.push({ kind: 'N', root, gpa: gpaOf(gva) });
  return keys;
}

/** A distinct HPA per entry, so a hit on the wrong entry is visible. */
function hpaOf(i: number): number {
  return 0x80000 + i;
}

function newTlb(): Tlb {
  return new Tlb(128, 4, gpaOf);
}

/** A 128-entry, 4-way TLB holding every fixture entry (at most 3 fall into one set). */
function filledTlb(): Tlb {
  const tlb = newTlb();
  fixtureKeys().forEach((k, i) => {
    if (k.kind === 'C') tlb.fill(combinedTag(k.asid, k.pcid), k.gva, hpaOf(i), k.root, 1, 0);
    else tlb.fill(k.root, k.gpa, hpaOf(i), k.root, 1, 0);
  });
  return tlb;
}

/** Whether the exact entry is present (combined lookups match the root as Intel's do). */
function present(tlb: Tlb, k: Key): boolean {
  return k.kind === 'C'
    ? tlb.lookupCombined(combinedTag(k.asid, k.pcid), k.gva, k.root) >= 0
    : tlb.lookupNested(k.root, k.gpa) >= 0;
}

/** Names of the fixture entries still present. */
function survivors(tlb: Tlb): string[] {
  return fixtureKeys()
    .filter((k) => present(tlb, k))
    .map(name);
}

/**
 * Applies `flush` to a full fixture TLB and checks that exactly the entries
 * for which `removed` holds are gone: survivors by lookup, the valid count
 * and the count the flush returned.
 */
function expectFlush(flush: (tlb: Tlb) => number, removed: (k: Key) => boolean): void {
  const tlb = filledTlb();
  const all = fixtureKeys();
  const gone = all.filter(removed);
  const n = flush(tlb);
  expect(survivors(tlb)).toEqual(all.filter((k) => !removed(k)).map(name));
  expect(tlb.countValid()).toBe(all.length - gone.length);
  expect(n).toBe(gone.length);
}

const isC = (k: Key): k is CombinedKey => k.kind === 'C';
const isN = (k: Key): k is NestedKey => k.kind === 'N';
/** The GPA behind an entry (derived through the guest page tables for combined ones). */
const gpaOfKey = (k: Key): number => (isC(k) ? gpaOf(k.gva) : k.gpa);

describe('Tlb fixture', () => {
  it('holds every fixture entry before a flush (no conflict evictions in 128 entries, 4 ways)', () => {
    const tlb = filledTlb();
    expect(survivors(tlb)).toEqual(fixtureKeys().map(name));
    expect(tlb.countValid()).toBe(fixtureKeys().length);
    expect(fixtureKeys().filter(isC)).toHaveLength(24);
    expect(fixtureKeys().filter(isN)).toHaveLength(6);
  });

  it('remembers for each combined entry the GPA behind it (gpaOfGva) and for nested entries the tagged GPA', () => {
    const tlb = newTlb();
    const c = tlb.fill(combinedTag(1, 1), 0x10, 0x777, R1, 3, 9);
    const n = tlb.fill(R1, 0x4242, 0x778, R1, 3, 9);
    expect(tlb.gpa(c)).toBe(0x1010);
    expect(tlb.gpa(n)).toBe(0x4242);
    expect(tlb.hpa(c)).toBe(0x777);
    expect(tlb.inc(n)).toBe(3);
  });
});

describe('Tlb flush scope (docs/flush-semantics.md)', () => {
  it("SVM ASID flush without the enlightenment removes the ASID's combined entries and every nested entry", () => {
    expectFlush(
      (t) => t.flushAsid(1, false),
      (k) => isN(k) || k.asid === 1,
    );
  });

  it("SVM ASID flush with HV_X64_NESTED_ENLIGHTENED_TLB removes only the ASID's combined entries", () => {
    expectFlush(
      (t) => t.flushAsid(1, true),
      (k) => isC(k) && k.asid === 1,
    );
  });

  it('INVEPT single-context removes guest-physical and combined entries of that EPTP only', () => {
    expectFlush(
      (t) => t.inveptSingle(R1),
      (k) => k.root === R1,
    );
  });

  it('INVEPT global removes every guest-physical and combined entry', () => {
    expectFlush(
      (t) => t.inveptGlobal(),
      () => true,
    );
  });

  it("INVVPID individual-address removes the VPID's combined entries for that GVA in every PCID and EPTP, never guest-physical", () => {
    expectFlush(
      (t) => t.invvpidAddress(1, 0x11),
      (k) => isC(k) && k.asid === 1 && k.gva === 0x11,
    );
  });

  it("INVVPID single-context removes the VPID's combined entries, never guest-physical", () => {
    expectFlush(
      (t) => t.invvpidSingle(2),
      (k) => isC(k) && k.asid === 2,
    );
  });

  it('INVVPID all-context removes every combined entry, never guest-physical', () => {
    expectFlush((t) => t.invvpidAll(), isC);
  });

  it('HvCallFlushGuestPhysicalAddressSpace removes nested entries of that nCR3 and combined entries derived under it', () => {
    expectFlush(
      (t) => t.hvFlushSpace(R2),
      (k) => k.root === R2,
    );
  });

  it('HvCallFlushGuestPhysicalAddressList removes entries of that nCR3 whose GPA is in the range, combined ones by their derived GPA', () => {
    // [gpa(0x11), gpa(0x11) + 2): GVA 0x11 and 0x12 behind it, 0x10 outside.
    expectFlush(
      (t) => t.hvFlushRange(R1, gpaOf(0x11), 2),
      (k) => k.root === R1 && gpaOfKey(k) >= gpaOf(0x11) && gpaOfKey(k) < gpaOf(0x11) + 2,
    );
  });

  it('HvCallFlushGuestPhysicalAddressList range boundaries: first and last page flushed, the pages before and after kept', () => {
    const tlb = newTlb();
    const start = 0x2000;
    const pages = 4096; // one full list entry
    const gpas = [start - 1, start, start + pages - 1, start + pages];
    // Nested entries under both roots and combined entries whose GPA is each boundary page.
    for (const root of ROOTS) {
      for (const g of gpas) {
        tlb.fill(root, g, g, root, 1, 0);
        tlb.fill(combinedTag(1, 1), g - GPA_OFFSET, g, root, 1, 0);
      }
    }
    expect(tlb.countValid()).toBe(16);
    expect(tlb.hvFlushRange(R1, start, pages)).toBe(4);
    const nested = (root: number): boolean[] => gpas.map((g) => tlb.lookupNested(root, g) >= 0);
    const combined = (root: number): boolean[] =>
      gpas.map((g) => tlb.lookupCombined(combinedTag(1, 1), g - GPA_OFFSET, root) >= 0);
    expect(nested(R1)).toEqual([true, false, false, true]);
    expect(combined(R1)).toEqual([true, false, false, true]);
    expect(nested(R2)).toEqual([true, true, true, true]);
    expect(combined(R2)).toEqual([true, true, true, true]);
    expect(tlb.countValid()).toBe(12);
  });

  it('guest INVLPG removes the combined entries of the current ASID and PCID for that GVA under every nCR3', () => {
    expectFlush(
      (t) => t.guestInvlpg(1, 2, 0x12),
      (k) => isC(k) && k.asid === 1 && k.pcid === 2 && k.gva === 0x12,
    );
  });

  it('guest INVPCID type 0 (individual address) removes the combined entries of (ASID, PCID, GVA)', () => {
    expectFlush(
      (t) => t.guestInvpcid(2, 0, 1, 0x10),
      (k) => isC(k) && k.asid === 2 && k.pcid === 1 && k.gva === 0x10,
    );
  });

  it('guest INVPCID type 1 (single context) removes the combined entries of (ASID, PCID)', () => {
    expectFlush(
      (t) => t.guestInvpcid(2, 1, 1, 0),
      (k) => isC(k) && k.asid === 2 && k.pcid === 1,
    );
  });

  it('guest INVPCID type 2 (all contexts, globals included) removes every combined entry of the ASID', () => {
    expectFlush(
      (t) => t.guestInvpcid(1, 2, 0, 0),
      (k) => isC(k) && k.asid === 1,
    );
  });

  it('guest INVPCID type 3 (all contexts but globals) removes every combined entry of the ASID', () => {
    expectFlush(
      (t) => t.guestInvpcid(1, 3, 0, 0),
      (k) => isC(k) && k.asid === 1,
    );
  });

  it('guest MOV CR3 without the PCID no-flush bit removes the combined entries of (ASID, new PCID)', () => {
    expectFlush(
      (t) => t.guestCr3Switch(1, 2, false),
      (k) => isC(k) && k.asid === 1 && k.pcid === 2,
    );
  });

  it('guest MOV CR3 with the PCID no-flush bit removes nothing', () => {
    expectFlush(
      (t) => t.guestCr3Switch(1, 2, true),
      () => false,
    );
  });

  it('bare-metal AMD arrival on a new pCPU (flushNestedAll) removes every nested entry, no combined one', () => {
    expectFlush((t) => t.flushNestedAll(), isN);
  });

  it('KVM_REQ_TLB_FLUSH (flushAll) removes every entry', () => {
    expectFlush(
      (t) => t.flushAll(),
      () => true,
    );
  });
});

/** `count` GVA pages whose combined entries of (ASID 1, PCID 1) fall into one set. */
function sameSetGvas(tlb: Tlb, count: number): number[] {
  const t0 = combinedTag(1, 1);
  const base = tlb.setBase(t0, 0x100);
  const out = [0x100];
  for (let g = 0x101; out.length < count; g++) if (tlb.setBase(t0, g) === base) out.push(g);
  return out;
}

describe('Tlb replacement and lookup', () => {
  const T0 = combinedTag(1, 1);

  it('evicts the least recently used entry of a full set, and a lookup refreshes an entry', () => {
    const tlb = newTlb();
    const [a, b, c, d, e, f] = sameSetGvas(tlb, 6);
    for (const g of [a, b, c, d]) tlb.fill(T0, g, g, R1, 1, 0);
    expect(tlb.lookupCombined(T0, a, -1)).toBeGreaterThanOrEqual(0); // a becomes most recent; b is LRU
    tlb.fill(T0, e, e, R1, 1, 0);
    const has = (g: number): boolean => tlb.lookupCombined(T0, g, -1) >= 0;
    expect(has(b)).toBe(false);
    // These lookups refresh c, d, e, a in that order (b missed): c is now LRU.
    for (const g of [c, d, e, a]) expect(has(g)).toBe(true);
    tlb.fill(T0, f, f, R1, 1, 0);
    expect([a, c, d, e, f].map(has)).toEqual([true, false, true, true, true]);
    expect(tlb.countValid()).toBe(4);
  });

  it('fills an invalid slot of the set before evicting the LRU entry', () => {
    const tlb = newTlb();
    const [a, b, c, d, e] = sameSetGvas(tlb, 5);
    const slots = [a, b, c, d].map((g) => tlb.fill(T0, g, g, R1, 1, 0));
    expect(tlb.guestInvlpg(1, 1, c)).toBe(1); // frees c's slot; a stays the LRU entry
    const slot = tlb.fill(T0, e, e, R1, 1, 0);
    expect(slot).toBe(slots[2]);
    const has = (g: number): boolean => tlb.lookupCombined(T0, g, -1) >= 0;
    expect([a, b, c, d, e].map(has)).toEqual([true, true, false, true, true]);
  });

  it('Intel combined lookup matches the EPTP the entry was derived under; AMD lookup (eptp -1) ignores it', () => {
    const tlb = newTlb();
    const slot = tlb.fill(T0, 0x10, 0x999, R1, 1, 0);
    expect(tlb.lookupCombined(T0, 0x10, R2)).toBe(-1);
    expect(tlb.lookupCombined(T0, 0x10, R1)).toBe(slot);
    expect(tlb.lookupCombined(T0, 0x10, -1)).toBe(slot);
    expect(tlb.hpa(slot)).toBe(0x999);
  });

  it('combined and nested entries with the same page number do not match each other', () => {
    const tlb = newTlb();
    tlb.fill(R1, 0x10, 0x1, R1, 1, 0);
    expect(tlb.lookupCombined(T0, 0x10, -1)).toBe(-1);
    tlb.fill(T0, 0x20, 0x2, R1, 1, 0);
    expect(tlb.lookupNested(R1, 0x20)).toBe(-1);
    expect(tlb.lookupNested(R1, 0x10)).toBeGreaterThanOrEqual(0);
  });

  it("keeps an entry's reported bits through lookups and renumbering, and replacement ignores them", () => {
    const tlb = newTlb();
    const [a, b, c, d, e] = sameSetGvas(tlb, 5);
    const [sa, sb] = [a, b, c, d].map((g) => tlb.fill(T0, g, g, R1, 1, 0));
    // The oldest entry carries both reported bits (the stamp word's top bits): it must still be the LRU.
    tlb.markReported(sa, META_REPORTED_ROOT | META_REPORTED_MAP);
    tlb.markReported(sb, META_REPORTED_MAP);
    expect(tlb.reportedBits(sa)).toBe(3);
    expect(tlb.lookupCombined(T0, b, -1)).toBe(sb); // b becomes most recent, keeping its bit
    expect(tlb.reportedBits(sb)).toBe(META_REPORTED_MAP);
    tlb.clock = 0x3fffffff; // the next stamp renumbers every stamp, order and bits kept
    expect(tlb.lookupCombined(T0, b, -1)).toBe(sb);
    expect(tlb.reportedBits(sb)).toBe(META_REPORTED_MAP);
    expect(tlb.stamp(sb)).toBe(tlb.clock);
    expect(tlb.fill(T0, e, e, R1, 1, 0)).toBe(sa); // a was least recently used, its bits notwithstanding
    expect(tlb.reportedBits(sa)).toBe(0); // a new entry starts unreported
  });

  it('picks the same set with the shift as with the multiply (power-of-two set counts), and the multiply otherwise', () => {
    expect([1, 2, 3, 96, 128].map(setShiftOf)).toEqual([-1, 31, -1, -1, 25]);
    const prng = new Prng(5);
    for (const sets of [1, 2, 3, 96, 128, 4096]) {
      const tlb = new Tlb(sets * 4, 4);
      for (let k = 0; k < 2000; k++) {
        const t0 = prng.nextU32() | 0;
        const t1 = prng.nextU32() | 0;
        const h = (Math.imul(t0, 0x9e3779b1) ^ Math.imul(t1 + 0x7f4a7c15, 0x85ebca77)) >>> 0;
        expect(tlb.setBase(t0, t1)).toBe(Math.floor((h * sets) / 0x100000000) * 4);
      }
    }
  });

  it('counts changes of slot contents in writes (fills, invalidations, restores), not LRU or checker bits, and snapshots the stamps', () => {
    const tlb = newTlb();
    const [a, b] = sameSetGvas(tlb, 2);
    const sa = tlb.fill(T0, a, a, R1, 1, 0);
    expect(tlb.writes).toBe(1);
    tlb.fill(T0, b, b, R1, 1, 0);
    expect(tlb.writes).toBe(2);
    const saved = tlb.save();
    const stampA = tlb.stamp(sa);
    tlb.lookupCombined(T0, a, -1);
    tlb.markReported(sa, META_REPORTED_ROOT);
    expect(tlb.writes).toBe(2); // a hit and a report change no entry
    expect(tlb.guestInvlpg(9, 9, a)).toBe(0);
    expect(tlb.writes).toBe(2); // a flush that removes nothing changes nothing
    expect(tlb.flushAll()).toBe(2);
    expect(tlb.writes).toBe(3);
    tlb.load(saved);
    expect(tlb.writes).toBe(4);
    // The restore brings back the stamps and the slots' checker bits: a's stamp before the hit, unreported.
    expect(tlb.stamp(sa)).toBe(stampA);
    expect(tlb.reportedBits(sa)).toBe(0);
  });

  it('rejects a geometry whose entries are not a positive multiple of the ways', () => {
    expect(() => new Tlb(60, 8)).toThrow(/multiple of ways/);
    expect(() => new Tlb(64, 0)).toThrow(/multiple of ways/);
  });
});
