import { Queue } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { newCaptureId, silentLogger, type Capture } from '@shadowdiff/core';
import { CAPTURE_QUEUE, createProducerConnection, type CaptureBatch } from '@shadowdiff/queue';
import { eventually, freshQueuePrefix } from '@shadowdiff/testkit';
import { startCaptureThread, type CaptureDropReason, type CaptureSink } from './capture-thread';

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

/** A sink whose reports are tallied: captures flushed, and dropped by reason. */
function tallied(start: (handlers: Parameters<typeof startCaptureThread>[1]) => CaptureSink) {
  const counts = { flushed: 0, dropped: {} as Partial<Record<CaptureDropReason, number>> };
  const sink = start({
    logger: silentLogger(),
    onFlush: (n) => (counts.flushed += n),
    onDrop: (reason, n) => (counts.dropped[reason] = (counts.dropped[reason] ?? 0) + n),
  });
  const accounted = (): number => counts.flushed + Object.values(counts.dropped).reduce((s, n) => s + n, 0);
  return { sink, counts, accounted };
}

describe('capture thread', () => {
  const connection = createProducerConnection(inject('redisUrl'));
  afterAll(() => connection.disconnect());

  it('queues every capture handed over, in batches, and reports each once', async () => {
    const prefix = freshQueuePrefix();
    const { sink, counts, accounted } = tallied((h) =>
      startCaptureThread({ redisUrl: inject('redisUrl'), queuePrefix: prefix, batchSize: 50, flushMs: 5, maxBuffered: 10_000 }, h),
    );
    await sink.ready;
    const sent: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const c = capture();
      sent.push(c.id);
      sink.push(c);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await eventually(() => accounted() === 1000);
    expect(counts).toEqual({ flushed: 1000, dropped: {} });
    expect(sink.held).toBe(0);
    await sink.close();

    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    const jobs = await queue.getJobs(['waiting']);
    const queued = jobs.flatMap((j) => j.data.captures.map((c) => c.id));
    expect(queued.sort()).toEqual(sent.sort());
    expect(jobs.length).toBeGreaterThanOrEqual(20);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('holds no more than its bound while Redis is unreachable, and counts every capture', async () => {
    const { sink, counts, accounted } = tallied((h) =>
      startCaptureThread({ redisUrl: 'redis://127.0.0.1:1', batchSize: 10, flushMs: 5, maxBuffered: 100 }, h),
    );
    await sink.ready;
    for (let i = 0; i < 500; i++) sink.push(capture());
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.held).toBe(100);
    expect(counts).toEqual({ flushed: 0, dropped: { buffer_full: 400 } });
    // Shutdown cannot wait for ever on a Redis that is not there: what is held is counted.
    await sink.close(500);
    expect(counts.dropped.unflushed_at_shutdown).toBe(100);
    expect(accounted()).toBe(500);
    expect(sink.held).toBe(0);
  });

  it('counts what a dead thread held as lost, and starts a new thread for the next captures', async () => {
    const { sink, counts, accounted } = tallied((h) =>
      startCaptureThread({ redisUrl: inject('redisUrl'), batchSize: 10, flushMs: 5, maxBuffered: 1000 }, h, 'crashing-capture-thread.fixture'),
    );
    await sink.ready;
    const handOver = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) sink.push(capture());
      await new Promise((r) => setImmediate(r));
    };
    await handOver(5);
    await eventually(() => counts.flushed === 5);
    expect(counts.flushed).toBe(5);
    await handOver(7);
    await eventually(() => counts.dropped.capture_thread_failed === 7);
    expect(counts.dropped.capture_thread_failed).toBe(7);
    expect(sink.held).toBe(0);
    // A new thread takes the next batch (and queues it: the fixture reports its first batch).
    await handOver(3);
    await eventually(() => counts.flushed === 8);
    expect(counts.flushed).toBe(8);
    expect(accounted()).toBe(15);
    await sink.close();
  });

  it('flushes what it holds on close, and counts captures pushed after it', async () => {
    const prefix = freshQueuePrefix();
    const { sink, counts } = tallied((h) =>
      startCaptureThread({ redisUrl: inject('redisUrl'), queuePrefix: prefix, batchSize: 1000, flushMs: 60_000, maxBuffered: 10_000 }, h),
    );
    await sink.ready;
    for (let i = 0; i < 30; i++) sink.push(capture());
    await sink.close();
    expect(counts.flushed).toBe(30);
    sink.push(capture());
    expect(counts.dropped.capture_thread_failed).toBe(1);
    const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, prefix });
    expect(await queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 });
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
