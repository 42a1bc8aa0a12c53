/**
 * A deterministic discrete-event cost model of distributed jobs' window
 * exchange (docs/scaling.md section 8): each job's shards run their windows
 * on worker cores (S shards of a job share one core), publish through one
 * Redis core per master (a FIFO server: all of a job's keys share one hash
 * slot), wait by the exchange's rules, snapshot, and end together. Pure: no
 * I/O, no clock; the noise comes from a seeded stream per shard. Its inputs
 * and results are typed in scaling.types.ts.
 */
import { SCENARIO_DEFAULTS } from '@tlbsim/contracts';
import { Prng, streamSeed, type ShardNeighbours } from '@tlbsim/sim-core';
import { ShardRule, shardRuleOf } from './scaling.inputs';
import type { ExchangeCosts, JobModel, JobResult, ModelInput, ModelResult, ShardLoad } from './scaling.types';

/**
 * Redis CPU of one publish by `shard` covering `span` windows, without the
 * batches it reads back, ms: linear in the shard's neighbours (the script of
 * 99d61da counts each out-neighbour's readiness; the one before scanned every
 * out-neighbour's in-neighbours, d² lookups).
 */
export function publishRedisMs(
  n: ShardNeighbours,
  load: ShardLoad,
  c: ExchangeCosts,
  shard: number,
  span: number,
): number {
  const out = n.outOf[shard];
  const lookups = 2 * n.into[shard].length;
  const us =
    c.redisUsPerPublish +
    c.redisUsPerOutNeighbour * out.length +
    c.redisUsPerLookup * lookups +
    (load.bytesOutPerWindow > 0 ? c.redisUsPerBatch * out.length : 0) +
    (c.redisNsPerByteWritten * load.bytesOutPerWindow) / 1000 +
    c.redisUsPerSpanWindow * (span - 1);
  return us / 1000;
}

/** A min-heap of events by time, then by the order they were scheduled in (so a run is deterministic). */
class EventQueue {
  private readonly heap: { t: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  push(t: number, fn: () => void): void {
    const h = this.heap;
    h.push({ t, seq: this.seq++, fn });
    for (let i = h.length - 1, p = (i - 1) >> 1; i > 0 && this.less(i, p); i = p, p = (i - 1) >> 1) this.swap(i, p);
  }

  pop(): { t: number; fn: () => void } | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    h[0] = last;
    for (let i = 0, m = 0; ; i = m) {
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < h.length && this.less(c, m)) m = c;
      if (m === i) return top;
      this.swap(i, m);
    }
  }

  private less(a: number, b: number): boolean {
    const [x, y] = [this.heap[a], this.heap[b]];
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    [this.heap[a], this.heap[b]] = [this.heap[b], this.heap[a]];
  }
}

/** A multiplicative noise factor with mean 1: exp(σz - σ²/2), z standard normal (Box-Muller). */
function noiseFactor(rng: Prng, sigma: number): number {
  if (sigma === 0) return 1;
  const u = 1 - rng.nextFloat();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  return Math.exp(sigma * z - (sigma * sigma) / 2);
}

/** The mutable state of one job during a run. */
interface JobState {
  job: JobModel;
  rules: ShardRule[];
  rngs: Prng[];
  n: number;
  every: number;
  perWorker: number;
  master: number;
  published: Int32Array;
  covered: Int32Array;
  allWaiters: Map<number, number[]>;
  waitingAt: Int32Array;
  waitingAll: Uint8Array;
  missing: Int32Array;
  waitStartMs: Float64Array;
  finishedMs: Float64Array;
  cpuFreeMs: Float64Array;
  cpuBusyMs: Float64Array;
  cpuDebtMs: Float64Array;
  waitMs: number;
  publishes: number;
  redisBusyMs: number;
}

function jobStateOf(job: JobModel, index: number, input: ModelInput): JobState {
  const n = job.neighbours.shards;
  if (job.loads.length !== n) throw new Error(`job ${index}: ${job.loads.length} loads for ${n} shards`);
  const every = job.snapshotEveryWindows ?? SCENARIO_DEFAULTS.run.snapshotEveryWindows;
  const perWorker = job.shardsPerWorker ?? 1;
  const seed = (input.seed ?? 1) + index * 0x10000;
  return {
    job,
    rules: job.loads.map((_, s) => shardRuleOf(job.neighbours, s, input.rule, every)),
    rngs: job.loads.map((_, s) => new Prng(streamSeed(seed, s))),
    n,
    every,
    perWorker,
    master: job.master ?? 0,
    published: new Int32Array(n).fill(-1),
    covered: new Int32Array(job.windows),
    allWaiters: new Map(),
    waitingAt: new Int32Array(n).fill(-1),
    waitingAll: new Uint8Array(n),
    missing: new Int32Array(n),
    waitStartMs: new Float64Array(n),
    finishedMs: new Float64Array(n),
    cpuFreeMs: new Float64Array(Math.ceil(n / perWorker)),
    cpuBusyMs: new Float64Array(Math.ceil(n / perWorker)),
    cpuDebtMs: new Float64Array(Math.ceil(n / perWorker)),
    waitMs: 0,
    publishes: 0,
    redisBusyMs: 0,
  };
}

