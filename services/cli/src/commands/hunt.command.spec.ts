import type { CliIo } from '../cli.context';
import { runCli } from '../program';
import { huntCommand } from './hunt.command';

describe('tlbsim hunt options', () => {
  it('exits 2 naming the option for a bad budget, time, class or vary, before running anything', async () => {
    let err = '';
    const io: CliIo = { out: () => undefined, err: (s) => (err += s) };
    const fail = async (): Promise<never> => {
      throw new Error('must not run');
    };
    const hunt = (...args: string[]): Promise<number> =>
      runCli(['node', 'tlbsim', 'hunt', 'scenarios/hyperv-svm-root-reuse.yaml', ...args], [huntCommand], io, fail);
    expect(await hunt('--budget', '0')).toBe(2);
    expect(err).toContain('--budget: expected runs 1..');
    expect(await hunt('--time', '3 weeks')).toBe(2);
    expect(err).toContain('--time: expected a duration');
    expect(await hunt('--class', 'stale')).toBe(2);
    expect(err).toContain('--class: stale is not one of');
    expect(await hunt('--vary', 'fleet.hosts=3..1')).toBe(2);
    expect(err).toContain('the range is empty');
  });
});
