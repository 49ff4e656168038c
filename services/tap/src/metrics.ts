import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The tap's Prometheus metrics, in a registry of its own so several taps can live in one process. */
export function createTapMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shadowdiff_tap_' });
  const registers = [registry];
  const sources = { held: (): number => 0, inFlight: (): number => 0, copyShare: (): number => 1, servingUtilization: (): number => 0 };
  /** A gauge whose value is read from its source when scraped. */
  const sampled = (name: string, help: string, source: keyof typeof sources): Gauge =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(sources[source]());
      },
    });
  return {
    /** Tells the buffered-captures gauge where to read its value (the batcher). */
    readBufferedFrom(source: () => number): void {
      sources.held = source;
    },
    /** Tells the in-flight gauge where to read its value (the shadows). */
    readInFlightFrom(source: () => number): void {
      sources.inFlight = source;
    },
    /** Tells the shedding gauges where to read their values. */
    readSheddingFrom(shedding: { readonly share: number; readonly utilization: number }): void {
      sources.copyShare = () => shedding.share;
      sources.servingUtilization = () => shedding.utilization;
    },
    copyShare: sampled('shadowdiff_tap_copy_share', 'Share of copies kept while the serving thread is busy (1: all; below it the rest are dropped as tap_busy)', 'copyShare'),
    servingUtilization: sampled('shadowdiff_tap_serving_utilization', 'Share of the last second the thread answering clients was busy (event-loop utilization)', 'servingUtilization'),
    buffered: sampled('shadowdiff_tap_buffered_captures', 'Captures held on their way to Redis (bounded by tap.maxBufferedCaptures)', 'held'),
    inFlightShadows: sampled('shadowdiff_tap_in_flight_shadows', 'Shadow calls in flight', 'inFlight'),
    registry,
    requests: new Counter({ name: 'shadowdiff_tap_requests_total', help: 'Client requests, by outcome (ok, primary_error, upstream_error, client_aborted, rejected)', labelNames: ['outcome'], registers }),
    mirrored: new Counter({ name: 'shadowdiff_tap_mirrored_total', help: 'Requests copied to the shadow side', registers }),
    skipped: new Counter({
      name: 'shadowdiff_tap_not_mirrored_total',
      help: 'Requests not mirrored by policy, by reason (route_excluded, unsafe_method, sampled_out)',
      labelNames: ['reason'],
      registers,
    }),
    dropped: new Counter({
      name: 'shadowdiff_tap_dropped_total',
      help: 'Captures (or recorder halves) dropped, by reason (shadow_limit, tap_busy, request_too_large, buffer_full, redis_unavailable, backlog_full, …)',
      labelNames: ['reason'],
      registers,
    }),
    shadowOutcomes: new Counter({ name: 'shadowdiff_tap_shadow_outcomes_total', help: 'Shadow calls by side and outcome', labelNames: ['side', 'outcome'], registers }),
    shadowLatency: new Histogram({
      name: 'shadowdiff_tap_shadow_latency_seconds',
      help: 'Shadow call latency by side',
      labelNames: ['side'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    shadowLoopDelay: new Gauge({
      name: 'shadowdiff_tap_shadow_loop_delay_seconds',
      help: 'How late the shadow thread\'s event loop ran over the last window (quantile 0.5, 0.99, 1 = longest): every shadow latency includes such a delay, on every side alike',
      labelNames: ['quantile'],
      registers,
    }),
    batchFlushes: new Counter({ name: 'shadowdiff_tap_batch_flushes_total', help: 'Capture batches sent to the queue', registers }),
    capturesQueued: new Counter({ name: 'shadowdiff_tap_captures_queued_total', help: 'Captures accepted by the queue', registers }),
    queueWaiting: new Gauge({ name: 'shadowdiff_queue_waiting_batches', help: 'Capture batches waiting in the queue for a worker, as last read (bounded by tap.maxQueuedBatches)', registers }),
    queueOldestAge: new Gauge({ name: 'shadowdiff_queue_oldest_waiting_seconds', help: 'Age of the oldest capture batch waiting for a worker, as last read (0: none waiting)', registers }),
    halves: new Counter({ name: 'shadowdiff_tap_halves_recorded_total', help: 'Recorder: halves stored to await their partner, by side', labelNames: ['side'], registers }),
    pairs: new Counter({ name: 'shadowdiff_tap_halves_paired_total', help: 'Recorder: exchanges completed by joining two halves', registers }),
    unmatchedHalves: new Counter({
      name: 'shadowdiff_tap_unmatched_halves_total',
      help: 'Recorder: halves whose partner did not arrive within the join window, by side (each counted by one recorder)',
      labelNames: ['side'],
      registers,
    }),
  };
}

/** The tap's metrics. */
export type TapMetrics = ReturnType<typeof createTapMetrics>;