/** One run of the model: the event loop and what each event does. */
class Simulation {
  private readonly q = new EventQueue();
  private readonly redisFreeMs: Float64Array;
  private readonly redisBusyMs: Float64Array;
  private readonly states: JobState[];
  private readonly c: ExchangeCosts;
  private turn = 0;

  constructor(private readonly input: ModelInput) {
    const masters = input.masters ?? 1;
    this.redisFreeMs = new Float64Array(masters);
    this.redisBusyMs = new Float64Array(masters);
    this.states = input.jobs.map((job, i) => jobStateOf(job, i, input));
    this.c = input.costs;
  }

  run(): ModelResult {
    for (const st of this.states) for (let s = 0; s < st.n; s++) this.startWindow(st, s, 0, 0);
    for (let e = this.q.pop(); e; e = this.q.pop()) e.fn();
    const endMs = Math.max(...this.states.map((st) => Math.max(...st.finishedMs)));
    return {
      jobs: this.states.map((st) => this.resultOf(st)),
      redisUtilisation: [...this.redisBusyMs].map((b) => b / endMs),
    };
  }

  private resultOf(st: JobState): JobResult {
    const wallMs = Math.max(...st.finishedMs);
    const computeBoundMs = Math.max(...st.cpuBusyMs);
    return {
      wallMs,
      msPerWindow: wallMs / st.job.windows,
      accessesPerSec: st.job.accesses / (wallMs / 1000),
      roundTripsPerShardWindow: st.publishes / (st.n * st.job.windows),
      barrierWaitShare: st.waitMs / (st.n * wallMs),
      workerUtilisationMax: computeBoundMs / wallMs,
      computeBoundMs,
      redisBusyMs: st.redisBusyMs,
    };
  }

  /** Runs `ms` of CPU on the shard's worker core (FIFO); returns when it ends. */
  private cpu(st: JobState, shard: number, nowMs: number, ms: number): number {
    const w = Math.floor(shard / st.perWorker);
    const end = Math.max(nowMs, st.cpuFreeMs[w]) + ms + st.cpuDebtMs[w];
    st.cpuDebtMs[w] = 0;
    st.cpuFreeMs[w] = end;
    st.cpuBusyMs[w] += ms;
    return end;
  }

  /** Serves `ms` of Redis CPU on the job's master (FIFO) from `nowMs`; calls `then` when it ends. */
  private redis(st: JobState, nowMs: number, ms: number, then: (t: number) => void, childMs = 0): void {
    const end = Math.max(nowMs, this.redisFreeMs[st.master]) + ms;
    this.redisFreeMs[st.master] = end;
    this.redisBusyMs[st.master] += ms;
    st.redisBusyMs += ms;
    if (this.input.sharedCores !== undefined) this.takeCore(nowMs, ms + childMs, this.input.sharedCores);
    this.q.push(end, () => then(end));
  }

  /** Redis on shared cores: with every core busy with a worker, `ms` of it goes to one of them (in turn). */
  private takeCore(nowMs: number, ms: number, cores: number): void {
    const busy: [JobState, number][] = [];
    for (const st of this.states) st.cpuFreeMs.forEach((free, w) => free > nowMs && busy.push([st, w]));
    if (busy.length < cores) return;
    const [st, w] = busy[this.turn++ % busy.length];
    st.cpuDebtMs[w] += ms;
  }

