/**
 * Scores what the pipeline said about each route against the corpus's labels.
 */
import type { Checkpoint, RouteObservation } from './drive.ts';
import { truePercentiles } from './latency-model.ts';
import { labelOf, routeOf, type Scenario } from './scenarios.ts';

/** The bench gate's p99 limit and tolerance (the defaults). */
const P99_LIMIT = 1.5;
const P99_TOLERANCE_MS = 10;

/** Verdicts that keep a field out of the real-difference rate. */
const NOT_REAL = new Set(['noise', 'ignored', 'expected', 'insufficient_data']);
/** Verdicts that decide a field is not a regression. */
const DECIDED_NOT_REAL = new Set(['noise', 'ignored', 'expected']);

export interface TrueLatency {
  ratioP50: number;
  ratioP99: number;
  /** Whether the gate should fail the route on latency. */
  slower: boolean;
}

const trueLatencies = new WeakMap<Scenario, TrueLatency>();

/** The scenario's true ratios, from its latency models (computed once per scenario). */
export function trueLatency(scenario: Scenario): TrueLatency | null {
  if (!scenario.latency) return null;
  const known = trueLatencies.get(scenario);
  if (known) return known;
  const reference = truePercentiles(scenario.latency.reference);
  const candidate = truePercentiles(scenario.latency.candidate);
  const ratioP99 = candidate.p99 / reference.p99;
  const truth = { ratioP50: candidate.p50 / reference.p50, ratioP99, slower: ratioP99 > P99_LIMIT && candidate.p99 - reference.p99 > P99_TOLERANCE_MS };
  trueLatencies.set(scenario, truth);
  return truth;
}

export interface ScenarioScore {
  scenario: Scenario;
  exchanges: number;
  /** Regressions: a labelled field was called real. Null for other scenarios. */
  detected: boolean | null;
  /** Noise fields seen (differing) and how many of them were called real. */
  noiseFields: number;
  noiseCalledReal: number;
  /** Noise fields still undecided at the end. */
  noiseUndecided: number;
  /** Differing fields the corpus did not label, called real. */
  unlabelledReal: string[];
  /** Whether the route's verdict is right at the end: regression real, noise decided and not real, latency gate right. */
  right: boolean;
  /** Exchanges from which the verdict was right at every later checkpoint; null if never. */
  exchangesToRight: number | null;
  /** Exchanges until the field that differs in every exchange on both sides (a random UUID) was judged noise. */
  exchangesToAlwaysNoise: number | null;
  gate: { verdict: string; failed: string[]; shouldFail: boolean; right: boolean };
  /**
   * `truth`: the ratios of the services' latency models; `own`: the ratios of the times the
   * services measured themselves in this run (what contention left of the truth).
   */
  latency: RouteObservation['latency'] & { truth: TrueLatency | null; judged: boolean; own?: { ratioP50: number; ratioP99: number } | null };
}

function routeRight(scenario: Scenario, observation: RouteObservation, truth: TrueLatency | null): boolean {
  const labelled = observation.fields.map((f) => ({ ...f, label: labelOf(scenario, f.field) }));
  const noiseRight = labelled.filter((f) => f.label !== 'real').every((f) => DECIDED_NOT_REAL.has(f.verdict));
  if (scenario.group === 'regression') return labelled.some((f) => f.label === 'real' && f.verdict === 'real') && labelled.filter((f) => f.label !== 'real').every((f) => NOT_REAL.has(f.verdict));
  if (scenario.group === 'noise') return noiseRight;
  const latencyFailed = observation.gate.failed.includes('p99_latency_ratio');
  return truth!.slower ? latencyFailed : !latencyFailed;
}

function gateShouldFail(scenario: Scenario, truth: TrueLatency | null): boolean {
  return scenario.group === 'regression' || (truth?.slower ?? false);
}

/** The first checkpoint from which `right` held at every later one. */
function firstLastingly<T>(checkpoints: readonly T[], exchanges: (c: T) => number, right: (c: T) => boolean): number | null {
  let since: number | null = null;
  for (const checkpoint of checkpoints) {
    if (!right(checkpoint)) since = null;
    else since ??= exchanges(checkpoint);
  }
  return since;
}

