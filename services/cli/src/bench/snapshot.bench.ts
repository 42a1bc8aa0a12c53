/**
 * The snapshot benchmark: what one shard's snapshot costs on scenarios/fleet.yaml
 * (shard 0 of 2: 512 vCPUs, what a worker's shard holds in `npm run bench`, on
 * the distributed runs' length), where the run takes its first periodic
 * snapshot (window `run.snapshotEveryWindows`: the TLBs are full by then, and
 * a snapshot is twice its size at window 200), step by step, against the time
 * of the shard's windows: the kernel's copy of its state (`ShardSim.snapshot`),
 * the encoding, the bytes, the store's write (the staging SET and the fenced
 * rename, one round trip, on a redis-server with the compose settings: AOF,
 * fsync every second) with Redis's own CPU for it, with its AOF and without,
 * and on resume the decoding and the restore. From these: the redo after a
 * crash at the default interval (the wall time of the interval's windows, as
 * run), the share of a run snapshots cost there, and the interval that redoes
 * 2 s. Then the churn: the share of the state's words that changed over the
 * next interval, and over shorter ones ending with it, which bounds what an
 * incremental snapshot could save.
 */
import { cpuUsage } from 'process';
import {
  JobKeys,
  RedisShardStore,
  createRedis,
  decodeSnapshot,
  decodeSnapshotChain,
  emptyTransportStats,
  encodeSnapshot,
  sendSegment,
  ShardExchangeStore,
  SnapshotChain,
  StoredSnapshot,
} from '@tlbsim/jobs';
import { ShardSim, SimConfig } from '@tlbsim/sim-core';
import { startLocalRedis } from '../local-cluster';
import { redisUseOf } from './bench.redis-info';
import { arraysByPath, ArraysByPath, churnOf } from './snapshot.churn';

/** Windows run between two measured snapshots. */
const BETWEEN_WINDOWS = 40;
/** Snapshots taken; each figure is their median. */
const SNAPSHOTS = 3;
/** The redo a crash may cost at the default interval (issue 27's target). */
const REDO_TARGET_MS = 2000;
/** Intervals (windows) over which the churn is measured besides the snapshot interval itself. */
const CHURN_WINDOWS = [256, 1024] as const;

/** Wall and CPU milliseconds of one step. */
interface Cost {
  wallMs: number;
  cpuMs: number;
}

type Step = 'copy' | 'encode' | 'send' | 'write' | 'decode' | 'restore';

