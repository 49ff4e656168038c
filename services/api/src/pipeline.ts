import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { readQueueBacklog, type QueueBacklog } from '@shadowdiff/queue';

/** The pipeline behind the results: the queue's backlog, judged against the lag allowed. */
export interface PipelineStatus {
  backlog: QueueBacklog;
  /** Seconds results may lag traffic (`api.maxResultLagSeconds`). */
  maxLagSeconds: number;
  /** The oldest waiting capture is older than that: results lag their traffic. */
  behind: boolean;
  /** A worker finished a batch within that time. */
  consumedRecently: boolean;
  /** Behind, and no worker consumed within that time either: nothing works the backlog off. */
  stalled: boolean;
}

export interface PipelineMonitor {
  /** The status as last read; reads within a second share one look at Redis. Rejects while Redis is away. */
  status(): Promise<PipelineStatus>;
  /** A sentence for an active run whose results lag, or null when they do not. */
  lagWarning(status: PipelineStatus): string | null;
}

/** Redis not answering within this long counts as away: `/readyz` must answer promptly. */
const READ_TIMEOUT_MS = 2000;

function withinTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('redis did not answer')), READ_TIMEOUT_MS)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);

/** Reads the capture queue's backlog for `/readyz`, `/metrics` and the runs' lag warnings. */
export function createPipelineMonitor(queue: Queue | readonly Queue[], maxLagSeconds: number): PipelineMonitor {
  let last: { at: number; status: Promise<PipelineStatus> } | undefined;
  const read = async (): Promise<PipelineStatus> => {
    const backlog = await withinTimeout(readQueueBacklog(queue));
    const limit = maxLagSeconds * 1000;
    const behind = (backlog.oldestWaitingMs ?? 0) > limit;
    const consumedRecently = backlog.lastConsumedMs !== null && backlog.lastConsumedMs <= limit;
    return { backlog, maxLagSeconds, behind, consumedRecently, stalled: behind && !consumedRecently };
  };
  return {
    status() {
      if (!last || Date.now() - last.at > 1000) {
        last = { at: Date.now(), status: read() };
        // A failed read is not kept: the next caller asks Redis again.
        last.status.catch(() => (last = undefined));
      }
      return last.status;
    },
    lagWarning({ behind, backlog }) {
      if (!behind) return null;
      const consumed = seconds(backlog.lastConsumedMs);
      const workers = consumed === null ? 'no worker has consumed a batch yet' : `a worker last consumed ${consumed} s ago`;
      return `results lag traffic by ${seconds(backlog.oldestWaitingMs)} s: ${backlog.waitingCaptures} captures wait for a worker, and ${workers}`;
    },
  };
}

/** The queue's gauges on the API's `/metrics`, read at each scrape. */
export function registerPipelineGauges(registry: Registry, monitor: PipelineMonitor): void {
  const registers = [registry];
  const gauge = (name: string, help: string, value: (s: PipelineStatus) => number): Gauge =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        // Redis away: the gauges are left out of this scrape rather than reported as zero.
        const status = await monitor.status().catch(() => undefined);
        if (status) this.set(value(status));
        else this.reset();
      },
    });
  gauge('shadowdiff_queue_waiting_captures', 'Captures waiting in the queue for a worker', (s) => s.backlog.waitingCaptures);
  gauge('shadowdiff_queue_waiting_batches', 'Capture batches waiting in the queue for a worker', (s) => s.backlog.waitingBatches);
  gauge('shadowdiff_queue_oldest_waiting_seconds', 'Age of the oldest capture waiting for a worker (0: none waiting)', (s) => (s.backlog.oldestWaitingMs ?? 0) / 1000);
  gauge('shadowdiff_queue_seconds_since_consumed', 'Seconds since a worker last finished a batch (-1: never)', (s) => (s.backlog.lastConsumedMs === null ? -1 : s.backlog.lastConsumedMs / 1000));
}
