import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemoUpstreams, type DemoUpstreams } from '@shadowdiff/demo';
import { readRecording } from '@shadowdiff/recordings';
import { createTestDatabase, eventually, runCli, startUp, stopStarted, type CliProcess, type TestDatabase } from '@shadowdiff/testkit';

/**
 * A HAR recorded by a real browser (Playwright's `recordHar`, Debian's Chromium) while browsing
 * the demo's primary, replayed against the demo's candidate, finds what live mirroring of the
 * same requests through the tap finds.
 */
const PATHS = ['/api/health', '/api/products', '/api/users/7/orders', ...[1, 2, 3, 4, 5].flatMap((id) => [`/api/orders/${id}`, `/api/users/${id}`, `/api/products/${id}`])];

interface Finding {
  verdict: string;
  title: string;
}

describe('a HAR recorded in a browser, replayed', () => {
  let demo: DemoUpstreams;
  let db: TestDatabase;
  let up: CliProcess | undefined;
  const work = mkdtempSync(join(tmpdir(), 'shadowdiff-har-'));
  const env = (): Record<string, string> => ({ DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    demo = await startDemoUpstreams();
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
  });
  afterAll(async () => {
    await demo?.close();
    await stopStarted({ processes: [up], db, dirs: [work] });
  });

  it('gives the same real findings as live mirroring of the same requests', async () => {
    const har = join(work, 'browsing.har');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const context = await browser.newContext({ recordHar: { path: har, content: 'embed' } });
      const page = await context.newPage();
      for (let round = 0; round < 3; round++) for (const path of PATHS) expect((await page.goto(`${demo.primary.url}${path}`))!.status()).toBe(200);
      await context.close();
    } finally {
      await browser.close();
    }
    const recording = await readRecording(har);
    expect(recording.format).toBe('har');
    const recordedGets = recording.exchanges.filter((e) => e.request.url.startsWith('/api/'));
    expect(recordedGets).toHaveLength(PATHS.length * 3);

    const replay = runCli(['replay', '--from', har, '--candidate', demo.candidate.url, '--run', 'har-replayed', '--speed', 'max', '--api-port', '0', '--worker-admin-port', '0', '--state-dir', join(work, 'replay-state')], env());
    expect(await replay.exited(), replay.stderr()).toBe(0);

    // The same requests, live, through the tap in front of the same primary and candidate.
    const started = await startUp(['--primary', demo.primary.url, '--candidate', demo.candidate.url, '--run', 'har-live', '--tap-port', '0', '--api-port', '0', '--admin-port', '0', '--worker-admin-port', '0', '--state-dir', join(work, 'up-state')], env());
    up = started.cli;
    for (const exchange of recording.exchanges) await (await fetch(`${started.tapUrl}${exchange.request.url}`)).arrayBuffer();
    const runs = async (): Promise<Map<string, number>> => {
      const { items } = (await (await fetch(`${started.apiUrl}/api/v1/runs`)).json()) as { items: { name: string; exchanges: number }[] };
      return new Map(items.map((r) => [r.name, r.exchanges]));
    };
    await eventually(async () => (await runs()).get('har-live') === recording.exchanges.length, 30_000);
    // Entries whose body the browser did not keep have no recorded response: they are skipped.
    const answered = recording.exchanges.filter((e) => e.response).length;
    expect(answered).toBeGreaterThan(recording.exchanges.length * 0.8);
    expect((await runs()).get('har-replayed')).toBe(answered);

    const real = async (run: string): Promise<string[]> => {
      const { items } = (await (await fetch(`${started.apiUrl}/api/v1/runs/${run}/findings`)).json()) as { items: Finding[] };
      return items.filter((f) => f.verdict === 'real').map((f) => f.title).sort();
    };
    const replayed = await real('har-replayed');
    expect(replayed).toEqual(await real('har-live'));
    expect(replayed.join('\n')).toMatch(/type number → string/);
    expect(replayed.join('\n')).toMatch(/field renamed body\.email → body\.emailAddress/);
  });
});
