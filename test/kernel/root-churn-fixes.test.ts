import { runInProcess } from '@tlbsim/engine';
import { shippedScenario } from '../support/scenario.fixture';

/**
 * Issue 24: the two follow-up fixes that removed the root churn behind the
 * seed bug, as policy modifiers: edbdb43fc96b (`+preserve-roots`: the TDP MMU
 * keeps every valid root until it is invalidated, so SMI/RSM and CR0.WP
 * reloads find their root again) and 01b31714bd90 (`+cr0wp-keep-roots`: a
 * CR0.WP toggle no longer unloads the roots). Neither is the e5c972c1fada fix.
 */
describe('root churn and the follow-up fixes', () => {
  const smiOnly = ['events.memslotUpdatesPerSec=0', 'events.mmuNotifierInvalidationsPerSec=0'];

  it('SMIs only: overhaul reuses root pages, +preserve-roots allocates one root per role and VM and reuses none', async () => {
    const churn = await runInProcess(shippedScenario('l2-boot', smiOnly));
    const kept = await runInProcess(shippedScenario('l2-boot', [...smiOnly, 'kvm.policy=overhaul+preserve-roots']));
    expect(churn.metrics.events.smis).toBeGreaterThan(0);
    expect(churn.metrics.roots.pageReused).toBeGreaterThan(0);
    expect(kept.metrics.events.smis).toBeGreaterThan(0);
    expect(kept.metrics.roots.pageReused).toBe(0);
    expect(kept.metrics.roots.freed).toBe(0);
    expect(kept.metrics.roots.allocated).toBeLessThanOrEqual(2 * kept.fleet.vmsPerHost * kept.fleet.hosts);
  });

  it('+preserve-roots still frees a root once a fast zap invalidated it and no vCPU holds it', async () => {
    const r = await runInProcess(shippedScenario('l2-boot', ['kvm.policy=overhaul+preserve-roots']));
    expect(r.metrics.events.memslotUpdates).toBeGreaterThan(0);
    expect(r.metrics.roots.freed).toBeGreaterThan(0);
  });

  it('CR0.WP toggles unload the roots before 01b31714bd90 (root churn, page reuse); +cr0wp-keep-roots keeps them', async () => {
    const wp = [
      ...smiOnly,
      'events.smiPerSec=0',
      'events.cr4WritesPerSec=0',
      'events.cr0WpTogglesPerSec=5000',
      'fleet.vcpusPerVm=1',
    ];
    const churn = await runInProcess(shippedScenario('l2-boot', wp));
    const kept = await runInProcess(shippedScenario('l2-boot', [...wp, 'kvm.policy=overhaul+cr0wp-keep-roots']));
    expect(churn.metrics.events.cr0WpToggles).toBeGreaterThan(0);
    expect(churn.metrics.roots.allocated).toBeGreaterThan(churn.fleet.vcpus);
    expect(churn.metrics.roots.pageReused).toBeGreaterThan(0);
    expect(kept.metrics.events.cr0WpToggles).toBeGreaterThan(0);
    expect(kept.metrics.roots.allocated).toBeLessThanOrEqual(kept.fleet.hosts * kept.fleet.vmsPerHost);
    expect(kept.metrics.roots.pageReused).toBe(0);
  });
});
