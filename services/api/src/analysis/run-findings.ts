import { countStoredExchanges, readFindingInputChanges, readFindingInputs, type FindingInputs, type Run } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import { buildFindings, type Finding } from './findings.ts';
import type { RunAnalysis } from './run-analysis.ts';

/** Values sampled per field to tell kinds, type pairs and renames. */
const SAMPLES_PER_FIELD = 20;

/**
 * The stamp a run's signatures and samples are kept under: its stored exchanges, and the last
 * prune's time, as a prune takes rows away without touching the counters.
 */
const stampOf = (run: Run, stored: number): string => `${stored}@${run.prunedAt ?? ''}`;

/**
 * A run's signatures and samples as of `stamp`: kept (`ctx.findingInputs`) while it stays the
 * same; once its stored exchanges moved on, what was kept is brought up to date with the
 * differences stored since (no prune since: a prune takes samples away, and they are read whole).
 */
async function findingInputsOf(ctx: ApiContext, run: Run, stamp: string): Promise<FindingInputs> {
  const hit = ctx.findingInputs?.get(run.id, stamp);
  if (hit) return hit.inputs;
  const last = ctx.findingInputs?.latest(run.id);
  // Read after the count they are kept under, never before: they hold at least those exchanges.
  const inputs =
    last && last.prunedAt === run.prunedAt
      ? await readFindingInputChanges(ctx.pool, run.id, SAMPLES_PER_FIELD, last.inputs)
      : await readFindingInputs(ctx.pool, run.id, SAMPLES_PER_FIELD);
  ctx.findingInputs?.set(run.id, stamp, { prunedAt: run.prunedAt, inputs });
  return inputs;
}

/**
 * Starts reading what a run's findings are grouped from before its analysis is done, for a read
 * that will group them anyway (the report): after new exchanges, these reads and the latency
 * sketches' are the longest, and they run side by side instead of one after the other.
 */
export async function prefetchFindingInputs(ctx: ApiContext, run: Run): Promise<FindingInputs> {
  return findingInputsOf(ctx, run, stampOf(run, await countStoredExchanges(ctx.pool, run.id)));
}

/**
 * A run's findings, from its analysis (verdicts as they are now), its signatures and samples
 * (`inputs` when already being read, see `prefetchFindingInputs`). Signatures and samples are
 * kept while the run's stored exchanges stay the same; the verdicts, which marks and rules change
 * at any time, are applied on every read.
 */
export async function runFindings(ctx: ApiContext, run: Run, analysis: RunAnalysis, inputs?: Promise<FindingInputs>): Promise<Finding[]> {
  // Read in the same transactions as every counter of the run: the stamp of its stored rows.
  const stored = analysis.routes.reduce((n, r) => n + r.exchanges, 0);
  const { signatures, samples } = await (inputs ?? findingInputsOf(ctx, run, stampOf(run, stored)));
  return buildFindings({
    routeExchanges: new Map(analysis.routes.map((r) => [r.route, r.exchanges])),
    fields: analysis.fields.map((f) => ({ route: f.route, field: f.field, verdict: f.classification.verdict })),
    signatures,
    samples,
  });
}
