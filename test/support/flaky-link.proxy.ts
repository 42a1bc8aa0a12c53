/**
 * A flaky network between some clients (the worker processes) and a real
 * redis-server: a TCP proxy on a free port that forwards every command at
 * once and, on a seeded schedule, either holds a reply back (a delay) or
 * drops it and cuts the connection (a lost reply). Redis has then executed
 * the command; ioredis reconnects and re-sends the commands it has no reply
 * for (`autoResendUnfulfilledCommands`, on by default), so a write is
 * applied twice: the real duplicate. The proxy tells which commands were
 * lost and which of them came back.
 *
 * The seed fixes how many replies pass between two faults and how long a
 * delay lasts; which command a fault lands on also depends on how the
 * processes interleave, so a seed does not replay a run exactly.
 */
import { createHash } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { AddressInfo, createServer, connect, Server, Socket } from 'net';
import { Prng } from '@tlbsim/sim-core';
import { requestHead, RespFramer } from './resp.framer';

/** The faults' schedule. */
export interface FlakyLinkOptions {
  /** Seeds the schedule (print it: a failing run names it). */
  seed: number;
  /** The most connections cut, each losing the reply it cut (and any after it). */
  maxCuts: number;
  /** The most replies held back. */
  maxDelays: number;
  /** Replies that pass before the first fault of each kind, and at least between two cuts. */
  minGap: number;
  /** Up to this many more replies on top of `minGap`, drawn by the seed for each gap. */
  gapSpread: number;
  /** Names of Lua scripts by SHA-1 ({@link scriptNamesIn}): an EVALSHA of one is labelled with its name. */
  scripts?: ReadonlyMap<string, string>;
  /** Which commands a cut may drop the reply of, by label (a cut due waits for one). @defaultValue any */
  cutOn?: (label: string) => boolean;
  /** A delay holds a connection's replies for [10, this] ms more, drawn by the seed. @defaultValue 300 */
  maxDelayMs?: number;
}

/** One cut connection. */
export interface CutRecord {
  /** The proxy-wide index of the reply dropped. */
  reply: number;
  /** The command whose reply was dropped (Redis executed it). */
  label: string;
  /** Every command sent on the connection whose reply the client had not had (dropped, held or not yet answered). */
  inFlight: string[];
}

/** What the proxy did (read it at the end of a test). */
export interface FlakyLinkStats {
  /** Client connections accepted (each reconnect is one more). */
  connections: number;
  /** Replies forwarded or dropped (RESP3 pushes, which answer no command, not counted). */
  replies: number;
  /** The connections cut, in order. */
  cuts: CutRecord[];
  /** Replies held back (each holds its connection's later replies too). */
  delays: number;
  /** Streams the proxy could not split into RESP values (their connection was closed): expected empty. */
  unreadable: string[];
  /**
   * Labels of commands a client sent again after their reply was lost (executed twice): the same bytes, or for a
   * script the same SHA-1 and arguments (ioredis re-sends an EVALSHA as EVAL on a connection that has not loaded it).
   */
  resent: string[];
}

/** A running proxy. */
export interface FlakyLink {
  /** `redis://127.0.0.1:<port>`: give it to the clients that get the flaky link. */
  url: string;
  stats: FlakyLinkStats;
  /** One line: the seed and the counts (for the test's log and its failure message). */
  summary(): string;
  /** Stops listening and closes every connection. */
  stop(): Promise<void>;
}

/** The draws of the schedule, proxy-wide (one stream, so the gaps do not depend on which connection is busy). */
class FaultSchedule {
  private readonly prng: Prng;
  private untilCut: number;
  private untilDelay: number;

  constructor(private readonly o: FlakyLinkOptions) {
    this.prng = new Prng(o.seed);
    this.untilCut = this.gap();
    this.untilDelay = this.gap();
  }

  private gap(): number {
    return this.o.minGap + this.prng.nextInt(this.o.gapSpread + 1);
  }

