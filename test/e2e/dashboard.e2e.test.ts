import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, eventually, startUp, startUpstream, stopStarted, type CliProcess, type TestDatabase, type TestUpstream } from '@shadowdiff/testkit';

const TOKEN = 'dashboard-test-token-0123456789';
const SHOTS = join(process.cwd(), 'test-output', 'screenshots');
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

/**
 * The dashboard in a real Chromium, on a run filled by real traffic through the tap: runs →
 * run → endpoint → field → exchange, a triage action, and a hostile body shown as text.
 */
describe('dashboard in a browser', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let secondary: TestUpstream;
  let db: TestDatabase;
  let cli: CliProcess;
  let browser: Browser;
  let page: Page;
  let apiUrl: string;
  const stateDir = mkdtempSync(join(tmpdir(), 'shadowdiff-dash-'));

  const answer = (version: 'v1' | 'v2') => (req: { url?: string }, res: import('node:http').ServerResponse) => {
    const id = Number(req.url?.split('/')[2] ?? 0);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        id,
        name: `user ${id}`,
        price: version === 'v2' && id % 2 === 0 ? 11 : 10,
        bio: version === 'v2' ? HOSTILE : 'plain',
        requestedAt: new Date().toISOString(),
      }),
    );
  };

  beforeAll(async () => {
    primary = await startUpstream(answer('v1'));
    secondary = await startUpstream(answer('v1'));
    candidate = await startUpstream(answer('v2'));
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    const stack = await startUp(
      ['--primary', primary.url, '--candidate', candidate.url, '--secondary', secondary.url, '--run', 'dash-run', '--tap-port', '0', '--api-port', '0', '--state-dir', stateDir],
      { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_API_TOKEN: TOKEN, SHADOWDIFF_LOG_LEVEL: 'warn' },
    );
    cli = stack.cli;
    apiUrl = stack.apiUrl;
    const tapUrl = stack.tapUrl;
    for (let i = 0; i < 60; i++) await fetch(`${tapUrl}/users/${i}`).then((r) => r.arrayBuffer());
    await eventually(async () => {
      const res = await fetch(`${apiUrl}/api/v1/runs`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const runs = (await res.json()) as { items: { name: string; exchanges: number }[] };
      return runs.items.find((r) => r.name === 'dash-run')?.exchanges === 60;
    }, 30_000);

    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await stopStarted({ processes: [cli], upstreams: [primary, candidate, secondary], db, dirs: [stateDir] });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('asks for the token once, then drills from runs to one exchange', async () => {
    await page.goto(`${apiUrl}/`);
    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('link', { name: 'dash-run' }).waitFor();
    await shot('1-runs');

    await page.getByRole('link', { name: 'dash-run' }).click();
    await page.getByRole('heading', { name: /dash-run/ }).waitFor();
    await page.getByText('Traffic from inline tap').waitFor();
    // The endpoints table (the findings above it link to the same endpoint).
    const routeLink = page.locator('table').getByRole('link', { name: 'GET /users/{id}' });
    await routeLink.waitFor();
    await shot('2-run');

    await routeLink.click();
    await page.getByRole('link', { name: 'body.price' }).waitFor();
    await shot('3-endpoint');

    await page.getByRole('link', { name: 'body.price' }).click();
    await page.getByRole('caption').filter({ hasText: 'Example exchanges' }).waitFor();
    await shot('4-field');

    await page.locator('table a').first().click();
    await page.getByRole('heading', { name: /GET \/users\/\d+/ }).waitFor();
    await expect.poll(() => page.locator('mark').count()).toBeGreaterThan(0);
    await shot('5-exchange');

    // The session keeps the token: a reload asks for nothing.
    await page.reload();
    await page.getByRole('heading', { name: /GET \/users\/\d+/ }).waitFor();
  });

  it('leads a run with its findings, each route linking to its endpoint', async () => {
    await page.goto(`${apiUrl}/runs/dash-run`);
    const findings = page.getByRole('region', { name: 'Findings' });
    await findings.getByText('value changed on body.bio').waitFor();
    // body.bio differs in every exchange and body.price in half of them: two findings, real.
    await expect.poll(() => findings.locator('li').allInnerTexts()).toEqual([
      expect.stringMatching(/^real value changed on body\.bio 60 exchanges: GET \/users\/\{id\} 100\.0% Noise Expected$/),
      expect.stringMatching(/^real value changed on body\.price 30 exchanges: GET \/users\/\{id\} 50\.0% Noise Expected$/),
    ]);
    await shot('2b-findings');

    // A finding is triaged as one: every field of it gets the mark.
    await findings.getByRole('button', { name: 'Mark finding value changed on body.price as expected' }).click();
    await page.getByLabel('Reason').fill('prices were rounded on purpose');
    await page.getByRole('dialog').getByRole('button', { name: 'Mark as expected' }).click();
    await expect.poll(() => findings.locator('li').allInnerTexts()).toEqual([expect.stringMatching(/^real value changed on body\.bio/), expect.stringMatching(/^expected value changed on body\.price/)]);
    const marks = (await (await fetch(`${apiUrl}/api/v1/runs/dash-run/triage`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { items: { field: string; state: string; reason: string }[] };
    expect(marks.items).toEqual([expect.objectContaining({ field: 'body.price', state: 'expected', reason: 'prices were rounded on purpose' })]);
    const cleared = await fetch(`${apiUrl}/api/v1/runs/dash-run/triage?route=${encodeURIComponent('GET /users/{id}')}&field=body.price`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(cleared.status).toBeLessThan(300);

    await page.goto(`${apiUrl}/runs/dash-run`);
    await findings.getByRole('link', { name: 'GET /users/{id}' }).first().click();
    await page.getByRole('link', { name: 'body.price' }).waitFor();
  });

  it('shows a hostile body as text and runs none of it', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${apiUrl}/runs/dash-run/endpoints/${encodeURIComponent('GET /users/{id}')}/fields/body.bio`);
    await page.locator('table a').first().click();
    await page.getByRole('heading', { name: /GET \/users\/\d+/ }).waitFor();
    await expect.poll(() => page.getByText('window.__pwned = 1', { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('marks a field as noise and the run’s real-difference rate drops at once', async () => {
    const rateCard = () => page.locator('.card', { hasText: 'real-difference rate' }).locator('.value').innerText();
    await page.goto(`${apiUrl}/runs/dash-run`);
    const before = await rateCard();
    expect(before).toBe('100.0%'); // every exchange differs on body.bio

    await page.goto(`${apiUrl}/runs/dash-run/endpoints/${encodeURIComponent('GET /users/{id}')}`);
    await page.getByRole('button', { name: 'Mark body.bio as noise' }).click();
    await page.getByLabel('Reason').fill('bio rendering changed on purpose');
    await page.getByRole('dialog').getByRole('button', { name: 'Mark as noise' }).click();
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'body.bio' }) });
    await expect.poll(() => row.innerText()).toMatch(/noise/);
    await shot('6-endpoint-after-triage');

    await page.goto(`${apiUrl}/runs/dash-run`);
    await expect.poll(rateCard).toBe('50.0%'); // only body.price differs now: even ids

    // The mark can be taken back, with the same immediate effect.
    await page.goto(`${apiUrl}/runs/dash-run/endpoints/${encodeURIComponent('GET /users/{id}')}`);
    await page.getByRole('button', { name: 'Clear the mark on body.bio' }).click();
    await expect.poll(() => row.innerText()).toMatch(/real/);
    await page.goto(`${apiUrl}/runs/dash-run`);
    await expect.poll(rateCard).toBe('100.0%');
  });

  it('adds an ignore rule for a field of one endpoint, and removes it', async () => {
    await page.goto(`${apiUrl}/runs/dash-run/endpoints/${encodeURIComponent('GET /users/{id}')}`);
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'body.price' }) });
    await page.getByRole('button', { name: 'Ignore body.price on this endpoint' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Add an ignore rule' }).click();
    await expect.poll(() => row.innerText()).toMatch(/ignored/);
    await page.getByRole('button', { name: /Remove rule ignore-body.price-/ }).click();
    await expect.poll(() => row.innerText()).toMatch(/real/);
  });
});
