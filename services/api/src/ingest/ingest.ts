import type { Queue } from 'bullmq';
import { runNameSchema } from '@shadowdiff/config';
import { DependencyError, ShadowdiffError, createRedactor, keyedCaptureId, type Capture, type Logger, type RedactorOptions } from '@shadowdiff/core';
import { CAPTURE_BATCH_JOB, CAPTURE_JOB_OPTIONS, captureBatchJobId, captureFromHalves, groupByShard, readQueueBacklog, type CaptureBatch, type Half, type RedisConnection } from '@shadowdiff/queue';
import { ingestExchangeLineSchema, ingestHalfLineSchema } from '@shadowdiff/recordings';
import { capBodies } from './captured-bodies.ts';
import { createHalfPairers } from './half-sweeper.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { readJsonLines, type LineError } from './ndjson.ts';

/** The queue's backlog is at its bound: nothing was taken, the client should retry later. */
export class BacklogFullError extends ShadowdiffError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('backlog_full', message, 429);
  }
}

/** What one ingest request came to. */
export interface IngestResult {
  /** Lines taken: queued, or (halves) stored to await their partner. */
  accepted: number;
  rejected: number;
  errors: LineError[];
  /** Halves only: exchanges this request completed and queued. */
  paired?: number;
}

export interface IngestOptions {
  /** Bytes kept of each body (`tap.maxBodyBytes`). */
  maxBodyBytes: number;
  /** Batches waiting for a worker at most (`tap.maxQueuedBatches`); beyond it requests are refused (429). */
  maxQueuedBatches: number;
  /** Captures per queued job (`tap.batchSize`). */
  batchSize: number;
  /** How long a half waits for its partner (`tap.recorder.joinWindowMs`). */
  joinWindowMs: number;
  /** The taps' redaction: the same key and rules. */
  redaction: RedactorOptions;
  /** Key prefix of the halves in Redis (default: the recorders'). */
  pairPrefix?: string;
}

/** Files exchanges captured elsewhere into the capture queue, as the taps file theirs. */
export interface Ingest {
  /** NDJSON of whole exchanges; `run` for lines that name none. */
  exchanges(body: Buffer, run: string | undefined): Promise<IngestResult>;
  /** NDJSON of halves, joined by request id with their partners (posted, or from a recorder). */
  halves(body: Buffer, run: string | undefined): Promise<IngestResult>;
  close(): void;
}

const NO_RUN = 'no run: give `run` on the line or the `run` query parameter';

