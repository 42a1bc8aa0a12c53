#!/usr/bin/env node
/**
 * How fast can a TLB hit loop go on this machine, as a function of how many
 * vCPUs' TLBs it sweeps and how many accesses each gets per turn? A
 * stand-alone model of the kernel's access loop (vcpu.actor.ts: a 1,536-entry
 * 12-way TLB of 28-byte slots, a per-page way hint, 80 % of draws on 64 hot
 * pages of 1,024), with none of the simulator around it. It separates what
 * the memory system allows from what the kernel adds (BENCHMARKS.md).
 *
 *   node scripts/tlb-memory-floor.js          prints one JSON object
 *
 * `spread` runs put the same slots on six times as many 4 KiB pages (one set
 * per page): same cache lines, more page walks.
 */
'use strict';

const STRIDE = 7;
const ENTRIES = 1536;
const WAYS = 12;
const SETS = ENTRIES / WAYS;
const SET_SHIFT = 32 - Math.log2(SETS);
const ACCESSES = 60e6;

function draw(s) {
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

function vcpu(spread) {
  const setWords = spread ? 1024 : WAYS * STRIDE;
  const sl = new Int32Array(SETS * setWords);
  for (let set = 0; set < SETS; set++) for (let w = 0; w < WAYS; w++) sl[set * setWords + w * STRIDE] = -1;
  return { sl, setWords, hint: new Uint8Array(1024), clock: 0, s: 12345 };
}

/** `n` accesses of one vCPU: hinted probe, else a scan with LRU fill. Returns hits. */
function batch(v, n) {
  const { sl, hint, setWords } = v;
  const ctag = 0x40000000 | (5 << 12) | 1;
  const ctagMul = Math.imul(ctag, 0x9e3779b1);
  const hotCut = Math.floor(0.8 * 0x100000000);
  let s = v.s;
  let clock = v.clock;
  let hits = 0;
  for (let k = 0; k < n; k++) {
    s = (s + 0x6d2b79f5) | 0;
    const r1 = draw(s);
    s = (s + 0x6d2b79f5) | 0;
    const r2 = draw(s);
    const x = r1 < hotCut ? r2 >>> 26 : r2 >>> 22;
    const set = (ctagMul ^ Math.imul(x + 0x7f4a7c15, 0x85ebca77)) >>> SET_SHIFT;
    const base = set * setWords;
    let o = base + hint[x] * STRIDE;
    if (sl[o + 1] === x && sl[o] === ctag) {
      sl[o + 4] = ++clock;
      hits++;
      continue;
    }
    let victim = base;
    let oldest = 0x7fffffff;
    let found = false;
    for (let w = 0; w < WAYS; w++) {
      o = base + w * STRIDE;
      if (sl[o + 1] === x && sl[o] === ctag) {
        hint[x] = w;
        sl[o + 4] = ++clock;
        hits++;
        found = true;
        break;
      }
      const stamp = sl[o] === -1 ? -1 : sl[o + 4];
      if (stamp < oldest) {
        oldest = stamp;
        victim = o;
      }
    }
    if (found) continue;
    sl[victim] = ctag;
    sl[victim + 1] = x;
    sl[victim + 4] = ++clock;
    hint[x] = (victim - base) / STRIDE;
  }
  v.s = s;
  v.clock = clock;
  return hits;
}

function run(vcpus, perTurn, spread) {
  const vs = Array.from({ length: vcpus }, () => vcpu(spread));
  // Warm up: every TLB holds its working set and the loop is optimised.
  for (const v of vs) batch(v, 20000);
  let done = 0;
  const t0 = process.hrtime.bigint();
  while (done < ACCESSES) {
    for (const v of vs) batch(v, perTurn);
    done += vcpus * perTurn;
  }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  return { vcpus, accessesPerTurn: perTurn, spread, accessesPerSec: Math.round(done / sec) };
}

const runs = [
  run(1, 200, false),
  run(64, 200, false),
  run(256, 200, false),
  run(256, 200, true),
  run(1024, 200, false),
  run(1024, 2000, false),
  run(1024, 20000, false),
];
console.log(JSON.stringify({ command: 'node scripts/tlb-memory-floor.js', node: process.version, runs }, null, 2));