  /** The fault for the next reply (to the command labelled `label`): 'cut', a delay in ms, or null. */
  next(stats: FlakyLinkStats, label: string): 'cut' | number | null {
    this.untilCut--;
    this.untilDelay--;
    if (this.untilCut <= 0 && stats.cuts.length < this.o.maxCuts && (this.o.cutOn?.(label) ?? true)) {
      this.untilCut = this.gap();
      return 'cut';
    }
    // Delays come several times as often as cuts: a quarter of a cut's gap.
    if (this.untilDelay <= 0 && stats.delays < this.o.maxDelays) {
      this.untilDelay = Math.ceil(this.gap() / 4);
      return 10 + this.prng.nextInt((this.o.maxDelayMs ?? 300) - 9);
    }
    return null;
  }
}

const sha1 = (data: Buffer | string): string => createHash('sha1').update(data).digest('hex');

/** The SHA-1 (what EVALSHA names) of every `*.lua` file in `dir`, to its file name without `.lua`. */
export function scriptNamesIn(dir: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const f of readdirSync(dir))
    if (f.endsWith('.lua')) names.set(sha1(readFileSync(join(dir, f), 'utf8')), f.slice(0, -4));
  return names;
}

/**
 * A command's label (its name, or for a script call the script's name when
 * known) and identity: its bytes, except that a script call is identified by
 * the script's SHA-1 whether it came as EVAL or EVALSHA (ioredis re-sends an
 * EVALSHA as EVAL on a new connection that has not loaded the script yet).
 */
function commandOf(cmd: Buffer, scripts: ReadonlyMap<string, string> | undefined): { label: string; digest: string } {
  const { words, rest } = requestHead(cmd, 2);
  const name = (words[0] ?? '?').toUpperCase();
  if (name !== 'EVAL' && name !== 'EVALSHA') return { label: name, digest: sha1(cmd) };
  const sha = name === 'EVAL' ? sha1(words[1] ?? '') : (words[1] ?? '');
  const digest = createHash('sha1').update(sha).update(cmd.subarray(rest)).digest('hex');
  return { label: scripts?.get(sha) ?? name, digest };
}

/** The proxy's shared state, passed to each connection. */
interface LinkState {
  stats: FlakyLinkStats;
  scripts: ReadonlyMap<string, string> | undefined;
  schedule: FaultSchedule;
  /** Digests of commands whose reply was lost, to spot their resend. */
  lost: Map<string, string>;
  sockets: Set<Socket>;
}

/** A whole reply off the wire; `answers`: it answers the oldest pending command (a RESP3 push does not). */
interface Reply {
  buf: Buffer;
  answers: boolean;
}

/** One client connection and its own connection to Redis. */
class LinkConnection {
  private readonly upstream: Socket;
  private readonly requests = new RespFramer();
  private readonly replies = new RespFramer();
  /** The commands sent whose reply the client has not had yet, oldest first. */
  private readonly pending: { label: string; digest: string }[] = [];
  /** How many of {@link pending} Redis has answered (replies held back by a delay). */
  private answered = 0;
  private heldUntil = 0;
  private held: Reply[] = [];

  constructor(
    private readonly client: Socket,
    target: AddressInfo,
    private readonly s: LinkState,
  ) {
    // No Nagle on either side (ioredis turns it off too): it would hold each small reply back for an ACK.
    this.upstream = connect({ port: target.port, host: target.address, noDelay: true });
    s.sockets.add(client).add(this.upstream);
    s.stats.connections++;
    const close = (): void => this.close();
    client.on('data', (chunk: Buffer) => this.onRequests(chunk));
    this.upstream.on('data', (chunk: Buffer) => this.onReplies(chunk));
    client.on('error', close).on('close', close);
    this.upstream.on('error', close).on('close', close);
  }

  private close(): void {
    this.client.destroy();
    this.upstream.destroy();
    this.s.sockets.delete(this.client);
    this.s.sockets.delete(this.upstream);
  }

  /** Bytes the framer cannot read end the connection (and fail the test through the job), never the test process. */
  private frames(framer: RespFramer, chunk: Buffer): Buffer[] {
    try {
      return framer.push(chunk);
    } catch (e) {
      this.s.stats.unreadable.push((e as Error).message);
      this.close();
      return [];
    }
  }

