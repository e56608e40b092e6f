import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { browserSession, browserSkipReason, PHONE, shoot, waitUntilIdle } from './harness.js';

const missing = browserSkipReason('the dashboard browser tests');

describe.skipIf(missing !== null)('dashboard in a real browser', () => {
  const session = browserSession();

  it('shows the overview with its cards, CRM status and live connection', async () => {
    const { page } = session;
    await session.go('/');
    await expect(page.getByRole('heading', { name: 'Overview' }).isVisible()).resolves.toBe(true);
    await page.getByText('Active runs').waitFor();
    await page.getByRole('link', { name: 'Faker' }).first().waitFor();
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await page.getByText('System health').waitFor();
    await shoot(page, 'overview-desktop');
  });

  it('launches a sync from the dialog and follows its progress bar to 100% live', async () => {
    const { page } = session;
    // The first start syncs the demo CRM; let it finish so this launch is not refused.
    await waitUntilIdle(session.crmsync.url);
    await session.go('/crm/faker');
    await page.getByRole('button', { name: 'Sync contacts' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Batch size').fill('50');
    await dialog.getByRole('button', { name: 'Start sync' }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const bar = page.getByRole('progressbar', { name: 'Run progress' });
    await expect
      .poll(async () => bar.getAttribute('aria-valuetext'), { timeout: 60_000, interval: 250 })
      .toBe('100%');
    await page.getByRole('status', { name: 'Status: Success' }).waitFor({ timeout: 30_000 });
    const runId = page.url().split('/').at(-1) ?? '';
    await shoot(page, 'run-desktop');

    await session.go('/runs');
    await page.locator(`a[href="/runs/${runId}"]`).waitFor();
    await shoot(page, 'runs-desktop');
  });

  it('opens the keyboard search with Ctrl+K and navigates to an entity', async () => {
    const { page } = session;
    await session.go('/');
    await page.keyboard.press('Control+k');
    const box = page.getByRole('combobox', { name: 'Search CRMs, entities and pages' });
    await box.waitFor();
    await box.fill('contacts');
    await page
      .getByRole('option', { name: /contacts/ })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/crm\/faker\/contacts$/);
  });

  it('browses records with search, sort and paging, and exports the filtered set as CSV', async () => {
    const { page } = session;
    await session.go('/crm/faker/contacts');
    await page.getByRole('table', { name: 'Records of contacts' }).waitFor();
    const rows = page.getByRole('table', { name: 'Records of contacts' }).locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(25);
    // The key field is the record id: one column, first, not a second copy among the fields.
    const headers = (
      await page
        .getByRole('table', { name: 'Records of contacts' })
        .locator('thead th')
        .allTextContents()
    ).map((h) => h.replace(/[▲▼]/g, '').trim());
    expect(headers[0]).toBe('id');
    expect(headers.filter((h) => h === 'id')).toHaveLength(1);
    expect(await rows.first().locator('td').count()).toBe(headers.length);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    await shoot(page, 'entity-desktop');

    const firstId = (await rows.first().locator('td').first().textContent())?.trim() ?? '';
    await page.getByRole('searchbox', { name: 'Search' }).fill(firstId);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(1);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = await readFile(file, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^external_id,/);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.slice(1).some((l) => l.startsWith(firstId))).toBe(true);
  });

  it('shows a flag the server rejects on its own field', async () => {
    const { page } = session;
    await session.go('/crm/faker?validate=server');
    await page.getByRole('button', { name: 'Sync all' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Start date/).fill('2025-13-01');
    await dialog.getByRole('button', { name: 'Start sync' }).click();
    const error = dialog.locator('#err-startDate');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/YYYY-MM-DD/);
    await shoot(page, 'sync-dialog-error');
  });

  it('creates, pauses and resumes a schedule', async () => {
    const { page } = session;
    await session.go('/schedules');
    const form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('CRM').selectOption('faker');
    await form.getByLabel('Entity').selectOption('companies');
    await form.getByLabel('Interval').fill('2 hours');
    await form.getByRole('button', { name: 'Add schedule' }).click();
    const pause = page.getByRole('button', { name: 'Pause schedule faker companies' });
    await pause.waitFor();
    await pause.click();
    await page.getByRole('button', { name: 'Resume schedule faker companies' }).waitFor();
    await shoot(page, 'schedules-desktop');
  });

  it('renders every page at phone width', async () => {
    const { page } = session;
    const phone = await session.browser.newPage({ viewport: PHONE });
    for (const [path, name] of [
      ['/', 'overview'],
      ['/crm/faker', 'crm'],
      ['/crm/faker/contacts', 'entity'],
      ['/runs', 'runs'],
      ['/schedules', 'schedules'],
    ] as const) {
      await session.go(path, phone);
      await phone.locator('main h1').first().waitFor();
      const overflow = await phone.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, `${path} scrolls sideways on a phone`).toBeLessThanOrEqual(1);
      await shoot(phone, `${name}-phone`);
    }
    await phone.close();
    await session.go('/crm/faker');
    await shoot(page, 'crm-desktop');
    await session.go('/schedules');
  }, 60_000);
});

describe.skipIf(missing !== null)('dashboard sign-in when an API token is set', () => {
  const token = 'ui-test-token-9f3c2b';
  const session = browserSession({ env: () => ({ CRMSYNC_API_TOKEN: token }) });

  it('asks for the token, refuses a wrong one, and keeps the right one out of script reach', async () => {
    const { page } = session;
    await page.goto(`${session.crmsync.url}/runs`);
    await page.waitForURL(/\/login\?next=/);
    await shoot(page, 'login-desktop');
    await page.getByLabel('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();

    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/runs$/);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(await page.evaluate(() => document.cookie)).not.toContain(token);
    expect(
      await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage })),
    ).not.toContain(token);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'crmsync_token')?.httpOnly).toBe(true);
    const html = await page.content();
    expect(html).not.toContain(token);
  }, 60_000);
});
