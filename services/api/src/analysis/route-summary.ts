import type { z } from 'zod';
import { listRouteTraffic, type RouteTraffic } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import type { latencyComparisonSchema, routeSummarySchema, trafficTotalsSchema } from '../schemas/responses.ts';
import type { FieldVerdict } from './classify.ts';
import type { RunAnalysis } from './run-analysis.ts';

/**
 * The candidate's latency percentiles next to a reference timed the same way, and candidate ÷
 * reference for each. `basis` names the reference: `secondary` or `control` (copies sent with the
 * candidate's, from the same thread), or `primary` (the served primary, timed on another thread
 * under other load: indicative only, never judged by the gate). `primary` is the served primary's
 * own percentiles, whatever the basis.
 */
export type LatencyComparison = z.output<typeof latencyComparisonSchema>;

/** Figures of a set of exchanges (a route, or the whole run). */
export type TrafficTotals = z.output<typeof trafficTotalsSchema>;

/** One route of a run, with how many of its differing fields have each verdict. */
export type RouteSummary = z.output<typeof routeSummarySchema>;

const rate = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);
const ratio = (candidate: number | null, primary: number | null): number | null =>
  candidate === null || primary === null || primary <= 0 ? null : candidate / primary;

function totals(traffic: RouteTraffic | undefined, counts: { differing: number; mismatches: number; secondary: number }): TrafficTotals {
  const exchanges = traffic?.exchanges ?? 0;
  const errors = traffic?.errors ?? { status5xx: 0, timeout: 0, refused: 0, other: 0 };
  const candidateErrors = errors.status5xx + errors.timeout + errors.refused + errors.other;
  const none = { p50: null, p95: null, p99: null };
  const primary = traffic?.primaryLatency ?? none;
  const alike = traffic?.alike ?? { basis: 'primary' as const, samples: 0, candidate: none, reference: none, p99Bounds: null };
  const { candidate, reference } = alike;
  return {
    exchanges,
    differingExchanges: counts.differing,
    differenceRate: rate(counts.differing, exchanges),
    statusMismatches: counts.mismatches,
    statusMismatchRate: rate(counts.mismatches, exchanges),
    candidateErrors,
    candidateErrorRate: rate(candidateErrors, exchanges),
    errors,
    secondaryExchanges: counts.secondary,
    latency: {
      basis: alike.basis,
      samples: alike.samples,
      primary,
      reference,
      candidate,
      ratio: { p50: ratio(candidate.p50, reference.p50), p95: ratio(candidate.p95, reference.p95), p99: ratio(candidate.p99, reference.p99) },
      p99Bounds: alike.p99Bounds,
    },
  };
}

/**
 * Per-route and whole-run figures of an analysed run, busiest route first. The traffic figures
 * may be read already (`traffic`): they do not depend on the analysis, so a caller reads both at once.
 */
export async function summariseRoutes(
  ctx: ApiContext,
  analysis: RunAnalysis,
  traffic?: readonly RouteTraffic[],
): Promise<{ overall: TrafficTotals; routes: RouteSummary[] }> {
  traffic ??= await listRouteTraffic(ctx.pool, analysis.run.id, ctx.latencySketches);
  const byRoute = new Map(traffic.filter((t) => t.route !== null).map((t) => [t.route!, t]));
  const routes = analysis.routes.map((stats) => {
    const fields: Record<FieldVerdict, number> = { real: 0, noise: 0, expected: 0, ignored: 0, insufficient_data: 0 };
    for (const f of analysis.fields) {
      if (f.route === stats.route && f.candidate.differences > 0) fields[f.classification.verdict] += 1;
    }
    return {
      route: stats.route,
      ...totals(byRoute.get(stats.route), {
        differing: analysis.differingExchanges.get(stats.route) ?? 0,
        mismatches: stats.statusMismatches,
        secondary: stats.secondaryExchanges,
      }),
      fields,
    };
  });
  const sum = (pick: (e: RouteSummary) => number): number => routes.reduce((n, e) => n + pick(e), 0);
  const overall = totals(
    traffic.find((t) => t.route === null),
    { differing: sum((e) => e.differingExchanges), mismatches: sum((e) => e.statusMismatches), secondary: sum((e) => e.secondaryExchanges) },
  );
  return { overall, routes };
}
