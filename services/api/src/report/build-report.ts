import type { z } from 'zod';
import { listDifferences, listFieldDetails, statusMatrix, type Run, type StatusPair } from '@shadowdiff/store';
import type { FieldVerdict } from '../analysis/classify.ts';
import { fieldItemsOf, type FieldItem } from '../analysis/field-items.ts';
import { prefetchFindingInputs } from '../analysis/run-findings.ts';
import type { ApiContext } from '../context.ts';
import type { releaseReportSchema } from '../schemas/gate.ts';
import { runFigures, runGate, type GateRequest, type GateResult } from '../gate/run-gate.ts';

/**
 * Everything the release validation report shows, in every format. The gate's thresholds are
 * the server's own, every one set.
 */
export interface ReleaseReport extends Omit<z.output<typeof releaseReportSchema>, 'gate'> {
  gate: GateResult;
}

/** A field in the report, with a few concrete differences. */
export type ReportField = ReleaseReport['topFields'][number];

/** A field whose shape changed between primary and candidate. */
export type DriftItem = ReleaseReport['schemaDrift']['added'][number];

const TOP_FIELDS = 15;
const EXAMPLES = 3;

async function examplesOf(ctx: ApiContext, run: Run, f: FieldItem): Promise<ReportField['examples']> {
  const page = await listDifferences(ctx.pool, { runId: run.id, route: f.route, field: f.field, side: 'candidate', limit: EXAMPLES });
  // Absent values are stored as null; the kind says which side lacked the field.
  return page.items.map((d) => ({
    exchangeId: d.exchangeId,
    path: d.path,
    kind: d.kind,
    primaryValue: d.kind === 'added' ? undefined : d.primaryValue,
    candidateValue: d.kind === 'removed' ? undefined : d.otherValue,
  }));
}

const drift = (fields: readonly FieldItem[], kind: string): DriftItem[] =>
  fields
    .filter((f) => f.kinds.includes(kind))
    .map((f) => ({ route: f.route, field: f.field, differences: f.differences, verdict: f.classification.verdict }));

function matrix(cells: StatusPair[]): ReleaseReport['statusMatrix'] {
  const order = (values: Iterable<string>): string[] => [...new Set(values)].sort((a, b) => (/^\d/.test(a) ? a : `~${a}`).localeCompare(/^\d/.test(b) ? b : `~${b}`));
  return { primary: order(cells.map((c) => c.primary)), candidate: order(cells.map((c) => c.candidate)), cells };
}

/** Builds the report of a run: the gate's verdict and the figures behind it. */
export async function buildReport(ctx: ApiContext, run: Run, request: GateRequest = {}): Promise<ReleaseReport> {
  // The report groups findings in any case: their inputs are read beside the analysis, and so
  // are the status matrix and the fields' details, which need nothing else.
  const inputs = prefetchFindingInputs(ctx, run);
  const details = listFieldDetails(ctx.pool, run.id);
  const cells = statusMatrix(ctx.pool, run.id);
  // Awaited below; a failure before then must not go unhandled.
  for (const read of [inputs, details, cells]) read.catch(() => undefined);
  const figures = await runFigures(ctx, run, inputs);
  const fields = fieldItemsOf(figures.analysis, await details);
  const differing = fields.filter((f) => f.differences > 0);
  const real = differing.filter((f) => f.classification.countsAsReal).sort((a, b) => b.rate - a.rate || b.differences - a.differences);
  // The top fields' examples are read beside the gate and the findings.
  const [gate, findings, topFields] = await Promise.all([
    runGate(ctx, run, request, figures),
    figures.findings(),
    Promise.all(
      real.slice(0, TOP_FIELDS).map(async (f) => ({
        route: f.route,
        field: f.field,
        differences: f.differences,
        rate: f.rate,
        kinds: f.kinds,
        verdict: f.classification.verdict,
        examples: await examplesOf(ctx, run, f),
      })),
    ),
  ]);
  const verdicts: Record<FieldVerdict, number> = { real: 0, noise: 0, expected: 0, ignored: 0, insufficient_data: 0 };
  for (const f of differing) verdicts[f.classification.verdict] += 1;
  return {
    run,
    generatedAt: new Date().toISOString(),
    gate,
    overall: figures.overall,
    endpoints: figures.routes,
    findings,
    topFields,
    statusMatrix: matrix(await cells),
    schemaDrift: { added: drift(differing, 'added'), removed: drift(differing, 'removed'), typeChanged: drift(differing, 'type_changed') },
    noise: {
      verdicts,
      fields: differing
        .filter((f) => !f.classification.countsAsReal)
        .map((f) => ({
          route: f.route,
          field: f.field,
          verdict: f.classification.verdict,
          basis: f.classification.basis,
          reason: f.classification.reason,
          rule: f.classification.rule,
          candidateRate: f.classification.numbers.candidateRate,
          secondaryRate: f.classification.numbers.secondaryRate,
        })),
      suspected: real.filter((f) => f.suspectedNoise).map((f) => ({ route: f.route, field: f.field, differences: f.differences })),
    },
  };
}
