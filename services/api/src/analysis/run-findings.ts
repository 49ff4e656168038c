import { listDifferenceSamples, listSignatures, type Run } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import { buildFindings, type Finding } from './findings.ts';
import type { RunAnalysis } from './run-analysis.ts';

/** Values sampled per field to tell kinds, type pairs and renames. */
const SAMPLES_PER_FIELD = 20;

/** A run's findings, from its analysis (verdicts as they are now), its signatures and samples. */
export async function runFindings(ctx: ApiContext, run: Run, analysis: RunAnalysis): Promise<Finding[]> {
  const [signatures, samples] = await Promise.all([listSignatures(ctx.pool, run.id), listDifferenceSamples(ctx.pool, run.id, SAMPLES_PER_FIELD)]);
  return buildFindings({
    routeExchanges: new Map(analysis.routes.map((r) => [r.route, r.exchanges])),
    fields: analysis.fields.map((f) => ({ route: f.route, field: f.field, verdict: f.classification.verdict })),
    signatures,
    samples,
  });
}