  /** Forwards at once; notes each command, and a lost one coming back. */
  private onRequests(chunk: Buffer): void {
    this.upstream.write(chunk);
    for (const cmd of this.frames(this.requests, chunk)) {
      const c = commandOf(cmd, this.s.scripts);
      const again = this.s.lost.get(c.digest);
      if (again !== undefined) {
        this.s.stats.resent.push(again);
        this.s.lost.delete(c.digest);
      }
      this.pending.push(c);
    }
  }

  /** Passes each whole reply on, or holds it, or cuts the connection on it, as the schedule says. */
  private onReplies(chunk: Buffer): void {
    const out: Reply[] = [];
    for (const buf of this.frames(this.replies, chunk)) {
      // A RESP3 push (>) answers no command: passed on, never a fault.
      const answers = buf[0] !== 0x3e;
      if (answers) this.s.stats.replies++;
      const fault = answers ? this.s.schedule.next(this.s.stats, this.pending[this.answered++]?.label ?? '?') : null;
      if (fault === 'cut') {
        this.deliver(out);
        return this.cut();
      }
      if (typeof fault === 'number') this.hold(fault);
      // Behind a delay, later replies wait too: a connection's replies stay in order.
      (this.heldUntil > Date.now() ? this.held : out).push({ buf, answers });
    }
    this.deliver(out);
  }

  /** Writes `replies` (one write: a pipeline's replies arrive together); their commands are answered. */
  private deliver(replies: Reply[]): void {
    if (!replies.length || this.client.destroyed) return;
    for (const r of replies)
      if (r.answers) {
        this.pending.shift();
        this.answered--;
      }
    this.client.write(replies.length === 1 ? replies[0].buf : Buffer.concat(replies.map((r) => r.buf)));
  }

  /** Holds this reply and the connection's next ones `ms` longer. */
  private hold(ms: number): void {
    this.s.stats.delays++;
    this.heldUntil = Math.max(this.heldUntil, Date.now()) + ms;
    setTimeout(() => this.flush(), this.heldUntil - Date.now());
  }

  /** Drops the reply at hand (and any held) and closes both sides: every pending command was sent, none answered. */
  private cut(): void {
    const { stats, lost } = this.s;
    stats.cuts.push({
      reply: stats.replies,
      label: this.pending[this.answered - 1]?.label ?? '?',
      inFlight: this.pending.map((p) => p.label),
    });
    for (const p of this.pending) lost.set(p.digest, p.label);
    this.close();
  }

  private flush(): void {
    if (this.client.destroyed) return;
    // A later delay may have pushed the hold further out.
    if (this.heldUntil > Date.now()) return void setTimeout(() => this.flush(), this.heldUntil - Date.now());
    const held = this.held;
    this.held = [];
    this.deliver(held);
  }
}

/** Starts a proxy on a free port of 127.0.0.1 in front of the Redis at `redisPort`. */
export async function startFlakyLink(redisPort: number, opts: FlakyLinkOptions): Promise<FlakyLink> {
  const stats: FlakyLinkStats = { connections: 0, replies: 0, cuts: [], delays: 0, resent: [], unreadable: [] };
  const state: LinkState = {
    stats,
    scripts: opts.scripts,
    schedule: new FaultSchedule(opts),
    lost: new Map(),
    sockets: new Set(),
  };
  const target = { port: redisPort, address: '127.0.0.1', family: 'IPv4' };
  const server: Server = createServer({ noDelay: true }, (c) => new LinkConnection(c, target, state));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    stats,
    summary: () =>
      `flaky link seed ${opts.seed}: ${stats.replies} replies on ${stats.connections} connections, ` +
      `${stats.cuts.length} cuts (${stats.cuts.map((c) => `#${c.reply} ${c.label} (in flight: ${c.inFlight.join(' ')})`).join(', ')}), ` +
      `${stats.delays} delays, resent after a cut: ${stats.resent.join(', ') || 'none'}`,
    stop: async () => {
      for (const sock of state.sockets) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
