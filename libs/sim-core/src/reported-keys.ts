/** Slots of an empty table (a power of two). */
const CAPACITY_MIN = 64;

/**
 * A set of positive integer keys below 2^53: the shared entries one vCPU
 * has already reported (stale-hit.checker.ts). The checker asks it on every
 * stale hit in the partition's translations, millions of times in a long
 * fleet run; a JS `Set` boxes keys above 2^31 on each lookup, this table of
 * doubles does not. Open addressing with linear probing, at most half full;
 * 0 marks an empty slot (no key is 0).
 */
export class ReportedKeys {
  /** Empty until the first key: most vCPUs never report a shared entry. */
  private table = new Float64Array(0);
  private count = 0;

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the table (grows with the keys: 16 bytes per key at worst, twice that after a doubling). */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Whether `key` is in the set. */
  has(key: number): boolean {
    const t = this.table;
    if (t.length === 0) return false;
    const mask = t.length - 1;
    for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
      const k = t[i];
      if (k === key) return true;
      if (k === 0) return false;
    }
  }

  /** Adds `key` (a positive integer below 2^53). */
  add(key: number): void {
    if (!(key > 0 && key <= Number.MAX_SAFE_INTEGER && key === Math.floor(key)))
      throw new Error(`reported key ${key} is not a positive safe integer`);
    if (2 * (this.count + 1) > this.table.length) this.grow();
    if (insert(this.table, key)) this.count++;
  }

  /** Removes every key (and gives the memory back). */
  clear(): void {
    this.table = new Float64Array(0);
    this.count = 0;
  }

  /** The keys, ascending (a canonical order for snapshots). */
  keys(): number[] {
    const out: number[] = [];
    for (const k of this.table) if (k !== 0) out.push(k);
    return out.sort((a, b) => a - b);
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(Math.max(CAPACITY_MIN, old.length * 2));
    for (const k of old) if (k !== 0) insert(this.table, k);
  }
}

/** Home slot of a key: both 32-bit halves mixed (keys differ mostly in their low bits). */
function slotOf(key: number, mask: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / 0x100000000);
  const h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  return (h ^ (h >>> 15)) & mask;
}

/** Puts `key` into `t` unless it is there; returns whether it was added. */
function insert(t: Float64Array, key: number): boolean {
  const mask = t.length - 1;
  for (let i = slotOf(key, mask); ; i = (i + 1) & mask) {
    const k = t[i];
    if (k === key) return false;
    if (k === 0) {
      t[i] = key;
      return true;
    }
  }
}
