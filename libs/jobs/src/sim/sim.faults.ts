import { planResize } from '../protocol/resize.protocol';
import { commitResizeOn } from '../resize.commit';
import { afterStoreError } from '../protocol/shard-run.protocol';
import { newClient, STORE_ERROR_MESSAGES, StoreErrorFault } from './sim.network';
import { SimClientStore } from './sim-client.store';
import { SimRandom } from './sim.random';
import { SimWorld } from './sim.world';
import type { SimWorker } from './sim-worker.model';

/** The fault kinds of the simulator: each one the earlier real-process campaign tried, and the store's own. */
export const FAULT_KINDS = [
  'crash',
  'crash-all',
  'freeze',
  'lost-reply',
  'duplicate',
  'delay',
  'store-restart',
  'coordinator-restart',
  'cancel',
  'resize',
  'sigterm-all',
  'store-error',
] as const;

/** A fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault of a schedule, drawn from its seed. */
export interface PlannedFault {
  kind: FaultKind;
  /** When it strikes, virtual ms. */
  atMs: number;
  /** A number of its own (which worker, how long, how many writes kept, which shard count...), drawn with it. */
  arg: number;
}

/** Faults per schedule at most. @defaultValue 4 */
export const FAULTS_PER_SCHEDULE_MAX = 4;

