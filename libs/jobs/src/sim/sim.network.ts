import type { InMemoryShardStore, StoreMutation } from '../in-memory-shard.store';
import type { BarrierReply } from '../shard.store';
import { SimRandom } from './sim.random';
import { VirtualScheduler } from './virtual.scheduler';

/** A fault armed on a client's next store call. */
export type CallFault = 'lost-reply' | 'duplicate' | 'delay';

/**
 * A store call that rejects with a connection error (a failover or restart
 * under the client: ioredis aborts what was in flight), before the store
 * applied it or after (the write landed, the reply is the error).
 */
export interface StoreErrorFault {
  afterApply: boolean;
  message: string;
}

/** What Redis and ioredis say when the connection goes away mid-command (each one `afterStoreError` hands back on). */
export const STORE_ERROR_MESSAGES = [
  'Command aborted due to connection close',
  'Connection is closed.',
  'read ECONNRESET',
  'CLUSTERDOWN The cluster is down',
] as const;

/**
 * The simulator's planted bugs: the store's ({@link StoreMutation}), and
 * `store-error-fails`: the driver takes a lost connection for an ordinary
 * error and fails the job (as it did before `afterStoreError`), planted by
 * handing it store errors in words its rule does not know.
 */
export const SIM_MUTATIONS = [
  'skip-fence',
  'publish-twice',
  'older-snapshot',
  'span-last-only',
  'delta-any-base',
  'store-error-fails',
] as const satisfies readonly (StoreMutation | 'store-error-fails')[];

/** A planted bug of the simulator. */
export type SimMutation = (typeof SIM_MUTATIONS)[number];

/** The store error as the `store-error-fails` mutation words it: nothing `afterStoreError` knows. */
export const DISGUISED_STORE_ERROR = 'the store call failed';

/** A process that talks to the store: a worker or the coordinator. */
export interface SimClient {
  readonly name: string;
  /** False once it crashed or exited: it sends nothing more, and replies to it are dropped. */
  alive: boolean;
  /** While frozen (SIGSTOP) it runs no code: replies wait for the thaw. */
  frozen: boolean;
  /** Replies that arrived while frozen, delivered in order at the thaw. */
  deferred: (() => void)[];
  /** Store calls sent so far. */
  calls: number;
  /** The call at which the client crashes (0: none), before the store applies it or after. */
  crashAtCall: number;
  crashAfterApply: boolean;
  /** A fault of the next call. */
  nextFault: CallFault | null;
  /** The next calls reject with these errors, one each, in order. */
  storeErrors: StoreErrorFault[];
}

/** A fresh, healthy client. */
export function newClient(name: string): SimClient {
  return {
    name,
    alive: true,
    frozen: false,
    deferred: [],
    calls: 0,
    crashAtCall: 0,
    crashAfterApply: false,
    nextFault: null,
    storeErrors: [],
  };
}

/** Options of {@link SimNetwork}. */
export interface SimNetworkOptions {
  /** One-way latency between a client and the store, ms. @defaultValue [1, 8] */
  latencyMs?: [number, number];
  /** Extra delay of a `delay` fault (a reply reordered behind later ones), ms at most. @defaultValue 300 */
  delayMaxMs?: number;
  /** Time an ioredis client takes to reconnect and resend after a lost reply, ms. @defaultValue [20, 200] */
  reconnectMs?: [number, number];
  /** Store errors reject with {@link DISGUISED_STORE_ERROR} (the `store-error-fails` mutation). @defaultValue false */
  disguiseStoreErrors?: boolean;
}

/** A blocked barrier read (XREAD BLOCK) waiting for a write that passes it. */
interface Blocked {
  look: () => BarrierReply;
  reply: (r: BarrierReply) => void;
  done: boolean;
}

/**
 * The links between the clients and the in-memory store, in virtual time:
 * each call travels, is applied atomically, and its reply travels back; a
 * barrier read blocks until a write passes it or its block time ends. Faults:
 * a crashed client sends and receives nothing; a frozen one receives its
 * replies at the thaw; a lost reply is resent by the client's reconnect (as
 * ioredis does: the store applies it twice); a duplicated call is applied
 * twice; a delayed one is overtaken by later calls; while the store is down
 * calls wait for it (ioredis queues them).
 */
export class SimNetwork {
  /** The store is down (restarting) until this virtual time. */
  downUntil = 0;
  /** Store calls that rejected with a connection error so far (the `store-error` fault). */
  storeErrorsDelivered = 0;
  private readonly blocked = new Set<Blocked>();
  private readonly latency: [number, number];
  private readonly delayMax: number;
  private readonly reconnect: [number, number];
  private readonly disguise: boolean;

