import type { Capture } from '@shadowdiff/core';
import type { DropReason } from '@shadowdiff/queue';

/** What the capture thread is given at start: where the queue is and how to batch. */
export interface CaptureThreadData {
  redisUrl: string;
  queuePrefix?: string;
  batchSize: number;
  flushMs: number;
  maxBuffered: number;
}

/** Main thread → capture thread. */
export type ToCaptureThread = { type: 'captures'; captures: Capture[] } | { type: 'close' };

/** Capture thread → main thread: every capture handed over comes back once, as flushed or dropped. */
export type FromCaptureThread =
  | { type: 'ready' }
  | { type: 'flushed'; count: number }
  | { type: 'dropped'; reason: DropReason; count: number; error?: string }
  | { type: 'closed' };
