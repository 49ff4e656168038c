import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** Limits that may be set for the run as a whole and overridden per route. */
const routeLimits = z.strictObject({
  maxDifferenceRate: rate.optional().describe('largest real-difference rate (judged by its upper confidence bound)'),
  maxStatusMismatchRate: rate.optional().describe('largest status-mismatch rate (upper bound)'),
  maxCandidateErrorRate: rate.optional().describe('largest candidate error rate: 5xx, timeouts, refused (upper bound)'),
  maxP99LatencyRatio: z.number().positive().optional().describe('largest candidate p99 ÷ reference p99 (secondary or control copies, timed alike)'),
  minExchanges: z.number().int().min(0).optional().describe('fewer exchanges than this is insufficient data'),
});

/**
 * Gate thresholds, as given in a thresholds file, stored with a run, or posted with a gate
 * request. Every field is optional: absent ones take the run's stored value, then the default.
 */
export const gateThresholdsSchema = z.strictObject({
  maxDifferenceRate: rate.optional().describe('largest real-difference rate over the whole run (upper bound)'),
  maxRouteDifferenceRate: rate.optional().describe('largest real-difference rate of any one route (upper bound)'),
  maxStatusMismatchRate: rate.optional().describe('largest status-mismatch rate over the whole run (upper bound)'),
  maxRouteStatusMismatchRate: rate.optional().describe('largest status-mismatch rate of any one route (upper bound)'),
  maxCandidateErrorRate: rate.optional().describe('largest candidate error rate (5xx, timeouts, refused) over the whole run (upper bound)'),
  maxRouteCandidateErrorRate: rate.optional().describe('largest candidate error rate of any one route (upper bound)'),
  maxP99LatencyRatio: z.number().positive().optional().describe('largest candidate p99 ÷ reference p99 (secondary or control copies, timed alike), over the run and per route'),
  latencyToleranceMs: z.number().min(0).optional().describe('p99 differences up to this many milliseconds never fail the latency check'),
  minExchangesPerRoute: z.number().int().min(0).optional().describe('routes with fewer exchanges are insufficient data'),
  allowInsufficientData: z.boolean().optional().describe('let routes with insufficient data pass (reported as skipped)'),
  requiredRoutes: z.array(z.string().min(1).max(1000)).max(1000).optional().describe('routes that must have traffic'),
  confidence: z.number().gt(0.5).lt(1).optional().describe('one-sided confidence of the rate bounds (default 0.95)'),
  failOnNewFields: z.boolean().optional().describe('with a baseline: fail when a field differs that did not differ there (default true)'),
  routes: z.record(z.string().min(1).max(1000), routeLimits).optional().describe('limits of particular routes, overriding the ones above'),
});

/** Thresholds as given: every field optional. */
export type GateThresholds = z.infer<typeof gateThresholdsSchema>;
/** Limits of one route. */
export type RouteLimits = z.infer<typeof routeLimits>;

/** The thresholds in force when neither the run nor the request sets them. */
export const DEFAULT_GATE_THRESHOLDS = Object.freeze({
  maxDifferenceRate: 0.05,
  maxRouteDifferenceRate: 0.1,
  maxStatusMismatchRate: 0.05,
  maxRouteStatusMismatchRate: 0.1,
  maxCandidateErrorRate: 0.05,
  maxRouteCandidateErrorRate: 0.1,
  maxP99LatencyRatio: 1.5,
  latencyToleranceMs: 10,
  minExchangesPerRoute: 30,
  allowInsufficientData: false,
  requiredRoutes: [] as string[],
  confidence: 0.95,
  failOnNewFields: true,
  routes: {} as Record<string, RouteLimits>,
});

/** Thresholds with every field set. */
export type EffectiveThresholds = typeof DEFAULT_GATE_THRESHOLDS;

/** Defaults, then the run's stored thresholds, then the request's (later ones win field by field). */
export function mergeThresholds(...layers: readonly (GateThresholds | undefined)[]): EffectiveThresholds {
  const merged = { ...DEFAULT_GATE_THRESHOLDS, routes: { ...DEFAULT_GATE_THRESHOLDS.routes } };
  for (const layer of layers) {
    if (!layer) continue;
    const { routes, ...rest } = layer;
    for (const [name, value] of Object.entries(rest)) if (value !== undefined) (merged as Record<string, unknown>)[name] = value;
    for (const [route, limits] of Object.entries(routes ?? {})) merged.routes[route] = { ...merged.routes[route], ...limits };
  }
  return merged;
}