export function createIngest(deps: { queue: Queue<CaptureBatch> | readonly Queue<CaptureBatch>[]; redis: RedisConnection; options: IngestOptions; metrics: IngestMetrics; logger: Logger }): Ingest {
  const { options, metrics } = deps;
  const queue: readonly Queue<CaptureBatch>[] = Array.isArray(deps.queue) ? deps.queue : [deps.queue as Queue<CaptureBatch>];
  const redactor = createRedactor(options.redaction);
  const pairers = createHalfPairers(deps.redis, { joinWindowMs: options.joinWindowMs, ...(options.pairPrefix ? { prefix: options.pairPrefix } : {}) }, deps);

  const unavailable = (error: unknown): DependencyError => {
    metrics.refused.inc({ reason: 'queue_unavailable' });
    return new DependencyError('the capture queue (Redis) is unavailable; nothing was taken: try again shortly', { cause: error });
  };

  /** Refuses the whole request while workers are this far behind: taking it would grow Redis without bound. */
  const checkBacklog = async (): Promise<void> => {
    const backlog = await readQueueBacklog(queue).catch((error: unknown) => {
      throw unavailable(error);
    });
    if (backlog.waitingBatches >= options.maxQueuedBatches) {
      metrics.refused.inc({ reason: 'backlog_full' });
      throw new BacklogFullError(`the capture queue holds ${backlog.waitingBatches} batches waiting for a worker (tap.maxQueuedBatches is ${options.maxQueuedBatches}); nothing was taken: try again later`, 5);
    }
  };

  /** The run a line is filed under, or why it has none. */
  const runOf = (lineRun: string | undefined, run: string | undefined): { run: string } | { reason: string } => {
    const name = lineRun ?? run;
    if (name === undefined) return { reason: NO_RUN };
    const checked = runNameSchema.safeParse(name);
    return checked.success ? { run: checked.data } : { reason: `run: ${checked.error.issues[0]!.message}` };
  };

  /**
   * Queues captures in batches, each shard's all or none (one Redis transaction per shard). A
   * request refused halfway can be sent again: its captures form the same jobs, kept once.
   */
  const enqueue = async (captures: Capture[]): Promise<void> => {
    if (captures.length === 0) return;
    const groups = groupByShard(captures, queue.length);
    await Promise.all(
      groups.map((group, shard) => {
        if (group.length === 0) return undefined;
        const jobs = [];
        for (let i = 0; i < group.length; i += options.batchSize) {
          const batch = group.slice(i, i + options.batchSize);
          jobs.push({ name: CAPTURE_BATCH_JOB, data: { captures: batch }, opts: { ...CAPTURE_JOB_OPTIONS, jobId: captureBatchJobId(batch) } });
        }
        return queue[shard]!.addBulk(jobs);
      }),
    ).catch((error: unknown) => {
      throw unavailable(error);
    });
    metrics.queued.inc(captures.length);
  };

  const redacted = (line: number, redact: () => void): LineError | undefined => {
    try {
      redact();
      return undefined;
    } catch (error) {
      return { line, reason: `could not be redacted (${(error as Error).message})` };
    }
  };

  const count = (kind: 'exchange' | 'half', result: IngestResult): IngestResult => {
    result.errors.sort((a, b) => a.line - b.line);
    metrics.lines.inc({ kind, outcome: 'accepted' }, result.accepted);
    metrics.lines.inc({ kind, outcome: 'rejected' }, result.rejected);
    return result;
  };

  return {
    async exchanges(body, run) {
      await checkBacklog();
      const { good, errors } = readJsonLines(body, ingestExchangeLineSchema);
      const captures: Capture[] = [];
      const lineOfId = new Map<string, number>();
      for (const { line, value } of good) {
        const filed = runOf(value.run, run);
        if ('reason' in filed) {
          errors.push({ line, reason: filed.reason });
          continue;
        }
        const { key, format: _format, run: _run, ...exchange } = value;
        const id = keyedCaptureId(`${filed.run}\u0000${key}`, exchange.capturedAt);
        const earlier = lineOfId.get(id);
        if (earlier !== undefined) {
          errors.push({ line, reason: `key '${key}' repeats line ${earlier}` });
          continue;
        }
        const capture: Capture = { ...exchange, id, run: filed.run, source: 'ingest' };
        capBodies(options.maxBodyBytes, capture.request, capture.primary, capture.candidate, capture.secondary);
        const failed = redacted(line, () => redactor.capture(capture));
        if (failed) {
          errors.push(failed);
          continue;
        }
        lineOfId.set(id, line);
        captures.push(capture);
      }
      await enqueue(captures);
      return count('exchange', { accepted: captures.length, rejected: errors.length, errors });
    },

    async halves(body, run) {
      await checkBacklog();
      const { good, errors } = readJsonLines(body, ingestHalfLineSchema);
      const halves: { run: string; half: Half }[] = [];
      for (const { line, value } of good) {
        const filed = runOf(value.run, run);
        if ('reason' in filed) {
          errors.push({ line, reason: filed.reason });
          continue;
        }
        const half: Half = { side: value.side, requestId: value.requestId, capturedAt: value.capturedAt, response: value.response };
        // The candidate's copy of the request differs from the primary's only by the mesh's marks: not kept, as in the recorders.
        if (value.side === 'primary') half.request = value.request;
        capBodies(options.maxBodyBytes, half.request, half.response);
        const failed = redacted(line, () => {
          if (half.request) redactor.request(half.request);
          redactor.response(half.response);
        });
        if (failed) errors.push(failed);
        else halves.push({ run: filed.run, half });
      }
      // One connection keeps the commands in order: a request's two halves pair with each other.
      const results = await Promise.all(halves.map(({ run, half }) => pairers.of(run).submit(half))).catch((error: unknown) => {
        throw unavailable(error);
      });
      const captures: Capture[] = [];
      for (const [i, result] of results.entries()) {
        if (!result.paired) continue;
        const filedRun = halves[i]!.run;
        const id = keyedCaptureId(`${filedRun}\u0000${result.primary.requestId}`, result.primary.capturedAt);
        captures.push(captureFromHalves(result.primary, result.candidate, { run: filedRun, id, source: 'ingest' }));
      }
      metrics.pairs.inc(captures.length);
      await enqueue(captures);
      return count('half', { accepted: halves.length, rejected: errors.length, errors, paired: captures.length });
    },

    close() {
      pairers.close();
    },
  };
}
