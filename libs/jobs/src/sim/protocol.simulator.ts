import { buildScenario } from '@tlbsim/contracts';
import { runInProcess } from '@tlbsim/engine';
import { actorsOf } from '@tlbsim/contracts';
import type { SimConfig } from '@tlbsim/sim-core';
import { DOCUMENTED_FAILURES } from './sim.checker';
import { FAULT_KINDS, FaultKind, faultsText, planFaults, scheduleFaults } from './sim.faults';
import type { SimMutation } from './sim.network';
import { SimRandom } from './sim.random';
import { SimWorld } from './sim.world';

/** Guest accesses per vCPU of the simulator's job: a hundred-odd windows. @defaultValue 200 */
export const SIM_ACCESSES_PER_VCPU = 200;

/**
 * The simulator's small job: two hosts of two one-vCPU VMs with frequent
 * memslot updates and MMU-notifier invalidations (cross-shard messages
 * every window), a hundred-odd windows, a snapshot every 8.
 */
export function simScenario(): SimConfig {
  return buildScenario(
    {
      name: 'sim-protocol',
      fleet: { hosts: 2, vmsPerHost: 2, vcpusPerVm: 1 },
      workload: { accessesPerVcpu: SIM_ACCESSES_PER_VCPU },
      events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
      // Incremental: the protocol's chains (deltas appended, refused after a store restart) under every fault.
      run: { snapshotEveryWindows: 8, snapshots: 'incremental' },
    },
    [],
  );
}

/** Options of {@link runSchedule}. */
export interface ScheduleOptions {
  config?: SimConfig;
  /** The in-process digest of `config` (computed once and cached when absent). */
  expectedDigest?: string;
  /** A planted bug (of the store, or the driver's store-error rule). */
  mutation?: SimMutation;
  /** The fault kinds drawn from. @defaultValue all of {@link FAULT_KINDS} */
  kinds?: readonly FaultKind[];
  /** A schedule that has not ended by this virtual time hangs. @defaultValue 1200000 (20 min) */
  timeMaxMs?: number;
  /** Scheduler steps at most. @defaultValue 2000000 */
  stepsMax?: number;
}

/** How a schedule ended. */
export interface ScheduleResult {
  seed: number;
  /** True for the two good ends: the in-process digest, or a documented failure (or cancel). */
  ok: boolean;
  /** completed, cancelled, failed (documented), or the failure. */
  outcome: 'completed' | 'cancelled' | 'documented-failure' | 'failure';
  /** One line: what went wrong, or which documented end it was. */
  detail: string;
  faults: string;
  /** The kinds that struck (a `store-error` only if a store call did reject). */
  fired: FaultKind[];
  virtualMs: number;
  steps: number;
  /** Windows isolated shards did not publish, counted by a later publish of theirs (the sparse rule at work). */
  windowsSpanned: number;
  /** Snapshot delta segments the store appended, and refused because the chain ended elsewhere. */
  deltasAppended: number;
  deltasRebased: number;
}

const digests = new Map<string, string>();

/** The digest of `runInProcess(config)`, cached by scenario. */
export async function inProcessDigest(config: SimConfig): Promise<string> {
  const key = JSON.stringify(config);
  let d = digests.get(key);
  if (!d) {
    d = (await runInProcess(config, { shards: 1 })).digest;
    digests.set(key, d);
  }
  return d;
}

