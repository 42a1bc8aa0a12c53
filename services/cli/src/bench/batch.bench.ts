/**
 * The batch codec benchmark: the cross-shard batches of scenarios/fleet.yaml
 * with 4 shards and round-robin placement (every host split over the
 * shards, the four-shards part of the distributed benchmark), taken from
 * the kernel in process, then their bytes and the CPU to encode and decode
 * them, per message, against the raw float64 records the transport stored
 * before the column encoding (libs/jobs batch-columns.codec.ts). CPU time,
 * not wall time: the figures hold on a shared machine.
 */
import { cpuUsage } from 'process';
import { join } from 'path';
import { decodeBatch, encodeBatch } from '@tlbsim/jobs';
import { F_TYPE, Msg, MSG_WIDTH, ShardSim, SimConfig } from '@tlbsim/sim-core';
import { loadScenarioFile } from '../scenario.loader';

const ROOT = join(__dirname, '..', '..', '..', '..');
/** Shards of the run the batches come from (the four-shards part's). */
const SHARDS = 4;
/** Windows run before batches are kept (TLBs and partition caches fill). @defaultValue 100 */
const WARMUP_WINDOWS = 100;
/** Windows whose batches are kept. @defaultValue 200 */
const KEPT_WINDOWS = 200;
/** Passes over the kept batches per measurement; each figure is the median pass. @defaultValue 7 */
const PASSES = 7;

/** CPU nanoseconds of `f` per message of `messages`: the median of {@link PASSES} passes, after one to warm up. */
function cpuNsPerMessage(messages: number, f: () => void): number {
  f();
  const passes: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const c0 = cpuUsage();
    f();
    const c = cpuUsage(c0);
    passes.push(((c.user + c.system) * 1000) / messages);
  }
  return Math.round(10 * passes.sort((a, b) => a - b)[PASSES >> 1]) / 10;
}

/** The batches shards send each other in windows `warmup` .. `warmup + kept - 1`, shards run in lockstep. */
export function crossShardBatches(cfg: SimConfig, warmup: number, kept: number): Float64Array[] {
  const sims = Array.from({ length: SHARDS }, (_, s) => new ShardSim(cfg, s, SHARDS));
  let inbound: Float64Array[][] = sims.map(() => []);
  const out: Float64Array[] = [];
  for (let w = 0; w < warmup + kept; w++) {
    const next: Float64Array[][] = sims.map(() => []);
    for (const sim of sims) {
      // Copies: an outbound batch is a view of the shard's outbox, reused by its next window.
      for (const [dst, b] of sim.runWindow(inbound[sim.shard]).outbound) if (b.length > 0) next[dst].push(b.slice());
    }
    if (w >= warmup) out.push(...next.flat());
    inbound = next;
  }
  return out;
}

/** Share of the messages of each type, largest first. */
function typeShares(batches: readonly Float64Array[], messages: number): Record<string, number> {
  const counts = new Map<number, number>();
  for (const b of batches)
    for (let o = F_TYPE; o < b.length; o += MSG_WIDTH) counts.set(b[o], (counts.get(b[o]) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(sorted.map(([t, n]) => [Msg[t] ?? String(t), Math.round((1000 * n) / messages) / 1000]));
}

/** Bytes and CPU per cross-shard message, raw records against the column encoding. */
export function benchBatch(cfg: SimConfig): object {
  const spread: SimConfig = { ...cfg, run: { ...cfg.run, placement: 'round-robin' } };
  const batches = crossShardBatches(spread, WARMUP_WINDOWS, KEPT_WINDOWS);
  const messages = batches.reduce((n, b) => n + b.length / MSG_WIDTH, 0);
  const encoded = batches.map(encodeBatch);
  // As a member's batch sits in a ZRANGEBYSCORE reply: after `<window>:<sender>:`, at any offset.
  const members = encoded.map((e) => Buffer.concat([Buffer.from('123:1:'), e]).subarray(6));
  const raw = batches.map((b) => Buffer.concat([Buffer.from('123:1:'), Buffer.from(b.buffer)]).subarray(6));
  const bytes = encoded.reduce((n, e) => n + e.length, 0);
  return {
    placement: 'round-robin',
    shards: SHARDS,
    windows: KEPT_WINDOWS,
    batches: batches.length,
    messages,
    types: typeShares(batches, messages),
    rawBytesPerMessage: 8 * MSG_WIDTH,
    bytesPerMessage: Math.round((100 * bytes) / messages) / 100,
    ratio: Math.round((100 * 8 * MSG_WIDTH * messages) / bytes) / 100,
    encodeCpuNsPerMessage: cpuNsPerMessage(messages, () => batches.forEach(encodeBatch)),
    decodeCpuNsPerMessage: cpuNsPerMessage(messages, () => members.forEach(decodeBatch)),
    // The raw format's decode: one copy to an aligned array (its encode was a view, no CPU).
    rawDecodeCpuNsPerMessage: cpuNsPerMessage(messages, () =>
      raw.forEach((r) => new Uint8Array(new Float64Array(r.length / 8).buffer).set(r)),
    ),
  };
}

if (require.main === module) {
  const accesses = process.env.TLBSIM_BENCH_ACCESSES ?? '30000';
  const cfg = loadScenarioFile(join(ROOT, 'scenarios', 'fleet.yaml'), [`workload.accessesPerVcpu=${accesses}`]);
  process.stdout.write(`${JSON.stringify(benchBatch(cfg), null, 2)}\n`);
}