async function timed<T>(f: () => T | Promise<T>): Promise<[T, Cost]> {
  const c0 = cpuUsage();
  const t0 = performance.now();
  const v = await f();
  const c = cpuUsage(c0);
  return [v, { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const medianCost = (cs: Cost[]): Cost => ({
  wallMs: round(median(cs.map((c) => c.wallMs))),
  cpuMs: round(median(cs.map((c) => c.cpuMs))),
});
const round = (x: number): number => Math.round(x * 10) / 10;
const share = (x: number): number => Math.round(x * 1000) / 1000;

/** Redis's CPU so far, ms. */
const redisCpuMs = async (redis: ReturnType<typeof createRedis>): Promise<number> => (await redisUseOf(redis)).cpuMs;

/**
 * Runs `sim` (a shard of fleet.yaml's block placement: no neighbours, no inbound) up to window `to` or its
 * end; `at(w)` is called before window `w` runs (to copy the state there). Returns the windows' wall ms.
 */
function runTo(sim: ShardSim, to: number, at: (window: number) => void = () => {}): number {
  const t0 = performance.now();
  while (sim.window < to) {
    at(sim.window);
    if (sim.runWindow([]).done) break;
  }
  return performance.now() - t0;
}

/** The store's side of the bench: a private redis-server with the compose settings and shard 0's claim on it. */
async function openStore(): Promise<{
  redis: ReturnType<typeof createRedis>;
  write: (bytes: Buffer, keepFrom: number, base?: Buffer | null) => Promise<unknown>;
  x: ShardExchangeStore;
  token: string;
  key: string;
  stop: () => Promise<void>;
}> {
  const local = await startLocalRedis('redis-server');
  const redis = createRedis(local.url, 'snapshot-bench');
  const stop = async (): Promise<void> => {
    redis.disconnect();
    await local.stop();
  };
  try {
    const keys = new JobKeys('snapshot-bench', 'fleet');
    const x = new RedisShardStore(redis, keys).exchange(0, 2);
    const claim = await x.claim();
    if (!claim) throw new Error('snapshot bench: no claim');
    const write = (bytes: Buffer, keepFrom: number, base?: Buffer | null): Promise<unknown> =>
      x.saveSnapshot(bytes, keepFrom, claim.token, base);
    return { redis, write, x, token: claim.token, key: keys.snapshot(0), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `sim`'s state as a run stores it (the live arrays: encode before it runs on). */
const storedOf = (sim: ShardSim): StoredSnapshot => ({
  sim: sim.snapshot({ alias: true }),
  stats: emptyTransportStats(),
});

/** One snapshot's steps (medians of {@link SNAPSHOTS}, {@link BETWEEN_WINDOWS} apart), its bytes and Redis's CPU. */
interface Steps {
  steps: Record<Step, Cost>;
  encoded: Buffer;
  redisCpuMsPerWrite: number;
}

/** {@link SNAPSHOTS} snapshots of `sim` from its current window on, each step timed. */
async function measureSteps(
  cfg: SimConfig,
  sim: ShardSim,
  store: Awaited<ReturnType<typeof openStore>>,
): Promise<Steps> {
  const steps: Record<Step, Cost[]> = { copy: [], encode: [], send: [], write: [], decode: [], restore: [] };
  const redisCpu: number[] = [];
  let encoded: Buffer = Buffer.alloc(0);
  for (let i = 0; i < SNAPSHOTS; i++) {
    if (i > 0) runTo(sim, sim.window + BETWEEN_WINDOWS);
    // As the distributed path takes it: the live arrays, encoded before the shard runs on.
    const [snap, copy] = await timed(() => sim.snapshot({ alias: true }));
    const [bytes, encode] = await timed(() => encodeSnapshot({ sim: snap, stats: emptyTransportStats() }));
    encoded = bytes;
    const r0 = await redisCpuMs(store.redis);
    // The send is what the shard's thread pays before it runs on (the client builds the command); the write's
    // reply comes later, and the shard takes it at a later window (shard-execution.service.ts).
    const [sent, send] = await timed(() => ({ reply: store.write(bytes, sim.window - 1) }));
    const [, write] = await timed(() => sent.reply);
    redisCpu.push((await redisCpuMs(store.redis)) - r0);
    const [decoded, decode] = await timed(() => decodeSnapshot(bytes));
    const [, restore] = await timed(() => ShardSim.restore(cfg, decoded.sim));
    Object.entries({ copy, encode, send, write, decode, restore }).forEach(([k, c]) => steps[k as Step].push(c));
  }
  const medians = Object.fromEntries(Object.entries(steps).map(([k, cs]) => [k, medianCost(cs)]));
  return { steps: medians as Record<Step, Cost>, encoded, redisCpuMsPerWrite: median(redisCpu) };
}

/**
 * Redis's CPU for the same write with its AOF turned off (`CONFIG SET appendonly no`): what keeping snapshots
 * out of the AOF would save. Last, since it changes the server.
 */
async function redisCpuWithoutAof(store: Awaited<ReturnType<typeof openStore>>, bytes: Buffer, keepFrom: number) {
  await store.redis.config('SET', 'appendonly', 'no');
  const cpu: number[] = [];
  for (let i = 0; i < SNAPSHOTS; i++) {
    const r0 = await redisCpuMs(store.redis);
    await store.write(bytes, keepFrom);
    cpu.push((await redisCpuMs(store.redis)) - r0);
  }
  return median(cpu);
}

/**
 * Runs `every` windows on from `sim`'s window, copying the state where the intervals of {@link CHURN_WINDOWS}
 * and `every` that end with it begin; the share of words changed over each (null where the run ended first),
 * the changed words over `every`, and the windows' wall ms without the copies.
 */
function measureChurn(sim: ShardSim, every: number) {
  const end = sim.window + every;
  const intervals = [...CHURN_WINDOWS.filter((w) => w < every), every];
  const before = new Map<number, ArraysByPath>();
  let copyMs = 0;
  const runMs = runTo(sim, end, (w) => {
    if (!intervals.includes(end - w)) return;
    const t0 = performance.now();
    before.set(w, arraysByPath(sim.snapshot({ alias: true })));
    copyMs += performance.now() - t0;
  });
  const after = sim.window === end ? arraysByPath(sim.snapshot({ alias: true })) : null;
  const shares: Record<string, number | null> = {};
  let changedWordsAtInterval: number | null = null;
  for (const w of intervals) {
    const from = before.get(end - w);
    const churn = after && from ? churnOf(from, after) : null;
    shares[w] = churn && share(churn.changedWords / churn.words);
    if (w === every) changedWordsAtInterval = churn?.changedWords ?? null;
  }
  return { shares, changedWordsAtInterval, wallMs: runMs - copyMs, windows: sim.window - (end - every) };
}

/**
 * The delta segment of `sim` against the chain `chain` began (its full segment stored): its bytes, encoding,
 * send and write with Redis's CPU, and the decoding of the chain a resume reads (full and delta).
 */
async function measureDelta(sim: ShardSim, store: Awaited<ReturnType<typeof openStore>>, chain: SnapshotChain) {
  const stored: StoredSnapshot = { sim: sim.snapshot({ alias: true }), stats: emptyTransportStats() };
  const [seg, encode] = await timed(() => chain.next(stored));
  if (!seg.base) return null;
  const r0 = await redisCpuMs(store.redis);
  const [sent, send] = await timed(() => ({ reply: store.write(seg.bytes, sim.window - 1, seg.base) }));
  const [reply, write] = await timed(() => sent.reply);
  const redisMs = (await redisCpuMs(store.redis)) - r0;
  const chainBytes = (await store.redis.getBuffer(store.key))!;
  const [decoded, decode] = await timed(() => decodeSnapshotChain(chainBytes));
  const round2 = (c: Cost): Cost => ({ wallMs: round(c.wallMs), cpuMs: round(c.cpuMs) });
  return {
    reply,
    bytes: seg.bytes.length,
    chainBytes: decoded.chainBytes,
    steps: { encode: round2(encode), send: round2(send), write: round2(write), decodeChain: round2(decode) },
    redisCpuMsPerWrite: round(redisMs),
  };
}

/** One shard's snapshot on `cfg` where the run takes its first one, step by step, with the churn after it. */
export async function benchSnapshot(cfg: SimConfig): Promise<object> {
  // fleet.yaml does not set it: the default, unless the bench's overrides do.
  const every = cfg.run.snapshotEveryWindows;
  const sim = new ShardSim(cfg, 0, 2);
  const firstMs = runTo(sim, every);
  const firstWindows = sim.window;
  const store = await openStore();
  try {
    const m = await measureSteps(cfg, sim, store);
    const atWindow = sim.window;
    // An incremental chain from here: its full segment, then the delta after the interval (snapshot-chain.ts).
    const chain = new SnapshotChain(1);
    await sendSegment(store.x, chain, storedOf(sim), sim.window - 1, store.token, true);
    const churn = measureChurn(sim, every);
    const delta = churn.windows === every ? await measureDelta(sim, store, chain) : null;
    const withoutAof = await redisCpuWithoutAof(store, m.encoded, sim.window - 1);
    const windowMs = (firstMs + churn.wallMs) / (firstWindows + churn.windows);
    // What the running shard pays: its state copied and encoded, and the write sent (not its round trip: the
    // shard runs on while the write is under way).
    const perSnapshotMs = m.steps.copy.wallMs + m.steps.encode.wallMs + m.steps.send.wallMs;
    const redoMs = Math.max(firstMs, churn.windows === every ? churn.wallMs : 0);
    return {
      vcpus: cfg.fleet.vmsPerHost * cfg.fleet.vcpusPerVm * (cfg.fleet.hosts / 2),
      accessesPerVcpu: cfg.workload.accessesPerVcpu,
      atWindow,
      bytes: m.encoded.length,
      windowMs: round(windowMs),
      warmupWindowMs: round(firstMs / firstWindows),
      steps: m.steps,
      redisCpuMsPerWrite: round(m.redisCpuMsPerWrite),
      redisCpuMsPerWriteWithoutAof: round(withoutAof),
      perSnapshotMs: round(perSnapshotMs),
      snapshotEveryWindows: every,
      redoMsAtInterval: round(redoMs),
      costShareAtInterval: share(perSnapshotMs / (every * windowMs + perSnapshotMs)),
      // The shard's cost and Redis's (with its AOF rewrites): on a machine whose cores the workers fill, both.
      machineCostShareAtInterval: share((perSnapshotMs + m.redisCpuMsPerWrite) / (every * windowMs + perSnapshotMs)),
      windowsFor2sRedo: Math.floor(REDO_TARGET_MS / windowMs),
      churnByWindows: churn.shares,
      // A delta holds at least every changed word: the floor of an incremental snapshot at the interval.
      incrementalBytesMinAtInterval: churn.changedWordsAtInterval === null ? null : 4 * churn.changedWordsAtInterval,
      // The delta segment a run stores at the next snapshot, against the full one at atWindow.
      deltaAtInterval: delta,
    };
  } finally {
    await store.stop();
  }
}
