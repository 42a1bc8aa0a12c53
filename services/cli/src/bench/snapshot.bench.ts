/**
 * The snapshot benchmark: what one shard's snapshot costs on scenarios/fleet.yaml
 * (shard 0 of 2: 512 vCPUs, what a worker's shard holds in `npm run bench`),
 * step by step, against the time of the shard's windows: the kernel's copy
 * of its state (`ShardSim.snapshot`), the encoding, the bytes, the store's
 * write (the staging SET and the fenced rename, one round trip, on a
 * redis-server with the compose settings: AOF, fsync every second) with
 * Redis's own CPU for it, and on resume the decoding and the restore.
 * From these: the redo after a crash at the default `run.snapshotEveryWindows`,
 * the share of a run snapshots cost there, and the interval that redoes 2 s.
 */
import { cpuUsage } from 'process';
import {
  JobKeys,
  RedisShardStore,
  createRedis,
  decodeSnapshot,
  emptyTransportStats,
  encodeSnapshot,
} from '@tlbsim/jobs';
import { ShardSim, SimConfig } from '@tlbsim/sim-core';
import { startLocalRedis } from '../local-cluster';

/** Windows run before the first snapshot (the TLBs fill). */
const WARMUP_WINDOWS = 200;
/** Windows run between two snapshots (their time gives the window's). */
const BETWEEN_WINDOWS = 40;
/** Snapshots taken; each figure is their median. */
const SNAPSHOTS = 3;
/** The redo a crash may cost at the default interval (issue 27's target). */
const REDO_TARGET_MS = 2000;

/** Wall and CPU milliseconds of one step. */
interface Cost {
  wallMs: number;
  cpuMs: number;
}

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

/** Redis's CPU so far (main thread and background threads), ms. */
async function redisCpuMs(redis: ReturnType<typeof createRedis>): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  // With its children: the AOF rewrites that the snapshots' bytes set off run in forked processes.
  const parts = ['used_cpu_user', 'used_cpu_sys', 'used_cpu_user_children', 'used_cpu_sys_children'];
  return parts.reduce((n, p) => n + field(p), 0) * 1000;
}

/** Runs `n` windows of `sim` (a shard of fleet.yaml's block placement: no neighbours, no inbound). */
function runWindows(sim: ShardSim, n: number): void {
  for (let i = 0; i < n; i++) sim.runWindow([]);
}

/** One shard's snapshot on `cfg`, step by step (medians of {@link SNAPSHOTS}), and what they imply. */
export async function benchSnapshot(cfg: SimConfig): Promise<object> {
  const sim = new ShardSim(cfg, 0, 2);
  const [, warm] = await timed(() => runWindows(sim, WARMUP_WINDOWS));
  const local = await startLocalRedis('redis-server');
  const redis = createRedis(local.url, 'snapshot-bench');
  try {
    const x = new RedisShardStore(redis, new JobKeys('snapshot-bench', 'fleet')).exchange(0, 2);
    const claim = await x.claim();
    if (!claim) throw new Error('snapshot bench: no claim');
    const steps: Record<'copy' | 'encode' | 'send' | 'write' | 'decode' | 'restore', Cost[]> = {
      copy: [],
      encode: [],
      send: [],
      write: [],
      decode: [],
      restore: [],
    };
    const windows: Cost[] = [];
    const redisCpu: number[] = [];
    let bytes = 0;
    for (let i = 0; i < SNAPSHOTS; i++) {
      windows.push((await timed(() => runWindows(sim, BETWEEN_WINDOWS)))[1]);
      // As the distributed path takes it: the live arrays, encoded before the shard runs on.
      const [snap, copy] = await timed(() => sim.snapshot({ alias: true }));
      const [encoded, encode] = await timed(() => encodeSnapshot({ sim: snap, stats: emptyTransportStats() }));
      const r0 = await redisCpuMs(redis);
      // The send is what the shard's thread pays before it runs on (the client builds the command); the write's
      // reply comes later, and the shard takes it at a later window (shard-execution.service.ts).
      const [sent, send] = await timed(() => ({ reply: x.saveSnapshot(encoded, sim.window - 1, claim.token) }));
      const [, write] = await timed(() => sent.reply);
      redisCpu.push((await redisCpuMs(redis)) - r0);
      const [decoded, decode] = await timed(() => decodeSnapshot(encoded));
      const [, restore] = await timed(() => ShardSim.restore(cfg, decoded.sim));
      bytes = encoded.length;
      Object.entries({ copy, encode, send, write, decode, restore }).forEach(([k, c]) => steps[k as 'copy'].push(c));
    }
    const windowMs = median(windows.map((w) => w.wallMs)) / BETWEEN_WINDOWS;
    // What the running shard pays: its state copied and encoded, and the write sent (not its round trip: the
    // shard runs on while the write is under way).
    const perSnapshotMs = ['copy', 'encode', 'send'].reduce(
      (n, k) => n + median(steps[k as 'copy'].map((c) => c.wallMs)),
      0,
    );
    // fleet.yaml does not set it: the default, unless the bench's overrides do.
    const every = cfg.run.snapshotEveryWindows;
    return {
      vcpus: cfg.fleet.vmsPerHost * cfg.fleet.vcpusPerVm * (cfg.fleet.hosts / 2),
      bytes,
      windowMs: round(windowMs),
      warmupWindowMs: round(warm.wallMs / WARMUP_WINDOWS),
      steps: Object.fromEntries(Object.entries(steps).map(([k, cs]) => [k, medianCost(cs)])),
      redisCpuMsPerWrite: round(median(redisCpu)),
      perSnapshotMs: round(perSnapshotMs),
      snapshotEveryWindows: every,
      redoMsAtInterval: round(every * windowMs),
      costShareAtInterval: round((1000 * perSnapshotMs) / (every * windowMs + perSnapshotMs)) / 1000,
      // The shard's cost and Redis's (with its AOF rewrites): on a machine whose cores the workers fill, both.
      machineCostShareAtInterval:
        round((1000 * (perSnapshotMs + median(redisCpu))) / (every * windowMs + perSnapshotMs)) / 1000,
      windowsFor2sRedo: Math.floor(REDO_TARGET_MS / windowMs),
    };
  } finally {
    redis.disconnect();
    await local.stop();
  }
}
