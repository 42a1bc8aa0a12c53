import { realUnitsLines } from './real-units.formatter';
import { sampleRunReport } from './testing/report.fixture';

describe('realUnitsLines', () => {
  it('real rates: achieved beside configured', () => {
    const lines = realUnitsLines(sampleRunReport('overhaul', 10, 0)).join('\n');
    expect(lines).toMatch(/memslot updates \/ host +12,500\/s \(configured 12,500\)/);
  });

  it('compressed time: the rate of the scenario file and the one the run used, never the latter alone as "configured"', () => {
    const report = sampleRunReport('overhaul', 10, 0);
    const rates = report.metrics.rates;
    Object.assign(rates, { timeCompression: 20, compressed: true });
    rates.memslotUpdatesPerHostPerSec = { configured: 2000, achieved: 1167 };
    const lines = realUnitsLines(report).join('\n');
    expect(lines).toContain('Rates per simulated second (compressed: events ran 20x faster than configured)');
    expect(lines).toMatch(/memslot updates \/ host +1,167\/s \(configured 100 x20 = 2,000\)/);
  });
});
