import type { z } from 'zod';
import { wilsonInterval } from '@shadowdiff/diff';
import type { FieldKey } from '@shadowdiff/store';
import type { RouteSummary, TrafficTotals } from '../analysis/route-summary.ts';
import type { gateCheckNameSchema, gateCheckSchema, gateResultSchema, routeGateSchema } from '../schemas/gate.ts';
import { normalQuantile } from './probit.ts';
import type { EffectiveThresholds } from './thresholds.ts';

/** The thresholds a gate judges. */
export type GateCheckName = z.output<typeof gateCheckNameSchema>;

/** One threshold judged, with the numbers behind it. */
export type GateCheck = z.output<typeof gateCheckSchema>;

/** The checks of one route; its verdict is `missing` for a required route without traffic. */
export type RouteGate = z.output<typeof routeGateSchema>;

/** A route's outcome. */
export type RouteVerdict = RouteGate['verdict'];

/** The gate's answer for a run; the result adds what it was evaluated on. */
export type GateEvaluation = Pick<z.output<typeof gateResultSchema>, 'verdict' | 'reasons' | 'overall' | 'routes' | 'newFields'>;

/** What the gate judges: thresholds and a run's figures. */
export interface GateInput {
  thresholds: EffectiveThresholds;
  overall: TrafficTotals;
  routes: readonly RouteSummary[];
  /** Null when no baseline run was given. */
  newFields: readonly FieldKey[] | null;
  /** Titles of each route's real findings, named in the reasons of the route's failed difference checks. */
  findings?: ReadonlyMap<string, readonly string[]>;
}

const pct = (value: number): string => `${(100 * value).toFixed(2)}%`;

function rateCheck(check: GateCheckName, what: string, count: number, total: number, limit: number, z: number): GateCheck {
  const upperBound = wilsonInterval(count, total, z).high;
  const passed = upperBound <= limit;
  return {
    check,
    passed,
    value: total === 0 ? null : count / total,
    upperBound,
    limit,
    count,
    total,
    message: `${what} ${count}/${total} (${total === 0 ? '-' : pct(count / total)}, upper bound ${pct(upperBound)}) ${passed ? '≤' : '>'} ${pct(limit)}`,
  };
}

/** Below this many exchanges timed alike, a p99 is little more than the slowest one: not judged. */
export const MIN_LATENCY_SAMPLES = 100;

const BASIS_NAME = { secondary: 'secondary', control: 'control copies', primary: 'primary' } as const;

/**
 * The p99 check. Judged only when the candidate and its reference were timed alike (a secondary
 * or control copies) and over enough exchanges; otherwise it passes, saying why it was not judged.
 * It fails when the candidate's p99 is over the limit beyond doubt (its lower bound over the limit
 * times the reference's upper bound: a one-sided 95% test) and slower by more than the tolerance.
 */
function latencyCheck(totals: TrafficTotals, limit: number, toleranceMs: number): GateCheck {
  const { basis, samples, reference, candidate, ratio } = totals.latency;
  if (ratio.p99 !== null && (basis === 'primary' || samples < MIN_LATENCY_SAMPLES)) {
    const why =
      basis === 'primary'
        ? 'the served primary and the candidate copy are timed on different threads under different load (add a secondary, or control copies with tap.controlPercentage)'
        : `${samples} exchanges timed alike, ${MIN_LATENCY_SAMPLES} needed for a p99`;
    return {
      check: 'p99_latency_ratio',
      passed: true,
      value: ratio.p99,
      upperBound: null,
      limit,
      count: samples,
      total: null,
      message: `p99 latency ×${ratio.p99.toFixed(2)} against the ${BASIS_NAME[basis]}: not judged, ${why}`,
    };
  }
  // Slower beyond doubt: even the candidate's lowest plausible p99 is over the limit times the
  // reference's highest plausible p99, by more than the tolerance. A point ratio of two p99s
  // moves with one stall of either server.
  const low = totals.latency.p99Bounds?.candidateLow ?? candidate.p99;
  const high = totals.latency.p99Bounds?.referenceHigh ?? reference.p99;
  const beyondDoubt = low !== null && high !== null && high > 0 && low > limit * high;
  const slower = ratio.p99 !== null && ratio.p99 > limit && beyondDoubt && candidate.p99! - reference.p99! > toleranceMs;
  const why = ratio.p99 !== null && ratio.p99 > limit && !slower
    ? beyondDoubt
      ? ` (within the ${toleranceMs} ms tolerance)`
      : ` (not beyond doubt: the candidate's p99 may be as low as ${low?.toFixed(1)} ms, the reference's as high as ${high?.toFixed(1)} ms)`
    : '';
  return {
    check: 'p99_latency_ratio',
    passed: !slower,
    value: ratio.p99,
    upperBound: null,
    limit,
    count: null,
    total: null,
    message:
      ratio.p99 === null
        ? 'p99 latency not measurable'
        : `p99 latency ${candidate.p99!.toFixed(1)} ms vs ${reference.p99!.toFixed(1)} ms on the ${BASIS_NAME[basis]} (×${ratio.p99.toFixed(2)}) ${slower ? '>' : '≤'} ×${limit}${why}`,
  };
}

