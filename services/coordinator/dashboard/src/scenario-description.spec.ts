import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { formDescription } from './scenario-description';

describe('formDescription', () => {
  it('drops a "Try:" hint and its continuation lines, keeps the prose around it', () => {
    const text = [
      'The bug.',
      'Rates are real.',
      'Try: --policy overhaul+hv-flush-current (the fix), --set a=b,',
      '     --set c=d, --policy pre-overhaul.',
      'After.',
    ].join('\n');
    expect(formDescription(text)).toBe('The bug.\nRates are real.\nAfter.');
  });

  it('drops lines that are only flags or a tlbsim command', () => {
    expect(formDescription('Prose.\ntlbsim run x.yaml --json\n--set a=1\nMore prose.')).toBe('Prose.\nMore prose.');
  });

  it('leaves no CLI hint in the shipped scenarios\u2019 descriptions', () => {
    const dir = join(__dirname, '..', '..', '..', '..', 'scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(
      expect.arrayContaining(['hyperv-svm-root-reuse.yaml', 'nested-l3-on-hyperv.yaml', 'steady-state-nested.yaml']),
    );
    for (const file of files) {
      const yaml = readFileSync(join(dir, file), 'utf8');
      const comment = yaml
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => l.replace(/^# ?/, ''))
        .join('\n');
      const shown = formDescription(comment);
      expect({ file, shown }).toEqual({
        file,
        shown: expect.not.stringMatching(/Try:|--policy|--set|--grid|tlbsim (run|compare|sweep)/),
      });
      if (/Try:/.test(comment)) expect(shown.length).toBeGreaterThan(100);
    }
  });
});
