import { closeSync, openSync, unlinkSync, writeSync } from 'fs';
import type { Command } from 'commander';
import { RunReport, TRACE_EVENTS_DEFAULT, TRACE_EVENTS_MAX, TraceRecorder } from '@tlbsim/engine';
import type { SimConfig } from '@tlbsim/sim-core';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';
import { fmtInt } from '../format.util';
import { CliOptionError, integerOption } from '../option.parsers';
import { readFailure } from '../scenario.loader';

/** The flags of `run --trace-out`. */
export interface TraceOutOptions {
  /** `--trace-out <file>`: write the Chrome trace-event JSON there. */
  traceOut?: string;
  /** `--trace-vm <list>`: fleet-wide VM numbers to trace (default every VM). */
  traceVm?: string;
  /** `--trace-max-events <n>`: the trace's limit. */
  traceMaxEvents?: string;
}

/** A trace being recorded into an open file. */
export interface TraceOut {
  recorder: TraceRecorder;
  file: string;
  fd: number;
  maxEvents: number;
}

/** Adds `--trace-out`, `--trace-vm` and `--trace-max-events` to `run`. */
export function addTraceOutOptions(command: Command): Command {
  return command
    .option(
      '--trace-out <file>',
      'write a timeline of the run (Chrome trace-event JSON for Perfetto or about://tracing): roots, flush requests, hypercalls with their L0 time, nested transitions, stale hits, violations with the witnesses marked; one track per vCPU, per L0, per VM MMU',
    )
    .option('--trace-vm <list>', 'with --trace-out: only these VMs (fleet-wide numbers, comma-separated; default all)')
    .option(
      '--trace-max-events <n>',
      `with --trace-out: the most events the trace may hold (1..${TRACE_EVENTS_MAX}; default ${TRACE_EVENTS_DEFAULT}, about 150 bytes each); past it the run stops with exit ${EXIT.BAD_INPUT}`,
    );
}

/** The VMs of `--trace-vm`, or null for all. @throws CliOptionError naming the flag and the range */
function tracedVms(value: string | undefined, vms: number): Set<number> | null {
  if (value === undefined) return null;
  return new Set(value.split(',').map((v) => integerOption('--trace-vm', v.trim(), 0, vms - 1)));
}

/**
 * Checks the flags and opens the file before anything runs: undefined
 * without `--trace-out`, null after printing a bad flag or an unwritable
 * file (the command exits {@link EXIT.BAD_INPUT}).
 */
export function openTraceOut(
  ctx: CliContext,
  options: TraceOutOptions,
  config: SimConfig,
): TraceOut | null | undefined {
  if (options.traceOut === undefined) {
    const stray =
      options.traceVm !== undefined ? '--trace-vm' : options.traceMaxEvents !== undefined ? '--trace-max-events' : null;
    if (stray) ctx.io.err(`tlbsim: ${stray} needs --trace-out <file>\n`);
    return stray ? null : undefined;
  }
  let vms: Set<number> | null;
  let maxEvents: number;
  try {
    vms = tracedVms(options.traceVm, config.fleet.hosts * config.fleet.vmsPerHost);
    maxEvents = integerOption(
      '--trace-max-events',
      options.traceMaxEvents ?? String(TRACE_EVENTS_DEFAULT),
      1,
      TRACE_EVENTS_MAX,
    );
  } catch (error) {
    if (!(error instanceof CliOptionError)) throw error;
    ctx.io.err(`tlbsim: ${error.message}\n`);
    return null;
  }
  let fd: number;
  try {
    fd = openSync(options.traceOut, 'w');
  } catch (error) {
    ctx.io.err(`tlbsim: --trace-out ${options.traceOut}: cannot write it: ${readFailure(error)}\n`);
    return null;
  }
  return { recorder: new TraceRecorder(config, vms, maxEvents), file: options.traceOut, fd, maxEvents };
}

/**
 * Writes the trace, or (past its limit) removes the file and says so in one
 * line; returns {@link EXIT.OK} or {@link EXIT.BAD_INPUT}.
 */
export function closeTraceOut(ctx: CliContext, t: TraceOut, report: RunReport): number {
  const at = t.recorder.fullAt;
  if (at !== null) {
    closeSync(t.fd);
    unlinkSync(t.file);
    ctx.io.err(
      `tlbsim: --trace-out: the trace passed --trace-max-events ${fmtInt(t.maxEvents)} at window ${fmtInt(at)} ` +
        `(${(report.metrics.simulatedNs / 1e6).toFixed(3)} ms simulated), so the run stopped and ${t.file} was not written: ` +
        'trace fewer VMs (--trace-vm), a shorter run (--set run.simulatedMs=...) or raise --trace-max-events\n',
    );
    return EXIT.BAD_INPUT;
  }
  t.recorder.finish(report);
  try {
    let pending = '';
    for (const chunk of t.recorder.jsonChunks(report)) {
      pending += chunk;
      if (pending.length < 1 << 20) continue;
      writeSync(t.fd, pending);
      pending = '';
    }
    writeSync(t.fd, pending);
  } finally {
    closeSync(t.fd);
  }
  ctx.io.err(
    `tlbsim: trace of ${fmtInt(t.recorder.events.length)} events written to ${t.file} (open it in https://ui.perfetto.dev)\n`,
  );
  return EXIT.OK;
}