/**
 * Fields that differ on every side in every exchange: a random UUID. (A millisecond timestamp is
 * not one of them: a fast route's copies are often answered within the primary's millisecond.)
 */
const ALWAYS_DIFFERING = new Set(['body.requestId']);

export function scoreScenario(scenario: Scenario, checkpoints: readonly Checkpoint[]): ScenarioScore {
  const route = routeOf(scenario);
  const seen = checkpoints.filter((c) => c.routes[route]);
  const last = seen.at(-1)?.routes[route];
  if (!last) throw new Error(`no exchanges were stored on ${route}`);
  const truth = trueLatency(scenario);
  const labelled = last.fields.map((f) => ({ ...f, label: labelOf(scenario, f.field) }));
  const noise = labelled.filter((f) => f.label === 'noise');
  const shouldFail = gateShouldFail(scenario, truth);
  const failedForTheRightReason =
    scenario.group === 'regression'
      ? last.gate.failed.some((c) => c !== 'p99_latency_ratio')
      : last.gate.failed.length > 0 && last.gate.failed.every((c) => c === 'p99_latency_ratio');
  return {
    scenario,
    exchanges: last.exchanges,
    detected: scenario.group === 'regression' ? labelled.some((f) => f.label === 'real' && f.verdict === 'real') : null,
    noiseFields: noise.length,
    noiseCalledReal: noise.filter((f) => f.verdict === 'real').length,
    noiseUndecided: noise.filter((f) => f.verdict === 'insufficient_data').length,
    unlabelledReal: labelled.filter((f) => f.label === 'unlabelled' && f.verdict === 'real').map((f) => f.field),
    right: routeRight(scenario, last, truth),
    exchangesToRight: firstLastingly(seen, (c) => c.routes[route]!.exchanges, (c) => routeRight(scenario, c.routes[route]!, truth)),
    exchangesToAlwaysNoise: firstLastingly(
      seen,
      (c) => c.routes[route]!.exchanges,
      (c) => c.routes[route]!.fields.filter((f) => ALWAYS_DIFFERING.has(f.field)).every((f) => f.verdict === 'noise'),
    ),
    gate: { verdict: last.gate.verdict, failed: last.gate.failed, shouldFail, right: shouldFail ? last.gate.verdict === 'fail' && failedForTheRightReason : last.gate.verdict === 'pass' },
    latency: { ...last.latency, truth, judged: last.gate.latencyJudged },
  };
}

export interface ConfigurationScore {
  /** Detected of the regressions occurring in ≥ 2% of exchanges, and of all. */
  recall2: { detected: number; of: number };
  recallAll: { detected: number; of: number };
  noise: { calledReal: number; undecided: number; of: number };
  unlabelledReal: number;
  gate: { right: number; of: number };
  /** Median over the routes of the exchanges until the verdict was right (routes never right left out). */
  medianExchangesToRight: number | null;
  /** The most exchanges any route needed to judge the always-differing fields noise. */
  worstExchangesToAlwaysNoise: number | null;
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

export function scoreConfiguration(scores: readonly ScenarioScore[]): ConfigurationScore {
  const regressions = scores.filter((s) => s.scenario.group === 'regression');
  const frequent = regressions.filter((s) => (s.scenario.regressionShare ?? 1) >= 0.02);
  const alwaysNoise = scores.map((s) => s.exchangesToAlwaysNoise);
  return {
    recall2: { detected: frequent.filter((s) => s.detected).length, of: frequent.length },
    recallAll: { detected: regressions.filter((s) => s.detected).length, of: regressions.length },
    noise: { calledReal: scores.reduce((n, s) => n + s.noiseCalledReal, 0), undecided: scores.reduce((n, s) => n + s.noiseUndecided, 0), of: scores.reduce((n, s) => n + s.noiseFields, 0) },
    unlabelledReal: scores.reduce((n, s) => n + s.unlabelledReal.length, 0),
    gate: { right: scores.filter((s) => s.gate.right).length, of: scores.length },
    medianExchangesToRight: median(scores.flatMap((s) => (s.exchangesToRight === null ? [] : [s.exchangesToRight]))),
    worstExchangesToAlwaysNoise: alwaysNoise.includes(null) ? null : Math.max(...(alwaysNoise as number[])),
  };
}
