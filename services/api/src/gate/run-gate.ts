import type { z } from 'zod';
import { BadRequestError, NotFoundError } from '@shadowdiff/core';
import { findRun, listRouteTraffic, type FindingInputs, type Run } from '@shadowdiff/store';
import { summariseRoutes, type RouteSummary, type TrafficTotals } from '../analysis/route-summary.ts';
import { analyseRun, fieldKey, type RunAnalysis } from '../analysis/run-analysis.ts';
import type { ApiContext } from '../context.ts';
import type { gateResultSchema } from '../schemas/gate.ts';
import type { Finding } from '../analysis/findings.ts';
import { runFindings } from '../analysis/run-findings.ts';
import { evaluateGate } from './evaluate.ts';
import { gateThresholdsSchema, mergeThresholds, type EffectiveThresholds, type GateThresholds } from './thresholds.ts';

/**
 * A gate evaluation with what it was evaluated on. The document gives the thresholds as an open
 * object; the server knows every one of them.
 */
export interface GateResult extends Omit<z.output<typeof gateResultSchema>, 'thresholds'> {
  thresholds: EffectiveThresholds;
}

/** What a gate request may add to the run's stored thresholds. */
export interface GateRequest {
  thresholds?: GateThresholds;
  /** Id or name of an earlier run; fields that differ now but not there are called out. */
  baseline?: string;
}

/** A run analysed and summarised, as the gate and the report both need it. */
export interface RunFigures {
  analysis: RunAnalysis;
  overall: TrafficTotals;
  routes: RouteSummary[];
  /** The run's findings, grouped on first use and kept: a gate that passes never needs them. */
  findings(): Promise<Finding[]>;
}

/**
 * Analyses a run, summarises its routes and groups its differences into findings, once; from
 * `findingInputs` when the caller already started reading them (`prefetchFindingInputs`).
 */
export async function runFigures(ctx: ApiContext, run: Run, findingInputs?: Promise<FindingInputs>): Promise<RunFigures> {
  // The latency sketches do not depend on the analysis: both read at once.
  const [analysis, traffic] = await Promise.all([analyseRun(ctx, run), listRouteTraffic(ctx.pool, run.id, ctx.latencySketches)]);
  let findings: Promise<Finding[]> | undefined;
  return { analysis, ...(await summariseRoutes(ctx, analysis, traffic)), findings: () => (findings ??= runFindings(ctx, run, analysis, findingInputs)) };
}

function storedThresholds(run: Run): GateThresholds {
  const parsed = gateThresholdsSchema.safeParse(run.thresholds);
  if (parsed.success) return parsed.data;
  throw new BadRequestError(`run '${run.name}' has stored thresholds that are not valid any more: ${parsed.error.issues[0]?.message ?? ''}; set them again`);
}

async function newFieldsSince(ctx: ApiContext, current: RunAnalysis, baselineName: string): Promise<{ baseline: Run; fields: { route: string; field: string }[] }> {
  const baseline = await findRun(ctx.pool, baselineName);
  if (!baseline) throw new NotFoundError(`no baseline run with id or name '${baselineName}'`);
  // Only which fields differed there is read: no exchange counts, no noise learned before it.
  const before = await analyseRun(ctx, baseline, { countExchanges: false, learn: false });
  const differedBefore = new Set(before.fields.filter((f) => f.candidate.differences > f.candidate.ignored).map((f) => fieldKey(f.route, f.field)));
  const fields = current.fields
    .filter((f) => f.classification.countsAsReal && !differedBefore.has(fieldKey(f.route, f.field)))
    .map((f) => ({ route: f.route, field: f.field }));
  return { baseline, fields };
}

/** Evaluates the gate of a run: defaults, then the run's thresholds, then the request's. */
export async function runGate(ctx: ApiContext, run: Run, request: GateRequest, figures?: RunFigures): Promise<GateResult> {
  const thresholds = mergeThresholds(storedThresholds(run), request.thresholds);
  const { analysis, overall, routes, findings } = figures ?? (await runFigures(ctx, run));
  const since = request.baseline ? await newFieldsSince(ctx, analysis, request.baseline) : undefined;
  const input = { thresholds, overall, routes, newFields: since?.fields ?? null };
  let evaluation = evaluateGate(input);
  // A route that fails on its differences is told with what changed there, its real findings.
  const failsOnDifferences = evaluation.routes.some((r) => r.checks.some((c) => !c.passed && (c.check === 'difference_rate' || c.check === 'status_mismatch_rate')));
  if (failsOnDifferences) {
    const byRoute = new Map<string, string[]>();
    for (const f of await findings()) {
      if (f.verdict !== 'real') continue;
      for (const r of f.routes) byRoute.set(r.route, [...(byRoute.get(r.route) ?? []), f.title]);
    }
    evaluation = evaluateGate({ ...input, findings: byRoute });
  }
  return {
    run: { id: run.id, name: run.name },
    baseline: since ? { id: since.baseline.id, name: since.baseline.name } : null,
    thresholds,
    evaluatedAt: new Date().toISOString(),
    ...evaluation,
  };
}
