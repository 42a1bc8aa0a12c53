import { buildScenario } from '@tlbsim/contracts';
import { SERIES_POINTS_MAX, seriesEveryWindowsOf } from '@tlbsim/sim-core';
import { runInProcess } from './in-process.runner';

describe('the report time series', () => {
  it('keeps at most SERIES_POINTS_MAX points and the last, however much longer than nominal the run lasts', async () => {
    // Heavy churn on a small fleet: time is cost, so the run lasts many times its nominal length.
    const cfg = buildScenario({
      name: 'long-for-its-size',
      fleet: { hosts: 1, vmsPerHost: 2, vcpusPerVm: 1 },
      workload: { accessesPerVcpu: 20000 },
      events: { memslotUpdatesPerSec: 20000, mmuNotifierInvalidationsPerSec: 20000 },
    });
    const report = await runInProcess(cfg);
    const { points, everyWindows } = report.series!;
    const sampled = Math.floor(report.metrics.windows / seriesEveryWindowsOf(cfg));
    expect(sampled).toBeGreaterThan(SERIES_POINTS_MAX); // the case this test is about
    expect(points.length).toBeLessThanOrEqual(SERIES_POINTS_MAX + 1);
    expect(points[points.length - 1].window).toBe(report.metrics.windows);
    expect(points[points.length - 1].accesses).toBe(report.metrics.accesses);
    expect(everyWindows).toBe(points[1].window - points[0].window);
  });
});