  constructor(
    private readonly sched: VirtualScheduler,
    private readonly rng: SimRandom,
    readonly store: InMemoryShardStore,
    opts: SimNetworkOptions = {},
  ) {
    this.latency = opts.latencyMs ?? [1, 8];
    this.delayMax = opts.delayMaxMs ?? 300;
    this.reconnect = opts.reconnectMs ?? [20, 200];
    this.disguise = opts.disguiseStoreErrors ?? false;
  }

  private hop(): number {
    return this.rng.int(this.latency[0], this.latency[1]);
  }

  /** Crashes a client (SIGKILL): it sends nothing more and its replies are dropped. */
  crash(c: SimClient): void {
    c.alive = false;
    c.deferred = [];
  }

  /** Freezes a client for `ms` (SIGSTOP, then SIGCONT). */
  freeze(c: SimClient, ms: number): void {
    c.frozen = true;
    this.sched.after(ms, () => {
      c.frozen = false;
      const held = c.deferred;
      c.deferred = [];
      for (const fn of held) fn();
    });
  }

  private deliver(c: SimClient, fn: () => void): void {
    this.sched.after(this.hop(), () => {
      if (!c.alive) return;
      if (c.frozen) c.deferred.push(fn);
      else fn();
    });
  }

  /**
   * One store call of client `c`: `apply` runs at the store (synchronously:
   * the in-memory store's calls do their work before their first await),
   * `onApply` sees its reply there, and the reply comes back to the client;
   * an armed store error rejects the call instead, before the store sees it
   * or after it applied it.
   */
  call<T>(c: SimClient, apply: () => Promise<T>, onApply?: (v: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!c.alive) return;
      const n = ++c.calls;
      const crash = n === c.crashAtCall;
      if (crash && !c.crashAfterApply) return this.crash(c);
      const fault = c.nextFault;
      c.nextFault = null;
      const error = c.storeErrors.shift();
      const fail = (): void => {
        this.storeErrorsDelivered++;
        reject(new Error(this.disguise ? DISGUISED_STORE_ERROR : error!.message));
      };
      if (error && !error.afterApply) return this.sched.after(2 * this.hop(), () => this.deliver(c, fail));
      const extra = fault === 'delay' ? this.rng.int(0, this.delayMax) : 0;
      const serve = (again: boolean): void => {
        if (this.sched.now < this.downUntil) {
          this.sched.at(this.downUntil + this.hop(), () => serve(again));
          return;
        }
        const replied = (settle: () => void): void => {
          this.wake();
          if (crash) return this.crash(c);
          if (!again && fault === 'duplicate') return serve(true);
          if (!again && fault === 'lost-reply') {
            const back = this.rng.int(this.reconnect[0], this.reconnect[1]);
            return this.sched.after(back, () => serve(true));
          }
          this.deliver(c, error ? fail : settle);
        };
        apply().then(
          (v) => {
            onApply?.(v);
            replied(() => resolve(v));
          },
          // An error reply (a script that failed): the client's call rejects with it.
          (e: unknown) => replied(() => reject(e)),
        );
      };
      this.sched.after(this.hop() + extra, () => serve(false));
    });
  }

  /**
   * A blocking barrier read: looks at once, and if the barrier is still
   * waiting, again after every write until it passes or `blockMs` ends.
   */
  callBlocking(c: SimClient, look: () => BarrierReply, blockMs: number): Promise<BarrierReply> {
    return this.call(c, async () => {
      const first = look();
      if (first.status !== 'waiting') return first;
      return new Promise<BarrierReply>((reply) => {
        const b: Blocked = { look, reply, done: false };
        this.blocked.add(b);
        this.sched.after(blockMs, () => this.unblock(b, look()));
      });
    });
  }

  private unblock(b: Blocked, r: BarrierReply): void {
    if (b.done) return;
    b.done = true;
    this.blocked.delete(b);
    b.reply(r);
  }

  /** After a write: every blocked read that would now pass returns. */
  private wake(): void {
    for (const b of [...this.blocked]) {
      const r = b.look();
      if (r.status !== 'waiting') this.unblock(b, r);
    }
  }

  /** The store restarts: down for `downMs`, back with what the AOF kept (`kept` of the writes since the last fsync). */
  restartStore(downMs: number, kept: number): void {
    this.store.restart(kept);
    this.downUntil = this.sched.now + downMs;
    // A blocked read's connection dropped: the client's resend looks again once the store is back.
    for (const b of [...this.blocked]) this.sched.at(this.downUntil + this.hop(), () => this.unblock(b, b.look()));
  }
}
