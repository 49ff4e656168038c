import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The tap's Prometheus metrics, in a registry of its own so several taps can live in one process. */
export function createTapMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'shadowdiff_tap_' });
  return {
    registry,
    requests: new Counter({ name: 'shadowdiff_tap_requests_total', help: 'Client requests served', labelNames: ['outcome'], registers: [registry] }),
    mirrored: new Counter({ name: 'shadowdiff_tap_mirrored_total', help: 'Requests copied to the shadow side', registers: [registry] }),
    dropped: new Counter({ name: 'shadowdiff_tap_dropped_total', help: 'Captures dropped, by reason', labelNames: ['reason'], registers: [registry] }),
    shadowOutcomes: new Counter({
      name: 'shadowdiff_tap_shadow_outcomes_total',
      help: 'Shadow calls by side and outcome',
      labelNames: ['side', 'outcome'],
      registers: [registry],
    }),
    shadowLatency: new Histogram({
      name: 'shadowdiff_tap_shadow_latency_seconds',
      help: 'Shadow call latency by side',
      labelNames: ['side'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchFlushes: new Counter({ name: 'shadowdiff_tap_batch_flushes_total', help: 'Capture batches sent to the queue', registers: [registry] }),
    capturesQueued: new Counter({ name: 'shadowdiff_tap_captures_queued_total', help: 'Captures accepted by the queue', registers: [registry] }),
    inFlightShadows: new Gauge({ name: 'shadowdiff_tap_in_flight_shadows', help: 'Shadow calls in flight', registers: [registry] }),
  };
}

export type TapMetrics = ReturnType<typeof createTapMetrics>;
