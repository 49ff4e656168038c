import type { Logger } from '@shadowdiff/core';
import type { NoiseThresholds } from '@shadowdiff/diff';
import type { KeptFindingInputs, LatencySketchCache, Pool, StampedCache } from '@shadowdiff/store';
import type { Ingest } from './ingest/ingest.ts';
import type { PipelineMonitor } from './pipeline.ts';

/** What `ApiContext.findingInputs` keeps of a run: its finding inputs, and the prune they were read after. */
export interface KeptInputs {
  prunedAt: string | null;
  inputs: KeptFindingInputs;
}

/** What every handler may use. */
export interface ApiContext {
  pool: Pool;
  logger: Logger;
  /** Thresholds of the noise classification. */
  noise: Partial<NoiseThresholds>;
  /** Rules configured for every run; the run's own rules are added to them. */
  configuredRules: readonly unknown[];
  /** The latency sketches of the runs read last, while their stored exchanges stay the same. */
  latencySketches?: LatencySketchCache;
  /** Per earlier run, the (route, field) keys it judged noise, while its counters, marks and rules stay the same. */
  noiseMemory?: StampedCache<readonly string[]>;
  /** Per run, the signatures and samples its findings are grouped from, while its stored exchanges stay the same (then brought up to date). */
  findingInputs?: StampedCache<KeptInputs>;
  /** The capture queue's backlog, when Redis is known: active runs say when their results lag. */
  pipeline?: PipelineMonitor;
  /** Files posted exchanges into the capture queue, when Redis is known. */
  ingest?: Ingest;
}
