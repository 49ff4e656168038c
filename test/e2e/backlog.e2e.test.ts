import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '@shadowdiff/local-infra';
import { createProducerConnection } from '@shadowdiff/queue';
import { createTestDatabase, eventually, runCli, startUpstream, stopStarted, type CliProcess, type TestDatabase, type TestUpstream } from '@shadowdiff/testkit';

/** Batches allowed to wait for a worker (tap.maxQueuedBatches), kept small so the bound is reached quickly. */
const BOUND = 10;
/** What Redis may grow by while no worker consumes, however much traffic comes: the bound's batches and their bookkeeping. */
const REDIS_GROWTH_LIMIT_BYTES = 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function metrics(url: string): Promise<(name: string) => number> {
  const text = await (await fetch(url)).text();
  return (name) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

/**
 * With every worker stopped, the pipeline's backlog is visible and bounded: the gauges grow,
 * the API's /readyz says no worker consumes, the tap drops (backlog_full) from the bound on, and
 * Redis memory stops growing.
 */
describe('traffic while no worker consumes', () => {
  let redis: LocalRedis;
  let db: TestDatabase;
  let primary: TestUpstream;
  let candidate: TestUpstream;
  const processes: CliProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-backlog-'));
  let worker: CliProcess;
  let tap: { url: string; metrics: string };
  let apiUrl: string;
  const payload = { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}`, price: i * 1.5 })) };

  beforeAll(async () => {
    // A redis-server of this test's own, so its memory is this test's alone.
    redis = await startLocalRedis({ dir: join(dir, 'redis') });
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    primary = await startUpstream((_req, res) => void res.end(JSON.stringify(payload)));
    candidate = await startUpstream((_req, res) => void res.end(JSON.stringify({ ...payload, v: 2 })));
    const config = join(dir, 'shadowdiff.yaml');
    writeFileSync(config, `tap:\n  batchSize: 5\n  maxQueuedBatches: ${BOUND}\n  backlogPollMs: 20\napi:\n  maxResultLagSeconds: 1\n`);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      SHADOWDIFF_PRIMARY: primary.url,
      SHADOWDIFF_CANDIDATE: candidate.url,
      SHADOWDIFF_RUN: 'backlog',
      SHADOWDIFF_TAP_PORT: '0',
      SHADOWDIFF_TAP_ADMIN_PORT: '0',
      SHADOWDIFF_API_PORT: '0',
      SHADOWDIFF_WORKER_ADMIN_PORT: '0',
      SHADOWDIFF_STATE_DIR: dir,
      SHADOWDIFF_LOG_LEVEL: 'warn',
    };
    const start = (command: string): CliProcess => {
      const cli = runCli([command, '--config', config], env);
      processes.push(cli);
      return cli;
    };
    worker = start('worker');
    await worker.waitFor(/worker consuming/);
    const api = start('api');
    [, apiUrl] = (await api.waitFor(/api listening on (\S+)\n/)) as [string, string];
    const [, url, admin] = (await start('tap').waitFor(/tap listening on (\S+)\nmetrics on (\S+)\n/)) as [string, string, string];
    tap = { url: url, metrics: admin };
  });

  afterAll(async () => {
    await stopStarted({ processes, upstreams: [primary, candidate], services: [redis], db, dirs: [dir] });
  });

  it('shows the backlog growing, reports it in /readyz, drops from the bound on, and keeps Redis memory bounded', async () => {
    const send = (n: number): Promise<void[]> => Promise.all(Array.from({ length: n }, async () => void (await (await fetch(`${tap.url}/items`)).arrayBuffer())));
    const stored = async (): Promise<number> => Number((await db.pool.query('SELECT count(*) AS n FROM exchanges')).rows[0].n);
    // Consumed while a worker runs.
    await send(10);
    expect(await eventually(async () => (await stored()) === 10, 30_000)).toBe(true);
    expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
    expect(await worker.stop()).toBe(0);

    const memory = createProducerConnection(redis.url, { enableOfflineQueue: true });
    const usedMemory = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await memory.info('memory'))![1]);
    try {
      const before = await usedMemory();
      // Bursts of five requests, each read back once the tap has looked at the backlog again.
      const readings: { waiting: number; dropped: number }[] = [];
      const burst = async (): Promise<void> => {
        await send(5);
        await sleep(80);
        const read = await metrics(tap.metrics);
        readings.push({ waiting: read('shadowdiff_queue_waiting_batches'), dropped: read('shadowdiff_tap_dropped_total{reason="backlog_full"}') });
      };
      for (let i = 0; i < 15; i++) await burst();
      // Nothing is dropped below the bound; drops begin once it is reached, and the backlog stays at it.
      for (const { waiting, dropped } of readings) if (waiting < BOUND) expect(dropped).toBe(0);
      const reached = readings.at(-1)!;
      expect(reached.dropped).toBeGreaterThan(0);
      expect(reached.waiting).toBeGreaterThanOrEqual(BOUND);
      expect(reached.waiting).toBeLessThanOrEqual(BOUND + 3);

      // Every capture is accounted for: waiting (counted exactly by the API), stored before, or dropped.
      const tapNow = await metrics(tap.metrics);
      const queued = tapNow('shadowdiff_tap_captures_queued_total');
      expect(queued + tapNow('shadowdiff_tap_dropped_total{reason="backlog_full"}')).toBe(tapNow('shadowdiff_tap_mirrored_total'));
      const api = await metrics(`${apiUrl}/metrics`);
      expect(api('shadowdiff_queue_waiting_captures')).toBe(queued - 10);
      expect(api('shadowdiff_queue_waiting_batches')).toBe(reached.waiting);

      // The oldest capture's age grows, and /readyz reports the backlog with no worker consuming.
      const age = tapNow('shadowdiff_queue_oldest_waiting_seconds');
      await sleep(1200);
      expect((await metrics(tap.metrics))('shadowdiff_queue_oldest_waiting_seconds')).toBeGreaterThan(age + 1);
      const ready = await fetch(`${apiUrl}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: Record<string, boolean>; backlog: { waitingCaptures: number; oldestWaitingSeconds: number; consumedWithinSeconds: { seconds: number; consumed: boolean }; workers: number } };
      expect(body.checks).toEqual({ postgres: true, redis: true, consuming: false });
      expect(body.backlog).toMatchObject({ waitingCaptures: queued - 10, consumedWithinSeconds: { seconds: 1, consumed: false }, workers: 0 });
      expect(body.backlog.oldestWaitingSeconds).toBeGreaterThan(1);
      // A load balancer asking only whether the API can serve readers keeps it in: its database answers.
      const serving = await fetch(`${apiUrl}/readyz?check=postgres`);
      expect(serving.status).toBe(200);
      expect(((await serving.json()) as { checks: Record<string, boolean> }).checks.consuming).toBe(false);
      const unknown = await fetch(`${apiUrl}/readyz?check=postgress`);
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain("no check named postgress; checks: postgres, redis, consuming");
      // The active run warns that its results lag, in the CLI's list of runs.
      const runs = runCli(['runs', '--api', apiUrl]);
      expect(await runs.exited()).toBe(0);
      expect(runs.stdout()).toMatch(new RegExp(`warning: run backlog: results lag traffic by [\\d.]+ s: ${queued - 10} captures wait for a worker, and a worker last consumed [\\d.]+ s ago`));

      // And on the dashboard, in a real browser: a badge in the runs list, the warning above it and on the run's page.
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
      try {
        const page = await browser.newPage();
        await page.goto(`${apiUrl}/`);
        await page.locator('.badge.lagging').first().waitFor({ timeout: 15_000 });
        const warning = /^Run backlog: results lag traffic by [\d.]+ s: \d+ captures wait for a worker, and a worker last consumed [\d.]+ s ago\. Its figures are behind its traffic\.$/;
        expect((await page.locator('p.warning[role=alert]').first().textContent())?.trim()).toMatch(warning);
        await page.goto(`${apiUrl}/runs/backlog`);
        await page.locator('p.warning[role=alert]').waitFor({ timeout: 15_000 });
        expect((await page.locator('p.warning[role=alert]').textContent())?.trim()).toMatch(warning);
      } finally {
        await browser.close();
      }

      // More traffic: all of it dropped, and Redis memory stays where the bound put it.
      const atBound = await usedMemory();
      for (let i = 0; i < 15; i++) await burst();
      const after = await metrics(tap.metrics);
      expect(after('shadowdiff_tap_captures_queued_total')).toBe(queued);
      expect(after('shadowdiff_tap_dropped_total{reason="backlog_full"}')).toBe(after('shadowdiff_tap_mirrored_total') - queued);
      const end = await usedMemory();
      expect(end - before).toBeLessThan(REDIS_GROWTH_LIMIT_BYTES);
      expect(end - atBound).toBeLessThan(100 * 1024);
    } finally {
      memory.disconnect();
    }
  });
});