function plainCheck(check: GateCheckName, passed: boolean, value: number | null, limit: number, message: string): GateCheck {
  return { check, passed, value, upperBound: null, limit, count: null, total: null, message };
}

function judgeRoute(summary: RouteSummary, t: EffectiveThresholds, z: number, newFields: readonly string[] | null): RouteGate {
  const own = t.routes[summary.route] ?? {};
  const minExchanges = own.minExchanges ?? t.minExchangesPerRoute;
  const enough = summary.exchanges >= minExchanges;
  const checks: GateCheck[] = [
    plainCheck('min_exchanges', enough, summary.exchanges, minExchanges, `${summary.exchanges} exchanges ${enough ? '≥' : '<'} ${minExchanges} needed`),
  ];
  if (enough) {
    const n = summary.exchanges;
    checks.push(
      rateCheck('difference_rate', 'real differences', summary.differingExchanges, n, own.maxDifferenceRate ?? t.maxRouteDifferenceRate, z),
      rateCheck('status_mismatch_rate', 'status mismatches', summary.statusMismatches, n, own.maxStatusMismatchRate ?? t.maxRouteStatusMismatchRate, z),
      rateCheck('candidate_error_rate', 'candidate errors', summary.candidateErrors, n, own.maxCandidateErrorRate ?? t.maxRouteCandidateErrorRate, z),
      latencyCheck(summary, own.maxP99LatencyRatio ?? t.maxP99LatencyRatio, t.latencyToleranceMs),
    );
  }
  if (newFields !== null) {
    const fail = newFields.length > 0 && t.failOnNewFields;
    checks.push(
      plainCheck('new_fields', !fail, newFields.length, 0, newFields.length === 0 ? 'no field differs that did not differ in the baseline' : `new differing fields since the baseline: ${newFields.join(', ')}`),
    );
  }
  const failed = checks.some((c) => !c.passed && c.check !== 'min_exchanges');
  const verdict: RouteVerdict = failed ? 'fail' : enough ? 'pass' : 'insufficient_data';
  return { route: summary.route, verdict, exchanges: summary.exchanges, checks, newFields: [...(newFields ?? [])] };
}

/**
 * Judges a run against thresholds. Rates are compared through their one-sided Wilson upper bound
 * at the configured confidence, so few exchanges never pass as a clean 0%. A route below its
 * minimum exchanges is insufficient data, which fails unless allowed; a required route without
 * traffic fails; with a baseline, a field that differs now but did not there fails unless allowed.
 */
export function evaluateGate(input: GateInput): GateEvaluation {
  const t = input.thresholds;
  const z = normalQuantile(t.confidence);
  const o = input.overall;
  const overall: GateCheck[] = [plainCheck('exchanges', o.exchanges > 0, o.exchanges, 1, `${o.exchanges} exchanges in the run`)];
  if (o.exchanges > 0) {
    overall.push(
      rateCheck('difference_rate', 'real differences', o.differingExchanges, o.exchanges, t.maxDifferenceRate, z),
      rateCheck('status_mismatch_rate', 'status mismatches', o.statusMismatches, o.exchanges, t.maxStatusMismatchRate, z),
      rateCheck('candidate_error_rate', 'candidate errors', o.candidateErrors, o.exchanges, t.maxCandidateErrorRate, z),
      latencyCheck(o, t.maxP99LatencyRatio, t.latencyToleranceMs),
    );
  }
  const newByRoute = new Map<string, string[]>();
  for (const f of input.newFields ?? []) newByRoute.set(f.route, [...(newByRoute.get(f.route) ?? []), f.field]);
  const routes = input.routes.map((e) => judgeRoute(e, t, z, input.newFields === null ? null : (newByRoute.get(e.route) ?? [])));
  for (const required of t.requiredRoutes) {
    const present = routes.find((r) => r.route === required);
    if (present && present.exchanges > 0) continue;
    routes.push({
      route: required,
      verdict: 'missing',
      exchanges: 0,
      checks: [plainCheck('present', false, 0, 1, 'required route has no exchanges')],
      newFields: [],
    });
  }
  const reasons = [
    ...overall.filter((c) => !c.passed).map((c) => `run: ${c.message}`),
    ...routes.flatMap((r) => {
      if (r.verdict === 'insufficient_data' && !t.allowInsufficientData) return [`${r.route}: insufficient data: ${r.checks[0]!.message}`];
      const found = input.findings?.get(r.route) ?? [];
      const cause = (c: GateCheck): string =>
        found.length > 0 && (c.check === 'difference_rate' || c.check === 'status_mismatch_rate') ? ` — ${found.join('; ')}` : '';
      return r.checks.filter((c) => !c.passed && c.check !== 'min_exchanges').map((c) => `${r.route}: ${c.message}${cause(c)}`);
    }),
  ];
  return {
    verdict: reasons.length === 0 ? 'pass' : 'fail',
    reasons,
    overall: { exchanges: o.exchanges, checks: overall },
    routes,
    newFields: [...(input.newFields ?? [])],
  };
}
