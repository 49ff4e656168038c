import { Counter, type Registry } from 'prom-client';

/** The ingest endpoints' counters on the API's `/metrics`. */
export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  return {
    lines: new Counter({
      name: 'shadowdiff_api_ingest_lines_total',
      help: 'Lines posted to the ingest endpoints, by kind (exchange, half) and outcome (accepted, rejected)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    refused: new Counter({
      name: 'shadowdiff_api_ingest_refused_total',
      help: 'Ingest requests refused whole, by reason (backlog_full, queue_unavailable)',
      labelNames: ['reason'],
      registers,
    }),
    queued: new Counter({ name: 'shadowdiff_api_ingest_captures_queued_total', help: 'Exchanges queued by the ingest endpoints (whole, or joined from halves)', registers }),
    pairs: new Counter({ name: 'shadowdiff_api_ingest_halves_paired_total', help: 'Exchanges completed by joining a posted half with its partner', registers }),
    unmatchedHalves: new Counter({
      name: 'shadowdiff_api_ingest_unmatched_halves_total',
      help: 'Halves whose partner did not arrive within tap.recorder.joinWindowMs, by side (each counted by one process)',
      labelNames: ['side'],
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
