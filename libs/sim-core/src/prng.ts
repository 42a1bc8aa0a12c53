/**
 * Seeded pseudo-random streams. Every actor owns one stream derived from
 * (seed, actor id), so a run's randomness does not depend on which shard,
 * process or machine an actor runs on.
 *
 * The generator is mulberry32: one 32-bit word of state, which keeps
 * snapshots tiny and lets the access loop keep the state in a local.
 */

/** Mixes a 32-bit word (the murmur3 finaliser); used to derive stream seeds. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The stream seed of one actor: independent streams for neighbouring ids. */
export function streamSeed(seed: number, actorId: number, salt = 0): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x100000000) >>> 0;
  return mix32(mix32(lo ^ mix32(actorId + 0x9e3779b9)) ^ mix32(hi + salt * 0x632be5ab));
}

/** One step of mulberry32; returns [nextState, output]. Kept inline-friendly. */
export function nextState(state: number): number {
  return (state + 0x6d2b79f5) | 0;
}

/** The output word for a mulberry32 state (after {@link nextState}). */
export function output(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

/** A seeded stream with helpers; the state is a plain number for snapshots. */
export class Prng {
  /** The 32-bit state; read and written by snapshots. */
  state: number;

  constructor(seedWord: number) {
    this.state = seedWord | 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.state = nextState(this.state);
    return output(this.state);
  }

  /** A uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 0x100000000;
  }

  /** A uniform integer in [0, n). */
  nextInt(n: number): number {
    return n <= 1 ? 0 : Math.floor(this.nextFloat() * n);
  }

  /**
   * The gap to the next event of a Poisson process with `ratePerUnit`,
   * at least 1 unit; Infinity for a zero rate.
   */
  nextExpGap(ratePerUnit: number): number {
    if (ratePerUnit <= 0) return Infinity;
    const u = 1 - this.nextFloat(); // (0, 1]
    return Math.max(1, Math.ceil(-Math.log(u) / ratePerUnit));
  }
}
