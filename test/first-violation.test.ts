/**
 * `run --stop-at-first-violation` and the engine's `stopWhen`: the run stops
 * at the barrier of the window with the first violation, the same way for
 * any shard count, and its first witness is the full run's first witness.
 */
import { writeFileSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { RunReport, runInProcess, stopAtViolation } from '@tlbsim/engine';
import { runCli } from '../services/cli/src/program';
import { runCommand } from '../services/cli/src/commands/run.command';
import type { CliIo } from '../services/cli/src/cli.context';
import { rootReuseSmall } from './support/scenario.fixture';

const cfg = rootReuseSmall();
let full: RunReport;

beforeAll(async () => {
  full = await runInProcess(cfg, { shards: 1 });
});

describe('stop at the first violation', () => {
  it("stops early with the full run's first witness, whatever the shard count", async () => {
    expect(full.violations.total).toBeGreaterThan(0);
    const [one, three] = await Promise.all([
      runInProcess(cfg, { shards: 1, stopWhen: stopAtViolation() }),
      runInProcess(cfg, { shards: 3, stopWhen: stopAtViolation() }),
    ]);
    expect(one.stoppedAt).toBeDefined();
    expect(one.stoppedAt!.window).toBeLessThan(full.metrics.windows);
    expect(one.metrics.accesses).toBeLessThan(full.metrics.accesses);
    expect(one.violations.total).toBeGreaterThan(0);
    expect(one.violations.witnesses[0]).toEqual(full.violations.witnesses[0]);
    expect(three.digest).toBe(one.digest);
    expect(three.stoppedAt).toEqual(one.stoppedAt);
    expect(full.stoppedAt).toBeUndefined();
  });

  it('stops at the first violation of one class only when asked for that class', async () => {
    const cls = full.violations.witnesses[0].class;
    const other = (['cross-vm', 'use-after-free', 'stale-mapping', 'stale-root'] as const).find(
      (c) => full.violations.byClass[c] === 0,
    );
    const byClass = await runInProcess(cfg, { stopWhen: stopAtViolation(cls) });
    expect(byClass.violations.byClass[cls]).toBeGreaterThan(0);
    if (other) {
      const never = await runInProcess(cfg, { stopWhen: stopAtViolation(other) });
      expect(never.stoppedAt).toBeUndefined();
      expect(never.digest).toBe(full.digest);
    }
  });

  it('tlbsim run --stop-at-first-violation prints where it stopped and the witness', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tlbsim-first-')), 'bug.yaml');
    writeFileSync(file, stringify({ ...cfg, run: { ...cfg.run, witnessesMax: 0 } }));
    let out = '';
    const io: CliIo = { out: (s) => (out += s), err: () => undefined };
    const code = await runCli(
      ['node', 'tlbsim', 'run', file, '--stop-at-first-violation'],
      [runCommand],
      io,
      runInProcess,
    );
    expect(code).toBe(0);
    expect(out).toMatch(/stopped at the first violation: window \d+/);
    expect(out).toContain('First violation');
    expect(out).toContain(full.violations.witnesses[0].lines[full.violations.witnesses[0].lines.length - 1]);
    out = '';
    expect(
      await runCli(
        ['node', 'tlbsim', 'run', file, '--stop-at-first-violation', '--json', '--fail-on-violation'],
        [runCommand],
        io,
        runInProcess,
      ),
    ).toBe(1);
    expect((JSON.parse(out) as RunReport).stoppedAt?.window).toBeGreaterThan(0);
  });
});
