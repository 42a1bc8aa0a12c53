#!/usr/bin/env node
/**
 * `npm run sim:protocol -- [--seeds N] [--from S] [--seed S] [--mutation M] [--kinds a,b] [--verbose]`:
 * runs seeded fault schedules of a small job through the shard protocol on
 * the in-memory store in virtual time (protocol.simulator.ts), prints one
 * line per failing seed with the command that replays it, and a summary
 * (outcomes, and in how many schedules each fault kind struck).
 * Exit status 1 if any schedule failed.
 */
import { FAULT_KINDS, FaultKind } from './sim.faults';
import { inProcessDigest, runSchedule, ScheduleResult, simScenario } from './protocol.simulator';
import { SIM_MUTATIONS, SimMutation } from './sim.network';

/** Seeds of one invocation at most. @defaultValue 1000000 */
export const SIM_SEEDS_MAX = 1_000_000;

/** The usage line. */
export const SIM_USAGE =
  'usage: npm run sim:protocol -- [--seeds N (default 200)] [--from S (default 1)] [--seed S (replay one)] ' +
  `[--mutation ${SIM_MUTATIONS.join('|')}] [--kinds a,b,... of ${FAULT_KINDS.join('|')}] ` +
  '[--first-failure] [--verbose (a line per schedule)]';

/** The parsed command line. */
export interface SimArgs {
  from: number;
  seeds: number;
  verbose: boolean;
  /** Stop at the first failing schedule. */
  firstFailure: boolean;
  mutation?: SimMutation;
  kinds: readonly FaultKind[];
}

/** Parses the command line; throws with {@link SIM_USAGE} on a bad argument. */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  const out: SimArgs = { from: 1, seeds: 200, verbose: false, firstFailure: false, kinds: FAULT_KINDS };
  const int = (v: string | undefined, lo: number, hi: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`bad number ${JSON.stringify(v)}; ${SIM_USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--first-failure' || a === '--verbose') {
      out[a === '--verbose' ? 'verbose' : 'firstFailure'] = true;
      continue;
    }
    if (a === '--seeds') out.seeds = int(v, 1, SIM_SEEDS_MAX);
    else if (a === '--from') out.from = int(v, 0, 2 ** 31);
    else if (a === '--seed') Object.assign(out, { from: int(v, 0, 2 ** 31), seeds: 1, verbose: true });
    else if (a === '--mutation' && (SIM_MUTATIONS as readonly string[]).includes(v ?? ''))
      out.mutation = v as SimMutation;
    else if (a === '--kinds' && v && v.split(',').every((k) => (FAULT_KINDS as readonly string[]).includes(k)))
      out.kinds = v.split(',') as FaultKind[];
    else throw new Error(`unknown argument ${JSON.stringify(a)}; ${SIM_USAGE}`);
    i++;
  }
  return out;
}

/** The command that replays one schedule. */
export function replayCommand(seed: number, args: Pick<SimArgs, 'mutation' | 'kinds'>): string {
  const kinds = args.kinds.length === FAULT_KINDS.length ? '' : ` --kinds ${args.kinds.join(',')}`;
  return `npm run sim:protocol -- --seed ${seed}${args.mutation ? ` --mutation ${args.mutation}` : ''}${kinds}`;
}

/** `fired: crash in 12, store-error in 3` (schedules in which each kind struck, in {@link FAULT_KINDS} order). */
export function firedText(fired: ReadonlyMap<FaultKind, number>): string {
  const kinds = FAULT_KINDS.filter((k) => fired.has(k)).map((k) => `${k} in ${fired.get(k)}`);
  return `fired: ${kinds.length > 0 ? kinds.join(', ') : 'none'}`;
}

async function main(): Promise<number> {
  const args = parseSimArgs(process.argv.slice(2));
  const config = simScenario();
  const expectedDigest = await inProcessDigest(config);
  const counts = new Map<ScheduleResult['outcome'], number>();
  const fired = new Map<FaultKind, number>();
  const start = performance.now();
  let failed = 0;
  let ran = 0;
  let spanned = 0;
  const deltas = { appended: 0, rebased: 0 };
  for (let seed = args.from; seed < args.from + args.seeds && !(args.firstFailure && failed > 0); seed++) {
    ran++;
    const r = await runSchedule(seed, { config, expectedDigest, mutation: args.mutation, kinds: args.kinds });
    counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    spanned += r.windowsSpanned;
    deltas.appended += r.deltasAppended;
    deltas.rebased += r.deltasRebased;
    for (const k of r.fired) fired.set(k, (fired.get(k) ?? 0) + 1);
    if (args.verbose || !r.ok)
      process.stdout.write(
        `seed ${seed}: ${r.ok ? r.outcome : 'FAILED'}: ${r.detail} [${r.faults}; ${Math.round(r.virtualMs)} virtual ms]` +
          (r.ok ? '\n' : ` — replay: ${replayCommand(seed, args)}\n`),
      );
    if (!r.ok) failed++;
  }
  const secs = (performance.now() - start) / 1000;
  const parts = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  process.stdout.write(
    `${ran} schedules (seeds ${args.from}..${args.from + ran - 1}${args.mutation ? `, mutation ${args.mutation}` : ''}): ${parts}; ` +
      `${firedText(fired)}; ${spanned} windows spanned; ${deltas.appended} snapshot deltas appended, ${deltas.rebased} rebased; ` +
      `${(ran / secs).toFixed(1)} seeds/s (${secs.toFixed(1)} s)\n`,
  );
  return failed > 0 ? 1 : 0;
}

if (require.main === module)
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