/** Draws a schedule's faults: none to {@link FAULTS_PER_SCHEDULE_MAX}, at times within `spanMs`. */
export function planFaults(rng: SimRandom, spanMs: number, kinds: readonly FaultKind[] = FAULT_KINDS): PlannedFault[] {
  const n = rng.pick([0, 1, 1, 2, 2, 3, FAULTS_PER_SCHEDULE_MAX]);
  const out: PlannedFault[] = [];
  for (let i = 0; i < n; i++) out.push({ kind: rng.pick(kinds), atMs: rng.int(0, spanMs), arg: rng.int(0, 1 << 30) });
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** `crash@1200` style, for the one-line report of a schedule. */
export function faultsText(faults: readonly PlannedFault[]): string {
  return faults.length === 0 ? 'no faults' : faults.map((f) => `${f.kind}@${f.atMs}`).join(' ');
}

/** Arms every fault of the plan on the world's clock. */
export function scheduleFaults(world: SimWorld, faults: readonly PlannedFault[], fired: Set<FaultKind>): void {
  for (const f of faults)
    world.sched.at(f.atMs, () => {
      if (strike(world, f)) fired.add(f.kind);
    });
}

/** Applies one fault now; false if it had nothing to strike (no live worker, job already ended). */
function strike(world: SimWorld, f: PlannedFault): boolean {
  const rng = new SimRandom(f.arg);
  const alive = world.alive;
  const finished = world.store.read((j) => j.result !== null);
  if (f.kind === 'store-restart') {
    world.net.restartStore(rng.int(100, 2000), rng.int(0, world.store.unsynced));
    world.checker.storeRestarted();
    return true;
  }
  if (f.kind === 'coordinator-restart') {
    world.net.crash(world.coordinator);
    const down = rng.int(1000, 5000);
    world.admissionOffUntil = world.sched.now + down;
    world.sched.after(down, () => world.replaceCoordinator(newClient('coordinator')));
    return true;
  }
  if (f.kind === 'cancel' || f.kind === 'resize') {
    if (finished) return false;
    request(world, f.kind, f.kind === 'cancel' ? () => cancel(world) : () => resize(world, rng));
    return true;
  }
  if (f.kind === 'store-error') return armStoreErrors(world, rng);
  if (alive.length === 0) return false;
  const w = rng.pick(alive);
  if (f.kind === 'crash') crash(world, rng, w);
  else if (f.kind === 'crash-all') for (const x of alive) crash(world, rng, x);
  else if (f.kind === 'freeze') world.net.freeze(w.client, world.opts.lockMs + world.opts.stalledMs + rng.int(0, 5000));
  else if (f.kind === 'sigterm-all') {
    for (const x of alive) x.terminate();
    world.sched.after(rng.int(500, 3000), () => {
      for (const x of alive) world.addWorker(x.concurrency);
    });
  } else w.client.nextFault = f.kind;
  return true;
}

/** Store errors of one fault at most per client. @defaultValue 3 */
export const STORE_ERRORS_MAX = 3;

/** One to {@link STORE_ERRORS_MAX} store errors, each before or after the store applied its call. */
function drawStoreErrors(rng: SimRandom): StoreErrorFault[] {
  return Array.from({ length: rng.int(1, STORE_ERRORS_MAX) }, () => ({
    afterApply: rng.chance(0.5),
    message: rng.pick(STORE_ERROR_MESSAGES),
  }));
}

/**
 * A failover under the store's clients: the next store calls of one live
 * worker (one that runs shards, if any does) reject with a connection
 * error, and (drawn separately) the coordinator's next ones; false if there
 * was no one to strike.
 */
function armStoreErrors(world: SimWorld, rng: SimRandom): boolean {
  // A worker that runs shards: an idle one makes no store call (the queue is not the store's client here).
  const alive = world.alive;
  const busy = alive.filter((w) => w.running > 0);
  const worker = busy.length > 0 ? rng.pick(busy) : alive.length > 0 ? rng.pick(alive) : null;
  worker?.client.storeErrors.push(...drawStoreErrors(rng));
  const coordinator = rng.chance(0.5);
  if (coordinator) world.coordinator.storeErrors.push(...drawStoreErrors(rng));
  return worker !== null || coordinator;
}

/** Times a coordinator request that a store error failed is asked again (the user runs the command again). @defaultValue 1 */
export const REQUEST_RETRIES = 1;

/**
 * A coordinator request (cancel, resize): one that a lost connection
 * failed is asked again a second later, up to {@link REQUEST_RETRIES}
 * times; any other error is a failure of the schedule.
 */
function request(world: SimWorld, kind: string, fn: () => Promise<void>, retries = REQUEST_RETRIES): void {
  fn().catch((e: unknown) => {
    const text = e instanceof Error ? e.message : String(e);
    if (afterStoreError(text) !== 'hand-back') return world.checker.fail(`the coordinator's ${kind} threw: ${text}`);
    if (retries > 0) world.sched.after(1000, () => request(world, kind, fn, retries - 1));
  });
}

/**
 * SIGKILL of one worker: at once, or at its k-th store call (before or after
 * the store applies it); a supervisor starts a replacement a little later.
 */
function crash(world: SimWorld, rng: SimRandom, w: SimWorker): void {
  if (rng.chance(0.5)) world.net.crash(w.client);
  else {
    w.client.crashAtCall = w.client.calls + rng.int(1, 30);
    w.client.crashAfterApply = rng.chance(0.5);
  }
  world.sched.after(rng.int(500, 5000), () => world.addWorker(w.concurrency));
}

/** `JobsService.cancel`: the tombstone, the transport keys dropped, the waiting shard jobs removed. */
async function cancel(world: SimWorld): Promise<void> {
  const store = world.coordinatorStore;
  const layout = await store.layout();
  if (!layout) return;
  await store.finish('cancelled', {}, world.encode({ type: 'cancelled' }));
  await store.dropTransport(layout.shards);
  world.queue.removeWaiting();
}

/**
 * `JobResizeService.request`: a running job is asked to stop at its next
 * barrier; a job waiting to go back to the queue is re-partitioned at once
 * (the same `commitResizeOn` the service runs).
 */
async function resize(world: SimWorld, rng: SimRandom): Promise<void> {
  const store: SimClientStore = world.coordinatorStore;
  const layout = await store.layout();
  if (!layout) return;
  const to = rng.int(1, world.opts.shardsMax);
  // The scheduler lock: no admission pass requeues the job meanwhile.
  world.schedulerLocked = true;
  try {
    const state = world.store.read((j) => ({
      finished: j.result !== null,
      shards: layout.shards,
      resizeTo: j.meta.has('resizeTo') ? Number(j.meta.get('resizeTo')) : undefined,
      // The simulated job is admitted from the start: its shard jobs are queued or running.
      running: true,
      requeue: j.meta.get('requeue') === '1',
      epoch: layout.epoch,
    }));
    const step = planResize(state, to);
    if (step === 'signal') await store.requestResize(to, world.encode({ type: 'resize-requested', shards: to }));
    // Switched already, waiting to go back to the queue: re-partitioned again at once; the next pass queues it.
    else if (step === 'commit') await commitResizeOn(store, world.metaOf(layout), to, (e) => world.encode(e));
  } finally {
    world.schedulerLocked = false;
  }
}
