import { parseDurationMs } from './search.options';

describe('parseDurationMs', () => {
  it('parses --time durations and refuses others', () => {
    expect(parseDurationMs('90')).toBe(90_000);
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('10m')).toBe(600_000);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('250ms')).toBe(250);
    for (const bad of ['0', '-1s', '10x', '25h', ''])
      expect(parseDurationMs(bad)).toMatchObject({ path: 'time', limit: 24 * 3600 * 1000 });
  });
});
