import { listDifferenceSamples, listSignatures, type Run } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import { buildFindings, type Finding } from './findings.ts';
import type { RunAnalysis } from './run-analysis.ts';

/** Values sampled per field to tell kinds, type pairs and renames. */
const SAMPLES_PER_FIELD = 20;

/**
 * A run's findings, from its analysis (verdicts as they are now), its signatures and samples.
 * Signatures and samples are kept (`ctx.findingInputs`) while the run's stored exchanges stay
 * the same; the verdicts, which marks and rules change at any time, are applied on every read.
 */
export async function runFindings(ctx: ApiContext, run: Run, analysis: RunAnalysis): Promise<Finding[]> {
  // Read in the same transactions as every counter of the run: the stamp of its stored rows,
  // with the last prune's time, as a prune takes rows away without touching the counters.
  const stamp = `${analysis.routes.reduce((n, r) => n + r.exchanges, 0)}@${run.prunedAt ?? ''}`;
  let inputs = ctx.findingInputs?.get(run.id, stamp);
  if (!inputs) {
    const [signatures, samples] = await Promise.all([listSignatures(ctx.pool, run.id), listDifferenceSamples(ctx.pool, run.id, SAMPLES_PER_FIELD)]);
    inputs = { signatures, samples };
    ctx.findingInputs?.set(run.id, stamp, inputs);
  }
  return buildFindings({
    routeExchanges: new Map(analysis.routes.map((r) => [r.route, r.exchanges])),
    fields: analysis.fields.map((f) => ({ route: f.route, field: f.field, verdict: f.classification.verdict })),
    signatures: inputs.signatures,
    samples: inputs.samples,
  });
}