/** Runs the schedule of one seed to its end and judges it. */
export async function runSchedule(seed: number, opts: ScheduleOptions = {}): Promise<ScheduleResult> {
  const config = opts.config ?? simScenario();
  const expected = opts.expectedDigest ?? (await inProcessDigest(config));
  const rng = new SimRandom(seed);
  const concurrencies = Array.from({ length: rng.int(2, 3) }, () => rng.int(1, 3));
  const capacity = concurrencies.reduce((a, c) => a + c, 0);
  const shardsMax = Math.max(1, Math.min(actorsOf(config), capacity, 4));
  const world = new SimWorld(rng, {
    config,
    shards: rng.int(1, shardsMax),
    lockMs: 6000,
    stalledMs: 3000,
    barrierTimeoutMs: 60000,
    admissionMs: 1000,
    fsyncMs: 1000,
    shardsMax,
    mutation: opts.mutation,
  });
  const faults = planFaults(rng, 1500, opts.kinds ?? FAULT_KINDS);
  const fired = new Set<FaultKind>();
  world.start();
  for (const c of concurrencies) world.addWorker(c);
  scheduleFaults(world, faults, fired);
  const ended = (): boolean => world.store.read((j) => j.result !== null);
  const stop = await world.sched.run(ended, opts.timeMaxMs ?? 1_200_000, opts.stepsMax ?? 2_000_000);
  // Armed errors that no store call met never happened.
  if (world.net.storeErrorsDelivered === 0) fired.delete('store-error');
  const base = {
    seed,
    faults: faultsText(faults),
    fired: FAULT_KINDS.filter((k) => fired.has(k)),
    virtualMs: world.sched.now,
    steps: world.sched.steps,
    windowsSpanned: world.store.windowsSpanned,
    deltasAppended: world.store.deltasAppended,
    deltasRebased: world.store.deltasRebased,
  };
  return { ...base, ...verdictOf(world, expected, fired, stop) };
}

/**
 * Who holds the job's shards at a hang, the first clue to its cause: the
 * shard jobs by state, and the runs in flight on live workers (none of
 * either: the shards were left to nobody).
 */
function holders(world: SimWorld): string {
  const states = world.store.read((j) => [...j.queue.values()].map((q) => String(q.state)));
  const count = (s: string): number => states.filter((x) => x === s).length;
  const runs = world.alive.reduce((n, w) => n + w.running, 0);
  return `shard jobs ${count('waiting')} waiting, ${count('active')} active, ${count('failed')} failed; runs in flight ${runs}`;
}

/** Judges a schedule's end: one of the two good ends, or the first thing that went wrong. */
function verdictOf(
  world: SimWorld,
  expected: string,
  fired: Set<FaultKind>,
  stop: string,
): Pick<ScheduleResult, 'ok' | 'outcome' | 'detail'> {
  const bad = (detail: string): Pick<ScheduleResult, 'ok' | 'outcome' | 'detail'> => ({
    ok: false,
    outcome: 'failure',
    detail,
  });
  const result = world.store.read((j) => j.result && new Map(j.result));
  const log = world.store.eventLog();
  const stale = log.find((e) => e.stale);
  if (stale) return bad(`an event from a fenced run: ${stale.json.slice(0, 120)}`);
  const finals = log.filter((e) => /"type":"(completed|failed|cancelled)"/.test(e.json)).length;
  if (finals > 1) return bad(`the job finished ${finals} times`);
  if (world.checker.failures.length > 0) return bad(world.checker.failures[0]);
  if (!result)
    return bad(`hang: no end by ${Math.round(world.sched.now / 1000)} virtual s (${stop}); ${holders(world)}`);
  const state = result.get('state');
  if (state === 'completed') {
    const digest = result.get('digest');
    if (digest !== expected)
      return bad(`digest ${digest?.slice(0, 12)} is not the in-process ${expected.slice(0, 12)}`);
    return { ok: true, outcome: 'completed', detail: 'the in-process digest' };
  }
  if (state === 'cancelled')
    return fired.has('cancel')
      ? { ok: true, outcome: 'cancelled', detail: 'cancelled' }
      : bad('cancelled, never asked');
  const error = result.get('error') ?? '';
  const doc = DOCUMENTED_FAILURES.find((d) => d.pattern.test(error) && fired.has(d.after as FaultKind));
  if (doc) return { ok: true, outcome: 'documented-failure', detail: `${doc.text}: ${error}` };
  return bad(`failed: ${error.slice(0, 200)}`);
}
