/**
 * The dashboard in headless Chromium (playwright-core, Debian's
 * /usr/bin/chromium): submit through the form, watch the job to 100%, see
 * violations, charts and a witness; screenshots go to test/artifacts/.
 * Without chromium the suite fails, unless TLBSIM_TEST_SKIP=chromium.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { CoordinatorStack, eventually, startStack } from './support/coordinator.fixture';
import { describeWith } from './support/required-tool';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');

/** True if the canvas has drawn (non-transparent) pixels. */
function canvasHasInk(page: Page, testId: string): Promise<boolean> {
  return page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`canvas[data-testid="${id}"]`);
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width === 0) return false;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
    return ink > 200;
  }, testId);
}

describeWith('chromium', 'dashboard (headless Chromium)', () => {
  let stack: CoordinatorStack;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack({ workers: 1, concurrency: 2, listen: true });
    base = await stack.app.getUrl();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows validation errors next to the fields of the submit form', async () => {
    await page.goto(`${base}/#/submit`);
    await page.selectOption('[data-testid=scenario-picker]', 'hyperv-svm-root-reuse');
    await page.fill('input[data-path="fleet.hosts"]', '0');
    await page.fill('input[data-path="tlb.ways"]', '999');
    await page.click('[data-testid=submit]');
    await page.waitForSelector('[data-error-for="fleet.hosts"]:not(:empty)');
    expect(await page.textContent('[data-error-for="fleet.hosts"]')).toMatch(/fleet\.hosts/);
    expect(await page.textContent('[data-error-for="tlb.ways"]')).toMatch(/tlb\.ways/);
    expect(await page.locator('label.field.invalid').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(ARTIFACTS, 'submit-errors.png'), fullPage: true });
  });

  it('submits through the form and follows the job to 100% with violations, charts and witnesses', async () => {
    await page.fill('input[data-path="fleet.hosts"]', '2');
    await page.fill('input[data-path="tlb.ways"]', '12');
    await page.fill('input[data-path="workload.accessesPerVcpu"]', '300000');
    await page.click('[data-testid=submit]');
    await page.waitForURL(/#\/jobs\//);
    const progress = page.locator('.card [data-testid=progress]').first();
    const seen = new Set<string>();
    await eventually(async () => {
      const now = await progress.getAttribute('aria-valuenow');
      if (now) seen.add(now);
      return now === '100';
    }, 60000, 50);
    await page.waitForSelector('[data-testid=counters]');
    const violations = Number((await page.locator('.card [data-testid=violations]').first().textContent())?.replace(/,/g, ''));
    expect(violations).toBeGreaterThan(0);
    for (const chart of ['chart-hit-rate', 'chart-violations', 'chart-flushes', 'chart-nested-walks']) expect(await canvasHasInk(page, chart)).toBe(true);
    const witness = page.locator('[data-testid=witness]').first();
    await witness.locator('summary').click();
    expect(await witness.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await witness.locator('.timeline li').count()).toBeGreaterThan(1);
    // The kernel's trace lines are parsed: every step shows its time stamp, in order.
    const times = await witness.locator('[data-testid=witness-time]').allTextContents();
    expect(times.length).toBe(await witness.locator('.timeline li').count());
    for (const t of times) expect(t).toMatch(/^\d+\.\d{9}$/);
    expect(times.map(Number)).toEqual([...times.map(Number)].sort((a, b) => a - b));
    await page.screenshot({ path: join(ARTIFACTS, 'job-page.png'), fullPage: true });
  });

  it('lists the job live and shows the worker', async () => {
    await page.goto(`${base}/#/`);
    await page.waitForSelector('[data-testid=jobs] tr[data-job]');
    expect(await page.locator('[data-testid=jobs] tr[data-job] [data-testid=progress]').first().getAttribute('aria-valuenow')).toBe('100');
    await page.screenshot({ path: join(ARTIFACTS, 'jobs-list.png'), fullPage: true });
    await page.goto(`${base}/#/workers`);
    await page.waitForSelector('[data-testid=workers] td.mono');
    expect(await page.locator('[data-testid=workers] tbody tr').count()).toBe(1);
  });

  it('compares two policies side by side', async () => {
    await page.goto(`${base}/#/submit`);
    await page.waitForSelector('input[data-path="workload.accessesPerVcpu"]');
    await page.selectOption('[data-testid=scenario-picker]', 'hyperv-svm-root-reuse');
    await page.fill('input[data-path="workload.accessesPerVcpu"]', '50000');
    await page.check('input[name=policy][value="overhaul+hv-flush-current"]');
    await page.click('[data-testid=submit]');
    await page.waitForURL(/#\/compare\//);
    await page.waitForSelector('canvas[data-testid=chart-cmp-cycles]', { timeout: 30000 });
    await eventually(async () => !(await page.textContent('[data-testid=compare-table]'))?.includes('…'), 30000);
    expect(await canvasHasInk(page, 'chart-cmp-violations')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });
  });

  it('shows why a job waits: slots needed and live', async () => {
    const res = await page.request.post(`${base}/api/jobs`, { data: { scenarioName: 'hyperv-svm-root-reuse', shards: 4 } });
    expect(res.status()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`${base}/#/jobs/${id}`);
    await page.waitForSelector('[data-testid=slots]');
    expect(await page.textContent('[data-testid=slots]')).toBe('needs 4 slots, 2 live');
    expect(await page.textContent('.card [data-testid=progress-detail]')).toBe('waiting for workers: needs 4 slots, 2 live');
    expect((await page.request.delete(`${base}/api/jobs/${id}`)).status()).toBe(200);
  });
});
