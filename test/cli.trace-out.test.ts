/**
 * `tlbsim run --trace-out` (issue 25): a timeline of the run as Chrome
 * trace-event JSON (Perfetto, about://tracing). The file is valid trace-event
 * JSON, its counts equal the report's counters for the traced VMs, the
 * digest is the same with tracing on, and a trace past its limit is one
 * line and exit 2 with no file.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { RunReport } from '@tlbsim/engine';
import { ROOT } from './support/scenario.fixture';
import { CLI_MAIN } from './support/worker-process';

jest.setTimeout(120000);

const SCENARIO = join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml');
const dir = mkdtempSync(join(tmpdir(), 'tlbsim-trace-out-'));

interface TraceFile {
  traceEvents: {
    name: string;
    cat?: string;
    ph: string;
    ts?: number;
    dur?: number;
    pid: number;
    tid: number;
    args?: Record<string, unknown>;
  }[];
}

function run(...args: string[]): { status: number | null; report: RunReport | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_MAIN, 'run', SCENARIO, '--json', '--progress', 'none', ...args], {
    encoding: 'utf8',
    timeout: 100000,
  });
  return { status: r.status, report: r.status === 0 ? (JSON.parse(r.stdout) as RunReport) : null, stderr: r.stderr };
}

function hypercalls(r: RunReport): number {
  return r.metrics.hypercalls.flushGuestPhysicalAddressSpace + r.metrics.hypercalls.flushGuestPhysicalAddressList;
}

beforeAll(() => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
});

describe('run --trace-out', () => {
  it('writes valid trace-event JSON whose counts are the report counters, with the same digest', () => {
    const file = join(dir, 'all.json');
    // The fix makes hypercalls; the bug's policy makes violations: both, on a VM-wide cross-check.
    const sets = ['--policy', 'overhaul+hv-flush-current'];
    const traced = run(...sets, '--trace-out', file);
    expect(traced.status).toBe(0);
    expect(traced.stderr).toMatch(
      /^tlbsim: trace of [\d,]+ events written to .*all\.json \(open it in https:\/\/ui\.perfetto\.dev\)\n$/,
    );
    const plain = run(...sets);
    expect(traced.report!.digest).toBe(plain.report!.digest);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
    expect(Array.isArray(trace.traceEvents)).toBe(true);
    for (const e of trace.traceEvents) {
      expect(typeof e.name).toBe('string');
      expect(['X', 'i', 'M']).toContain(e.ph);
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      if (e.ph !== 'M') expect(e.ts).toBeGreaterThanOrEqual(0);
      if (e.ph === 'X') expect(e.dur).toBeGreaterThanOrEqual(0);
    }
    const tracks = trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => String(e.args!.name));
    expect(tracks).toEqual(expect.arrayContaining(['VM 0 vCPU 0', 'L0 (host 0)']));
    const hv = trace.traceEvents.filter((e) => e.cat === 'hypercall');
    expect(hypercalls(traced.report!)).toBeGreaterThan(0);
    expect(hv).toHaveLength(hypercalls(traced.report!));
  });

  it('marks the events that stay inside a vCPU: SMI and RSM, nested transitions with no L3 time, as many as counted', () => {
    const file = join(dir, 'local.json');
    const sets = ['--set', 'events.smiPerSec=2000', '--set', 'events.nestedTransitionsPerSec=20000'];
    const traced = run(...sets, '--trace-out', file);
    expect(traced.status).toBe(0);
    expect(traced.report!.digest).toBe(run(...sets).report!.digest);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
    const named = (name: string) => trace.traceEvents.filter((e) => e.name === name).length;
    const events = traced.report!.metrics.events;
    expect(events.smis).toBeGreaterThan(0);
    expect(named('SMI: enter_smm')).toBe(events.smis);
    expect(named('RSM: emulator_leave_smm')).toBeGreaterThan(0);
    expect(named('RSM: emulator_leave_smm')).toBeLessThanOrEqual(events.smis);
    expect(events.nestedTransitions).toBeGreaterThan(0);
    expect(named('nested VMRUN + #VMEXIT (no L3 time)')).toBe(events.nestedTransitions);
  });

  it('--trace-vm keeps the chosen VMs: their hypercalls and their witnesses, marked', () => {
    const all = join(dir, 'bug.json');
    const one = join(dir, 'vm1.json');
    const whole = run('--trace-out', all);
    const vm1 = run('--trace-out', one, '--trace-vm', '1');
    expect(vm1.report!.digest).toBe(whole.report!.digest);
    const events = (f: string): TraceFile['traceEvents'] =>
      (JSON.parse(readFileSync(f, 'utf8')) as TraceFile).traceEvents;
    const witnesses = events(all).filter((e) => e.cat === 'violation');
    expect(witnesses).toHaveLength(whole.report!.violations.witnesses.length);
    expect(witnesses.every((e) => e.args!.witness === true && Array.isArray(e.args!.chain))).toBe(true);
    const mine = events(one);
    expect(mine.filter((e) => e.cat === 'violation')).toHaveLength(
      whole.report!.violations.witnesses.filter((w) => w.vm === 1).length,
    );
    expect(mine.filter((e) => e.cat === 'hypercall').every((e) => e.args!.vm === 1)).toBe(true);
    const names = mine.filter((e) => e.name === 'thread_name').map((e) => String(e.args!.name));
    expect(names.every((n) => /^VM 1 |^L0 /.test(n))).toBe(true);
    expect(mine.length).toBeLessThan(events(all).length);
  });

  it('a trace past --trace-max-events stops the run: one line, exit 2, no file; bad flags are one line', () => {
    const file = join(dir, 'big.json');
    const r = run('--trace-out', file, '--trace-max-events', '100');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^tlbsim: --trace-out: the trace passed --trace-max-events 100 at window \d+ \([\d.]+ ms simulated\), so the run stopped and .*big\.json was not written: trace fewer VMs \(--trace-vm\), a shorter run \(--set run\.simulatedMs=\.\.\.\) or raise --trace-max-events\n$/,
    );
    expect(existsSync(file)).toBe(false);
    expect(run('--trace-out', file, '--trace-vm', '8').stderr).toBe(
      'tlbsim: --trace-vm: expected an integer 0..7, got 8\n',
    );
    expect(run('--trace-vm', '1').stderr).toBe('tlbsim: --trace-vm needs --trace-out <file>\n');
    expect(run('--trace-out', join(dir, 'no', 'such', 'dir.json')).stderr).toMatch(
      /^tlbsim: --trace-out .*dir\.json: cannot write it: no such file\n$/,
    );
  });
});