  private startWindow(st: JobState, s: number, k: number, nowMs: number): void {
    const load = st.job.loads[s];
    const slow = Math.floor(s / st.perWorker) === 0 ? (this.input.slowWorkerFactor ?? 1) : 1;
    const done = k === st.job.windows - 1;
    const publishes = st.rules[s].publishes(k, done);
    const c = this.c;
    const clientNs = c.clientNsPerByteSent * load.bytesOutPerWindow + c.clientNsPerByteReceived * load.bytesInPerWindow;
    const ms =
      load.kernelMsPerWindow * slow * noiseFactor(st.rngs[s], this.input.noiseSigma ?? 0) +
      this.c.workerOverheadMsPerWindow +
      (publishes ? c.clientMsPerPublish + clientNs / 1e6 : 0);
    const end = this.cpu(st, s, nowMs, ms);
    this.q.push(end, () => (publishes ? this.publish(st, s, k, end) : this.startWindow(st, s, k + 1, end)));
  }

  private publish(st: JobState, s: number, k: number, nowMs: number): void {
    const cost = publishRedisMs(st.job.neighbours, st.job.loads[s], this.c, s, k - st.published[s]);
    st.publishes++;
    st.waitStartMs[s] = nowMs;
    const at = nowMs + this.c.rttMs / 2;
    const childMs = (this.c.redisChildNsPerByteWritten * st.job.loads[s].bytesOutPerWindow) / 1e6;
    this.q.push(at, () => this.redis(st, at, cost, (t) => this.published(st, s, k, t), childMs));
  }

  /** Shard `s`'s publish of window `k` ran: count it, wake the shards it completes, and wait or go on. */
  private published(st: JobState, s: number, k: number, nowMs: number): void {
    const n = st.job.neighbours;
    for (let x = st.published[s] + 1; x <= k; x++) {
      if (++st.covered[x] < st.n) continue;
      for (const o of st.allWaiters.get(x) ?? []) this.read(st, o, x, nowMs, true);
      st.allWaiters.delete(x);
    }
    st.published[s] = k;
    for (const o of n.outOf[s])
      if (st.waitingAt[o] === k && st.waitingAll[o] === 0 && --st.missing[o] === 0) this.read(st, o, k, nowMs, true);
    if (st.rules[s].waitsAll(k, k === st.job.windows - 1)) {
      if (st.covered[k] === st.n) return this.read(st, s, k, nowMs, false);
      st.waitingAt[s] = k;
      st.waitingAll[s] = 1;
      st.allWaiters.set(k, [...(st.allWaiters.get(k) ?? []), s]);
      return;
    }
    let missing = 0;
    for (const i of n.into[s]) if (st.published[i] < k) missing++;
    if (missing === 0) return this.read(st, s, k, nowMs, false);
    st.waitingAt[s] = k;
    st.waitingAll[s] = 0;
    st.missing[s] = missing;
  }

  /** The read behind shard `s`'s publish of `k` returns its batches (`woken`: it had blocked). */
  private read(st: JobState, s: number, k: number, nowMs: number, woken: boolean): void {
    st.waitingAt[s] = -1;
    const ms =
      (woken ? this.c.redisUsPerWake / 1000 : 0) + (this.c.redisNsPerByteRead * st.job.loads[s].bytesInPerWindow) / 1e6;
    this.redis(st, nowMs, ms, (t) => {
      const at = t + this.c.rttMs / 2;
      this.q.push(at, () => this.afterBarrier(st, s, k, at));
    });
  }

  private afterBarrier(st: JobState, s: number, k: number, nowMs: number): void {
    const done = k === st.job.windows - 1;
    if (st.rules[s].waitsAll(k, done) || st.job.neighbours.into[s].length > 0) st.waitMs += nowMs - st.waitStartMs[s];
    if (done) {
      st.finishedMs[s] = nowMs;
      return;
    }
    if ((k + 1) % st.every !== 0) return this.startWindow(st, s, k + 1, nowMs);
    const vcpus = st.job.loads[s].vcpus;
    const encoded = this.cpu(st, s, nowMs, vcpus * this.c.snapshotClientMsPerVcpu);
    const at = encoded + this.c.rttMs / 2;
    const mb = vcpus * this.c.snapshotMBPerVcpu;
    const awaited = this.input.snapshotAwaited ?? true;
    this.q.push(at, () =>
      this.redis(
        st,
        at,
        mb * this.c.redisMsPerSnapshotMB,
        (t) => {
          const back = t + this.c.rttMs / 2;
          if (awaited) this.q.push(back, () => this.startWindow(st, s, k + 1, back));
        },
        mb * this.c.snapshotChildMsPerMB,
      ),
    );
    if (!awaited) this.q.push(encoded, () => this.startWindow(st, s, k + 1, encoded));
  }
}

/**
 * Runs the model: every job from window 0 to its last, all shards starting
 * together; the same input gives the same result.
 */
export function simulateJobs(input: ModelInput): ModelResult {
  return new Simulation(input).run();
}
