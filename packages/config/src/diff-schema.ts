import { z } from 'zod';
import { DEFAULT_IGNORED_HEADERS, DEFAULT_NOISE_THRESHOLDS, diffRuleSchema } from '@shadowdiff/diff';
import { port, positiveInt } from './schema-types.ts';

/** One diff rule, as written in config or posted to the API: the diff engine's rule language. */
export { diffRuleSchema };

/** How responses are compared. */
export const diffSchema = z.strictObject({
  /** Response headers never compared. */
  ignoreHeaders: z.array(z.string().min(1)).default([...DEFAULT_IGNORED_HEADERS]),
  /** Route patterns tried before automatic templating: `/users/:id/orders`. */
  routes: z.array(z.string().regex(/^\/[^?#]*$/, 'a path pattern starting with "/", without "?" or "#" (patterns match the path, not the query)')).default([]),
  /** Rules for every run; a run's own rules (set through the API) add to these. */
  rules: z.array(diffRuleSchema).default([]),
  /** Decoded size at which a compressed body is reported as a bomb instead of expanded. */
  maxDecodedBytes: positiveInt.default(8 * 1024 * 1024),
});

/** When a field's differences count as noise (with a secondary). */
export const noiseSchema = z.strictObject({
  relative: z.number().nonnegative().default(DEFAULT_NOISE_THRESHOLDS.relative),
  absolute: z.number().min(0).max(1).default(DEFAULT_NOISE_THRESHOLDS.absolute),
  minExchanges: positiveInt.default(DEFAULT_NOISE_THRESHOLDS.minExchanges),
});

/** The worker's settings. */
export const workerSchema = z.strictObject({
  /** Capture batches processed at once by one worker process. */
  concurrency: positiveInt.max(256).default(4),
  /** Share (0–1) of identical exchanges whose bodies are kept; differing ones are always kept. */
  keepIdenticalShare: z.number().min(0).max(1).default(0.1),
  /** A job whose worker stops renewing its lock for this long (crash, SIGKILL) is taken over by another. */
  lockDurationMs: positiveInt.min(1000).default(30_000),
  /**
   * A queue shard whose batches have waited this long without this worker taking any, while it
   * had room for more, has its consumer closed and made anew: its blocking connection can be left
   * hanging after a Redis (Cluster master) restart, and the worker would never take from it again.
   */
  stuckShardMs: positiveInt.min(1000).max(3_600_000).default(30_000),
  /** Where the worker's `/metrics`, `/healthz` and `/readyz` are served. 0 picks a free port. */
  adminHost: z.string().min(1).default('127.0.0.1'),
  adminPort: port.default(9465),
});
