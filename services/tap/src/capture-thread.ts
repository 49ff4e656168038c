import type { Worker } from 'node:worker_threads';
import type { Capture, Logger } from '@shadowdiff/core';
import type { DropReason } from '@shadowdiff/queue';
import type { CaptureThreadData, FromCaptureThread, ToCaptureThread } from './capture-thread-messages';
import { startThread } from './thread-entry';

/** Why a capture handed to the capture thread never reached the queue. */
export type CaptureDropReason = DropReason | 'capture_thread_failed' | 'unflushed_at_shutdown';

/** Where finished captures go: pushed from the serving thread, queued from a thread of its own. */
export interface CaptureSink {
  /** Hands a capture over; never throws, never waits. */
  push(capture: Capture): void;
  /** Captures not yet queued or dropped (waiting here or in the thread). */
  readonly held: number;
  /** Resolves once the thread has started and seen Redis (or given up waiting for it). */
  readonly ready: Promise<void>;
  /** Queues what is held (at most `graceMs`), then stops the thread. */
  close(graceMs?: number): Promise<void>;
}

export interface CaptureThreadHandlers {
  onFlush: (count: number) => void;
  onDrop: (reason: CaptureDropReason, count: number) => void;
  logger: Logger;
}

/**
 * Starts the capture thread and returns the sink that feeds it. Captures are handed over once
 * per turn of the event loop, in one message. The bound `maxBuffered` counts every capture not
 * yet reported back, so memory stays flat whatever Redis does. A thread that dies takes the
 * captures it held with it (dropped and counted); the next capture starts a new one.
 */
export function startCaptureThread(data: CaptureThreadData, handlers: CaptureThreadHandlers, entry = 'capture-thread-worker'): CaptureSink {
  let worker: Worker | undefined;
  let waiting: Capture[] = [];
  let handedOver = 0;
  let scheduled = false;
  let closed: (() => void) | undefined;
  let stopped = false;
  let isReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (isReady = resolve));

  const onMessage = (message: FromCaptureThread): void => {
    switch (message.type) {
      case 'flushed':
        handedOver -= message.count;
        handlers.onFlush(message.count);
        break;
      case 'dropped':
        handedOver -= message.count;
        handlers.onDrop(message.reason, message.count);
        if (message.error) handlers.logger.warn({ err: message.error, captures: message.count }, 'capture batch dropped: redis unavailable');
        break;
      case 'closed':
        closed?.();
        break;
      case 'ready':
        // Until now the thread kept the process alive, so that waiting for it could not end it.
        worker?.unref();
        isReady();
        break;
    }
  };

  const spawn = (): Worker => {
    const w = startThread(entry, { workerData: data });
    w.on('message', onMessage);
    w.on('error', (error) => handlers.logger.error({ err: error.message }, 'capture thread failed'));
    w.on('exit', () => {
      if (worker !== w) return;
      worker = undefined;
      if (handedOver > 0) handlers.onDrop('capture_thread_failed', handedOver);
      handedOver = 0;
      isReady();
      closed?.();
    });
    return w;
  };

  const post = (message: ToCaptureThread): void => {
    worker ??= spawn();
    worker.postMessage(message);
  };

  const handOver = (): void => {
    scheduled = false;
    if (waiting.length === 0) return;
    const captures = waiting;
    waiting = [];
    handedOver += captures.length;
    try {
      post({ type: 'captures', captures });
    } catch (error) {
      handedOver -= captures.length;
      handlers.onDrop('capture_thread_failed', captures.length);
      handlers.logger.error({ err: (error as Error).message }, 'capture thread unavailable');
    }
  };

  worker = spawn();
  return {
    ready,
    push(capture) {
      if (stopped) {
        handlers.onDrop('capture_thread_failed', 1);
        return;
      }
      if (waiting.length + handedOver >= data.maxBuffered) {
        handlers.onDrop('buffer_full', 1);
        return;
      }
      waiting.push(capture);
      if (!scheduled) {
        scheduled = true;
        setImmediate(handOver);
      }
    },
    get held() {
      return waiting.length + handedOver;
    },
    async close(graceMs = 10_000) {
      handOver();
      stopped = true;
      const w = worker;
      if (!w) return;
      const done = new Promise<void>((resolve) => (closed = resolve));
      w.postMessage({ type: 'close' } satisfies ToCaptureThread);
      const timer = setTimeout(() => closed?.(), graceMs);
      await done;
      clearTimeout(timer);
      worker = undefined;
      // What the thread could not queue within the grace period (Redis away) is lost with it.
      if (handedOver > 0) handlers.onDrop('unflushed_at_shutdown', handedOver);
      handedOver = 0;
      await w.terminate();
    },
  };
}
