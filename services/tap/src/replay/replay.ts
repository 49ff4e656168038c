/**
 * Replays recorded exchanges through the tap's own shadow path: each request goes to the
 * candidate (and secondary) as the tap would send a copy, and to the primary too (re-drive) or
 * not (its recorded response stands in). Each becomes a capture, redacted with the tap's rules,
 * and is handed to `emit` for the queue: the run's results are filed like live traffic.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Capture, CapturedResponse, Redactor } from '@shadowdiff/core';
import type { RecordedExchange } from '@shadowdiff/recordings';
import { base64Of } from '../body-recorder.ts';
import type { Upstream } from '../forward.ts';
import { headersRecord } from '../headers.ts';
import { callShadow } from '../shadow/shadow-call.ts';
import { shadowHeaders } from '../shadow/shadow-jobs.ts';
import { replayCaptureId } from './replay-ids.ts';
import { dueAfterMs, type ReplayPace } from './replay-pace.ts';
import { planExchange, type RedactedPolicy, type SkipReason } from './replay-plan.ts';
import { recordedPrimary } from './replay-request.ts';

export interface ReplaySides {
  /** Given: the primary is called again (re-drive). Absent: the recorded response is the primary's. */
  primary?: Upstream;
  candidate: Upstream;
  secondary?: Upstream;
}

export interface ReplayOptions {
  run: string;
  exchanges: readonly RecordedExchange[];
  /** Names the recording (a hash of its bytes): with the start time, it fixes every capture id. */
  recordingId: string;
  /** What the run lists as this traffic's source: the recording's file name, or `run NAME`. */
  replayOf?: string;
  /** When the replay first started: a resumed one keeps it, so its exchanges keep their ids. */
  startedAtMs: number;
  sides: ReplaySides;
  pace: ReplayPace;
  concurrency: number;
  allowUnsafe: boolean;
  redacted: RedactedPolicy;
  env?: NodeJS.ProcessEnv;
  /** Indices replayed before (a resumed replay): not sent again. */
  done?: ReadonlySet<number>;
  shadowHostSuffix: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  redactor: Redactor;
  emit: (capture: Capture) => void;
  /** Awaited before each exchange is sent: resolves when there is room for its capture. */
  backpressure?: () => Promise<void>;
  /** Aborted: no new exchange is sent; those in flight finish and are filed. */
  signal?: AbortSignal;
  /** After each exchange sent and filed (or failed to redact), with its index. */
  onSent?: (index: number, progress: ReplayProgress) => void;
  onSkipped?: (index: number, reason: SkipReason, detail: string | undefined, progress: ReplayProgress) => void;
}

export interface ReplayProgress {
  /** Exchanges this replay will consider (the recording, less those replayed before). */
  total: number;
  sent: number;
  /** Captures handed to the queue: the sent ones, less those that could not be redacted. */
  filed: number;
  /** Sent, but a side gave no usable answer (or the capture could not be redacted). */
  errors: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Replayed by an earlier, stopped replay. */
  alreadyDone: number;
}

export interface ReplaySummary extends ReplayProgress {
  /** True when stopped (aborted) before the end. */
  stopped: boolean;
  elapsedMs: number;
}

const failed = (response: CapturedResponse | undefined): boolean => response !== undefined && response.outcome !== 'ok';

export async function replayExchanges(options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  // Each lane waits on the signal while pacing.
  if (options.signal) setMaxListeners(options.concurrency + 10, options.signal);
  const done = options.done ?? new Set<number>();
  const todo = options.exchanges.map((_, i) => i).filter((i) => !done.has(i));
  const progress: ReplayProgress = { total: todo.length, sent: 0, filed: 0, errors: 0, skipped: {}, alreadyDone: options.exchanges.length - todo.length };
  const firstAt = todo.length ? options.exchanges[todo[0]!]!.startedAtMs : 0;
  let next = 0;
  let sequence = 0;

  const planOptions = { allowUnsafe: options.allowUnsafe, redacted: options.redacted, redrive: options.sides.primary !== undefined, env: options.env ?? process.env };

  const replayOne = async (index: number): Promise<void> => {
    const exchange = options.exchanges[index]!;
    const plan = planExchange(exchange, planOptions);
    if (!plan.send) {
      progress.skipped[plan.reason] = (progress.skipped[plan.reason] ?? 0) + 1;
      options.onSkipped?.(index, plan.reason, plan.detail, progress);
      return;
    }
    const due = dueAfterMs(options.pace, sequence++, exchange.startedAtMs - firstAt) - (performance.now() - started);
    if (due > 0) await sleep(due, undefined, { signal: options.signal }).catch(() => undefined);
    await options.backpressure?.();
    if (options.signal?.aborted) return;
    const id = replayCaptureId(options.startedAtMs, options.recordingId, index);
    const body = exchange.request.body.length > 0 ? new Uint8Array(exchange.request.body) : null;
    const call = (upstream: Upstream, headers: string[]): Promise<CapturedResponse> =>
      callShadow(upstream.dispatcher, { origin: upstream.origin, method: exchange.request.method, path: exchange.request.url, headers, body, timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes });
    const copyHeaders = shadowHeaders(plan.headers, options.shadowHostSuffix, options.run, id);
    const capturedAt = new Date().toISOString();
    // All sides at the same moment, from the same thread, so their latencies compare alike.
    const [primary, candidate, secondary] = await Promise.all([
      options.sides.primary ? call(options.sides.primary, shadowHeaders(plan.headers, false, options.run, id)) : recordedPrimary(exchange.response!, options.maxBodyBytes),
      call(options.sides.candidate, copyHeaders),
      options.sides.secondary ? call(options.sides.secondary, copyHeaders) : undefined,
    ]);
    const kept = body && body.length > options.maxBodyBytes ? body.subarray(0, options.maxBodyBytes) : body;
    const capture: Capture = {
      id,
      run: options.run,
      capturedAt,
      source: 'replay',
      ...(options.replayOf ? { replayOf: options.replayOf.slice(0, 300) } : {}),
      request: { method: exchange.request.method, url: exchange.request.url, headers: headersRecord(plan.headers), body: { base64: base64Of(kept), size: body?.length ?? 0, truncated: (kept?.length ?? 0) < (body?.length ?? 0) } },
      primary,
      candidate,
      ...(secondary ? { secondary } : {}),
    };
    progress.sent += 1;
    try {
      options.redactor.capture(capture);
      options.emit(capture);
      progress.filed += 1;
      if (failed(primary) || failed(candidate) || failed(secondary)) progress.errors += 1;
    } catch {
      // A capture that cannot be redacted is never filed, as in the tap.
      progress.errors += 1;
    }
    options.onSent?.(index, progress);
  };

  const lane = async (): Promise<void> => {
    while (!options.signal?.aborted && next < todo.length) await replayOne(todo[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, todo.length)) }, lane));
  const skipped = Object.values(progress.skipped).reduce((a, b) => a + b, 0);
  return { ...progress, stopped: progress.sent + skipped < todo.length, elapsedMs: performance.now() - started };
}
