import { readdirSync, readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { newCaptureId, silentLogger, type Capture } from '@shadowdiff/core';
import { CAPTURE_QUEUE, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import { eventually, freshQueuePrefix } from '@shadowdiff/testkit';
import { startUpstream } from '@shadowdiff/testkit';
import { TEST_REDACTION_KEY } from '../../test/test-support.ts';
import { startShadowThread, type CaptureDropReason, type ShadowThread, type ShadowThreadHandlers } from './shadow-thread.ts';
import type { LoopDelay, ShadowThreadData } from './shadow-thread-messages.ts';
import { siblingModule } from './thread-entry.ts';
import { SHADOW_THREAD_NAME } from './thread-name.ts';
import { currentThreadId } from './thread-priority.ts';
import type { JobReport } from './shadow-processor.ts';

function capture(): Capture {
  const body = { base64: Buffer.from('{"ok":true}').toString('base64'), size: 11, truncated: false };
  const response = { outcome: 'ok' as const, status: 200, headers: { 'content-type': 'application/json' }, body, latencyMs: 1 };
  return {
    id: newCaptureId(),
    run: 'thread',
    capturedAt: new Date().toISOString(),
    source: 'inline',
    request: { method: 'GET', url: '/items/1', headers: {}, body: { base64: '', size: 0, truncated: false } },
    primary: response,
    candidate: response,
  };
}

const redaction = { key: TEST_REDACTION_KEY, headers: [], queryParams: [], bodyPaths: ['$.password'], maxDecodedBytes: 1 << 20 };

/** A shadow thread whose reports are tallied: jobs done and lost, captures flushed, and dropped by reason. */
function tallied(data: Omit<ShadowThreadData, 'redaction'>, entry?: URL) {
  const counts = {
    flushed: 0,
    dropped: {} as Partial<Record<CaptureDropReason, number>>,
    done: [] as [string, JobReport][],
    lost: 0,
    backlog: undefined as { waiting: number; oldestAgeMs: number | null } | undefined,
    loopDelays: [] as LoopDelay[],
  };
  const handlers: ShadowThreadHandlers = {
    logger: silentLogger(),
    onFlush: (n) => (counts.flushed += n),
    onDrop: (reason, n) => (counts.dropped[reason] = (counts.dropped[reason] ?? 0) + n),
    onDone: (report, id) => counts.done.push([id, report]),
    onLost: (n) => (counts.lost += n),
    onBacklog: (waiting, oldestAgeMs) => (counts.backlog = { waiting, oldestAgeMs }),
    onLoopDelay: (delay) => counts.loopDelays.push(delay),
  };
  const sink: ShadowThread = startShadowThread({ ...data, redaction }, handlers, entry);
  const accounted = (): number => counts.flushed + Object.values(counts.dropped).reduce((s, n) => s + n, 0);
  return { sink, counts, accounted };
}

describe('shadow thread', () => {
  const connection = createProducerConnection(inject('redisUrl'));
  afterAll(() => connection.disconnect());

  it('queues every capture handed over, in batches, and reports each once', async () => {
    const prefix = freshQueuePrefix();
    const { sink, counts, accounted } = tallied({ redisUrl: inject('redisUrl'), queuePrefix: prefix, batchSize: 50, flushMs: 5, maxBuffered: 10_000 });
    await sink.ready;
    const sent: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const c = capture();
      sent.push(c.id);
      sink.push(c);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await eventually(() => accounted() === 1000);
    expect(counts).toMatchObject({ flushed: 1000, dropped: {} });
    expect(sink.held).toBe(0);
    await sink.close(1000);

    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    const jobs = await queue.getJobs(['waiting']);
    const queued = jobs.flatMap((j) => j.data.captures.map((c) => c.id));
    expect(queued.sort()).toEqual(sent.sort());
    expect(jobs.length).toBeGreaterThanOrEqual(20);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it.runIf(process.platform === 'linux')('is named, so its CPU can be told apart from the serving thread\'s', async () => {
    const names = (): string[] => readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim());
    const before = names().filter((name) => name === SHADOW_THREAD_NAME).length;
    const { sink } = tallied({ redisUrl: inject('redisUrl'), queuePrefix: freshQueuePrefix(), batchSize: 10, flushMs: 5, maxBuffered: 100 });
    await sink.ready;
    expect(names().filter((name) => name === SHADOW_THREAD_NAME)).toHaveLength(before + 1);
    expect(readFileSync(`/proc/self/task/${currentThreadId()}/comm`, 'utf8').trim()).not.toBe(SHADOW_THREAD_NAME);
    await sink.close(1000);
  });

  it.runIf(process.platform === 'linux')('runs at a nice value raised by niceIncrement, leaving the serving thread as it was', async () => {
    const niceOf = (tid: string): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const before = new Set(readdirSync('/proc/self/task'));
    const own = niceOf(String(currentThreadId()));
    const { sink } = tallied({ redisUrl: inject('redisUrl'), queuePrefix: freshQueuePrefix(), batchSize: 10, flushMs: 5, maxBuffered: 100, niceIncrement: 3 });
    await sink.ready;
    const started = readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
    // The new thread's, and only it, is lowered; the threads V8 or libuv start with it are not.
    expect(started.map(niceOf)).toContain(Math.min(19, own + 3));
    expect(niceOf(String(currentThreadId()))).toBe(own);
    await sink.close(1000);
  });

  it('stops queueing once the backlog waiting for a worker reaches its bound, counts the drops, and reports the backlog', async () => {
    const prefix = freshQueuePrefix();
    const { sink, counts, accounted } = tallied({ redisUrl: inject('redisUrl'), queuePrefix: prefix, batchSize: 10, flushMs: 5, maxBuffered: 10_000, maxQueuedBatches: 5, backlogPollMs: 20 });
    await sink.ready;
    // No worker consumes: 40 hand-overs of 10 captures, spaced so the backlog is read between them.
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 10; j++) sink.push(capture());
      await new Promise((r) => setTimeout(r, 25));
    }
    await eventually(() => accounted() === 400);
    expect(counts.dropped.backlog_full).toBeGreaterThan(200);
    expect(counts.flushed + (counts.dropped.backlog_full ?? 0)).toBe(400);
    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    // At most the bound, plus what was sent before the next read of the backlog.
    expect(await queue.getWaitingCount()).toBeLessThanOrEqual(12);
    await eventually(() => (counts.backlog?.waiting ?? 0) >= 5, 2000);
    expect(counts.backlog!.waiting).toBeGreaterThanOrEqual(5);
    expect(counts.backlog!.oldestAgeMs).toBeGreaterThan(0);
    await sink.close(1000);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('reports how late its event loop runs, which every shadow timing includes', async () => {
    const data = { redisUrl: inject('redisUrl'), queuePrefix: freshQueuePrefix(), batchSize: 10, flushMs: 5, maxBuffered: 100, loopDelayWindowMs: 300 };
    const busy = tallied(data, siblingModule(import.meta.url, '../../test/busy-shadow-thread.fixture'));
    await busy.sink.ready;
    await eventually(() => busy.counts.loopDelays.length >= 3, 5000);
    await busy.sink.close(1000);
    // Held for 50 ms at a time: the longest delay of a window shows it, the median does not.
    const longest = Math.max(...busy.counts.loopDelays.map((d) => d.maxMs));
    expect(longest).toBeGreaterThanOrEqual(40);
    // Between the holds the loop is free: a delay, not the time between samples, so near 0.
    const medians = busy.counts.loopDelays.map((d) => d.p50Ms).sort((a, b) => a - b);
    expect(medians[Math.floor(medians.length / 2)]).toBeLessThan(5);
    for (const delay of busy.counts.loopDelays) expect(delay.p50Ms).toBeLessThanOrEqual(delay.p99Ms);
    for (const delay of busy.counts.loopDelays) expect(delay.p99Ms).toBeLessThanOrEqual(delay.maxMs);
  });

  it('holds no more than its bound while Redis is unreachable, and counts every capture', async () => {
    const { sink, counts, accounted } = tallied({ redisUrl: 'redis://127.0.0.1:1', batchSize: 10, flushMs: 5, maxBuffered: 100 });
    await sink.ready;
    for (let i = 0; i < 500; i++) sink.push(capture());
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.held).toBe(100);
    expect(counts).toMatchObject({ flushed: 0, dropped: { buffer_full: 400 } });
    // Shutdown cannot wait for ever on a Redis that is not there: what is held is counted.
    await sink.close(0);
    expect(counts.dropped.unflushed_at_shutdown).toBe(100);
    expect(accounted()).toBe(500);
    expect(sink.held).toBe(0);
  });

  it('counts what a dead thread held as lost, and starts a new thread for the next captures', async () => {
    const { sink, counts, accounted } = tallied({ redisUrl: inject('redisUrl'), batchSize: 10, flushMs: 5, maxBuffered: 1000 }, siblingModule(import.meta.url, '../../test/crashing-shadow-thread.fixture'));
    await sink.ready;
    expect(sink.status()).toEqual({ thread: 'running', redis: 'up' });
    const handOver = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) sink.push(capture());
      await new Promise((r) => setImmediate(r));
    };
    await handOver(5);
    await eventually(() => counts.flushed === 5);
    expect(counts.flushed).toBe(5);
    await handOver(7);
    await eventually(() => counts.dropped.shadow_thread_failed === 7);
    expect(counts.dropped.shadow_thread_failed).toBe(7);
    expect(sink.held).toBe(0);
    // The tap's /readyz shows it until the next capture starts a new thread.
    expect(sink.status()).toEqual({ thread: 'down', redis: 'down' });
    // A new thread takes the next batch (and queues it: the fixture reports its first batch).
    await handOver(3);
    await eventually(() => counts.flushed === 8);
    expect(counts.flushed).toBe(8);
    expect(accounted()).toBe(15);
    expect(sink.status().thread).toBe('running');
    await sink.close(1000);
    expect(sink.status().thread).toBe('stopped');
  });

  it('flushes what it holds on close, and counts captures pushed after it', async () => {
    const prefix = freshQueuePrefix();
    const { sink, counts } = tallied({ redisUrl: inject('redisUrl'), queuePrefix: prefix, batchSize: 1000, flushMs: 60_000, maxBuffered: 10_000 });
    await sink.ready;
    for (let i = 0; i < 30; i++) sink.push(capture());
    await sink.close(1000);
    expect(counts.flushed).toBe(30);
    sink.push(capture());
    expect(counts.dropped.shadow_thread_failed).toBe(1);
    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    expect(await queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('sends the copies, redacts and queues each capture, and reports every job', async () => {
    const candidate = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ host: req.headers.host, run: req.headers['x-shadowdiff-run'] }));
    });
    const prefix = freshQueuePrefix();
    const settings = { run: 'thread', shadowHostSuffix: true, shadowTimeoutMs: 2000, maxBodyBytes: 1 << 20 };
    const { sink, counts } = tallied({
      shadows: { ...settings, candidateUrl: candidate.url, maxInFlightShadows: 100 },
      redisUrl: inject('redisUrl'),
      queuePrefix: prefix,
      batchSize: 10,
      flushMs: 5,
      maxBuffered: 1000,
    });
    await sink.ready;
    const secret = Buffer.from('{"user":"ada","password":"hunter2"}');
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const c = capture();
      ids.push(c.id);
      sink.send({
        exchangeId: c.id,
        capturedAtMs: Date.parse(c.capturedAt),
        requestId: `req-${i}`,
        method: 'POST',
        url: `/login/${i}`,
        forward: ['Host', 'orders:8000', 'content-type', 'application/json'],
        requestBody: new Uint8Array(secret),
        primary: { outcome: 'ok', status: 200, rawHeaders: ['Content-Type', 'application/json'], body: new Uint8Array(Buffer.from('{"ok":true}')), size: 11, truncated: false, latencyMs: 1 },
      });
    }
    expect(sink.inFlight).toBe(40);
    await eventually(() => counts.done.length === 40 && counts.flushed === 40);
    expect(sink.inFlight).toBe(0);
    expect(counts.done.map(([id]) => id).sort()).toEqual([...ids].sort());
    expect(counts.done.every(([, r]) => r.candidate.outcome === 'ok' && r.candidate.latencyMs > 0)).toBe(true);
    expect(candidate.requests.length).toBe(40);
    await sink.close(1000);

    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    const queued = (await queue.getJobs(['waiting'])).flatMap((j) => j.data.captures);
    expect(queued).toHaveLength(40);
    // Bodies travel base64-encoded: decode every one before looking for the secret.
    const decoded = queued.map((c) => [c.request, c.primary, c.candidate].map((part) => Buffer.from(part.body.base64, 'base64').toString()).join('\n')).join('\n');
    expect(decoded).toContain('"user":"ada"');
    expect(decoded).not.toContain('hunter2');
    const one = queued[0]!;
    const body = JSON.parse(Buffer.from(one.candidate.body.base64, 'base64').toString()) as { host: string; run: string };
    expect(body).toEqual({ host: 'orders-shadow:8000', run: 'thread' });
    const request = JSON.parse(Buffer.from(one.request.body.base64, 'base64').toString()) as { user: string; password: string };
    expect(request.user).toBe('ada');
    expect(request.password).toMatch(/^redacted:/);
    await queue.obliterate({ force: true });
    await queue.close();
    await candidate.close();
  });
});
