/**
 * The run summary (issue 25): the text and JSON reports end with host
 * seconds, simulated time, accesses per host second and the resolved
 * scenario; `run --print-config` prints that scenario as YAML which `run`
 * accepts, and running it again gives the same digest. Host time is
 * measured by the CLI around the run: the digest is the kernel's alone.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseScenarioText } from '@tlbsim/contracts';
import { runInProcess, RunReport } from '@tlbsim/engine';
import { ROOT, shippedScenario } from './support/scenario.fixture';
import { CLI_MAIN } from './support/worker-process';

jest.setTimeout(120000);

const SCENARIO = join(ROOT, 'scenarios', 'hyperv-svm-root-reuse.yaml');
const SETS = ['--set', 'fleet.hosts=1', '--set', 'run.simulatedMs=1'];

function tlbsim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], { encoding: 'utf8', timeout: 100000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` first`);
});

describe('run summary', () => {
  it('--print-config prints the resolved scenario as YAML that run accepts, with the same digest', async () => {
    const printed = tlbsim('run', SCENARIO, ...SETS, '--print-config');
    expect(printed.status).toBe(0);
    expect(printed.stderr).toBe('');
    const config = parseScenarioText(printed.stdout, 'yaml') as {
      fleet: { hosts: number };
      run: { simulatedMs: number };
    };
    expect(config.fleet.hosts).toBe(1);
    expect(config.run.simulatedMs).toBe(1);
    const file = join(mkdtempSync(join(tmpdir(), 'tlbsim-summary-')), 'resolved.yaml');
    writeFileSync(file, printed.stdout);
    const again = JSON.parse(tlbsim('run', file, '--json', '--progress', 'none').stdout) as RunReport;
    const first = JSON.parse(tlbsim('run', SCENARIO, ...SETS, '--json', '--progress', 'none').stdout) as RunReport;
    expect(again.digest).toBe(first.digest);
    // The digest is the kernel's: the same run in this process, with no summary at all.
    const inProcess = await runInProcess(
      shippedScenario('hyperv-svm-root-reuse', ['fleet.hosts=1', 'run.simulatedMs=1']),
    );
    expect(first.digest).toBe(inProcess.digest);
    expect(inProcess.summary).toBeUndefined();
  });

  it('the JSON report ends with the summary: host seconds, simulated time, accesses per host second, the resolved scenario', () => {
    const r = tlbsim('run', SCENARIO, ...SETS, '--json');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as RunReport;
    expect(Object.keys(report).at(-1)).toBe('summary');
    const s = report.summary!;
    expect(s.hostSeconds).toBeGreaterThan(0);
    expect(s.simulatedMs).toBe(report.metrics.simulatedNs / 1e6);
    expect(s.accessesPerHostSec).toBe(Math.round(report.metrics.accesses / s.hostSeconds!));
    const printed = parseScenarioText(tlbsim('run', SCENARIO, ...SETS, '--print-config').stdout, 'yaml');
    expect(s.config).toEqual(printed);
  });

  it('the text report ends with the same summary and the scenario as YAML', () => {
    const r = tlbsim('run', SCENARIO, ...SETS);
    expect(r.status).toBe(0);
    const tail = r.stdout.slice(r.stdout.indexOf('\nRun summary\n'));
    expect(tail).toMatch(
      /^\nRun summary\n {2}host time +[\d.]+ s\n {2}simulated time +1\.000 ms\n {2}speed +[\d,]+ simulated accesses per host second\n/,
    );
    const yaml = tail
      .split('\n')
      .filter((l) => l.startsWith('    '))
      .map((l) => l.slice(4))
      .join('\n');
    expect(yaml).toBe(tlbsim('run', SCENARIO, ...SETS, '--print-config').stdout.trimEnd());
  });
});
