import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Capture } from '@shadowdiff/core';
import { configSchema } from '@shadowdiff/config';
import { startLocalRedis, type LocalRedis } from '@shadowdiff/local-infra';
import { CAPTURE_QUEUE, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import { eventually, freshQueuePrefix, startUpstream, type TestUpstream } from '@shadowdiff/testkit';
import { startTapService, type TapService } from './service.ts';
import { counterValue, rawRequest } from '../test/test-support.ts';

const MAX_BUFFERED = 200;

/** Sends `count` requests, `parallel` at a time, and returns the slowest client latency. */
async function load(url: string, count: number, parallel = 16): Promise<number> {
  let next = 0;
  let worst = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        const res = await rawRequest(`${url}/items/${i}`);
        worst = Math.max(worst, performance.now() - started);
        expect(res.status).toBe(200);
      }
    }),
  );
  return worst;
}

describe('tap service: Redis goes away and comes back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sd-outage-'));
  const prefix = freshQueuePrefix();
  let redis: LocalRedis;
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let tap: TapService;

  beforeAll(async () => {
    redis = await startLocalRedis({ dir: join(dir, 'redis') });
    primary = await startUpstream((_req, res) => void res.end('{"ok":true}'));
    candidate = await startUpstream((_req, res) => void res.end('{"ok":true}'));
    const config = configSchema.parse({
      run: 'outage',
      upstreams: { primary: primary.url, candidate: candidate.url },
      // The load below runs on this thread, the tap's serving thread here: never shed copies, so
      // that every drop counted is Redis's.
      tap: { port: 0, adminPort: 0, batchSize: 20, batchFlushMs: 5, maxBufferedCaptures: MAX_BUFFERED, shedCopiesAbove: 1 },
      stateDir: dir,
    });
    tap = await startTapService(config, { redisUrl: redis.url, logger: silentLogger(), queuePrefix: prefix });
  });
  afterAll(async () => {
    await tap?.close();
    await primary?.close();
    await candidate?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const queued = () => counterValue(tap.metrics.capturesQueued);
  const dropped = () => counterValue(tap.metrics.dropped);
  const held = async () => (await tap.metrics.buffered.get()).values[0]!.value;

  /** The tap's /readyz: status and body, by default and when capturing is required too. */
  const readyz = async (query = ''): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${tap.adminUrl}/readyz${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('keeps serving clients, drops and counts captures while Redis is down, and resumes after', async () => {
    await load(tap.url, 50);
    await eventually(async () => (await queued()) === 50);
    expect(await queued()).toBe(50);
    expect(await readyz('?capture=1')).toEqual({ status: 200, body: expect.objectContaining({ ready: true, serving: true, capturing: true, redis: 'up', shadowThread: 'running' }) });

    await redis.stop();
    // Still ready to serve (the shadow side never takes the tap out of the request path), but not capturing.
    const down = await eventually(async () => ((await readyz()).body.redis === 'down' ? readyz() : undefined), 5000);
    expect(down).toEqual({ status: 200, body: expect.objectContaining({ ready: true, serving: true, capturing: false, redis: 'down' }) });
    expect((await readyz('?capture=1')).status).toBe(503);
    expect((await fetch(`${tap.adminUrl}/healthz`)).status).toBe(200);
    let maxHeld = 0;
    const sampler = setInterval(() => void held().then((h) => (maxHeld = Math.max(maxHeld, h))), 5);
    const heapBefore = process.memoryUsage().heapUsed;
    const worst = await load(tap.url, 1500);
    clearInterval(sampler);
    expect(worst).toBeLessThan(500);
    // Clients are answered before their shadow copies finish: wait until every copy is accounted for.
    const accounted = async () => (await held()) === 0 && (await queued()) + (await dropped()) === (await counterValue(tap.metrics.mirrored));
    await eventually(accounted, 10_000);
    expect(maxHeld).toBeLessThanOrEqual(MAX_BUFFERED);
    expect(await dropped()).toBeGreaterThan(1000);
    expect((await counterValue(tap.metrics.dropped, { reason: 'redis_unavailable' })) + (await counterValue(tap.metrics.dropped, { reason: 'buffer_full' }))).toBe(await dropped());
    // Every mirrored request is accounted for: queued or dropped, none held for ever.
    expect((await queued()) + (await dropped())).toBe(await counterValue(tap.metrics.mirrored));
    // Flat memory: 1500 requests while Redis is away cost no more than a bounded buffer would.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);

    redis = await startLocalRedis({ dir: join(dir, 'redis'), port: redis.port });
    const before = await queued();
    // The producer reconnects on its own within a couple of seconds; until then captures drop.
    await eventually(
      async () => {
        await load(tap.url, 20, 4);
        return (await queued()) > before;
      },
      15_000,
      200,
    );
    await eventually(accounted);
    expect((await readyz('?capture=1')).body).toMatchObject({ capturing: true, redis: 'up' });
    const resumedAt = await queued();
    await load(tap.url, 40, 4);
    await eventually(async () => (await queued()) >= resumedAt + 40);
    expect(await queued()).toBe(resumedAt + 40);

    const reader = createProducerConnection(redis.url);
    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection: reader, prefix });
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    const captures: Capture[] = jobs.flatMap((j) => j.data.captures);
    expect(captures.length).toBe(await queued());
    expect(new Set(captures.map((c) => c.id)).size).toBe(captures.length);
    await queue.close();
    reader.disconnect();
  });
});
