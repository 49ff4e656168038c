/**
 * The capture thread: it batches finished captures into BullMQ jobs and sends them to Redis, so
 * that serialising batches, the queue's scripts and the Redis socket's writes (and the garbage
 * all of that leaves) never pause the thread that serves clients. It reports every capture it
 * was handed exactly once, as queued or as dropped with the reason.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Queue } from 'bullmq';
import { CAPTURE_QUEUE, createCaptureBatcher, createProducerConnection, readyOrTimeout, type CaptureBatch } from '@shadowdiff/queue';
import type { CaptureThreadData, FromCaptureThread, ToCaptureThread } from './capture-thread-messages';

const data = workerData as CaptureThreadData;
const port = parentPort!;
const tell = (message: FromCaptureThread): void => port.postMessage(message);

const connection = createProducerConnection(data.redisUrl);
// An unreachable Redis shows as dropped batches, reported below; the events themselves say nothing more.
connection.on('error', () => undefined);
const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { connection, ...(data.queuePrefix ? { prefix: data.queuePrefix } : {}) });
queue.on('error', () => undefined);
const batcher = createCaptureBatcher(queue, {
  batchSize: data.batchSize,
  flushMs: data.flushMs,
  maxBuffered: data.maxBuffered,
  onFlush: (count) => tell({ type: 'flushed', count }),
  onDrop: (reason, count, error) => tell({ type: 'dropped', reason, count, ...(error ? { error } : {}) }),
});

port.on('message', (message: ToCaptureThread) => {
  if (message.type === 'captures') {
    for (const capture of message.captures) batcher.push(capture);
    return;
  }
  void (async () => {
    await batcher.close();
    await queue.close().catch(() => undefined);
    connection.disconnect();
    tell({ type: 'closed' });
  })();
});
await readyOrTimeout(connection, 2000);
tell({ type: 'ready' });
