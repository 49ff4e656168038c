import { z } from 'zod';
import { DIFFERENCE_KINDS } from '@shadowdiff/diff';
import { listDifferences, type FieldKey, type StoredDifference } from '@shadowdiff/store';
import { createFieldIgnorer } from '../analysis/read-rules.ts';
import { analyseRun, fieldKey, type AnalysedField, type RunAnalysis } from '../analysis/run-analysis.ts';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { booleanParam, decodeCursor, encodeCursor, pageParams, runParam } from '../params.ts';
import { differencePageSchema } from '../schemas/responses.ts';
import { requireRun } from './run-lookup.ts';

const verdicts = z.enum(['real', 'noise', 'expected', 'ignored', 'insufficient_data']);
/** An ISO 8601 instant that Postgres can hold: a year from 0001, a UTC offset under 16 hours. */
const instant = z.iso.datetime({ offset: true }).regex(/^(?!0000)[^]*(?:Z|[+-](?:0\d|1[0-5]):?\d\d)$/, 'an instant from year 0001, with a UTC offset under 16 hours');

const differencesQuery = z.strictObject({
  ...pageParams,
  route: z.string().min(1).max(1000).optional().describe('only this route, e.g. GET /users/{id}'),
  field: z.string().min(1).max(1000).optional().describe('only this field template, e.g. body.items[*].price'),
  kind: z.enum(DIFFERENCE_KINDS).optional(),
  side: z.enum(['candidate', 'secondary']).optional(),
  classification: z.enum(['real', 'noise']).optional().describe('real: counts as a real difference; noise: noise or expected'),
  verdict: verdicts.optional().describe("only fields with exactly this verdict"),
  from: instant.optional().describe('captured at or after (ISO 8601)'),
  to: instant.optional().describe('captured before (ISO 8601)'),
  includeIgnored: booleanParam.optional().describe('include differences hidden by rules'),
});

const MAX_XID8 = 2n ** 64n - 1n;
const cursorSchema = z.strictObject({
  t: z
    .string()
    .regex(/^\d{1,20}$/)
    .refine((t) => BigInt(t) <= MAX_XID8),
  i: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});

type Query = z.output<typeof differencesQuery>;

const keys = (fields: readonly AnalysedField[], keep: (f: AnalysedField) => boolean): FieldKey[] =>
  fields.filter(keep).map((f) => ({ route: f.route, field: f.field }));

/** Which fields a query selects, from the classifications as they are now. */
function fieldFilters(analysis: RunAnalysis, query: Query): { onlyFields?: FieldKey[]; exceptFields?: FieldKey[]; side?: string } {
  const out: { onlyFields?: FieldKey[]; exceptFields?: FieldKey[]; side?: string } = {};
  // Asking for ignored fields by verdict includes them.
  if (!query.includeIgnored && query.verdict !== 'ignored') out.exceptFields = keys(analysis.fields, (f) => f.classification.verdict === 'ignored');
  if (query.verdict) out.onlyFields = keys(analysis.fields, (f) => f.classification.verdict === query.verdict);
  if (query.classification === 'real') {
    const real = keys(analysis.fields, (f) => f.classification.countsAsReal);
    out.onlyFields = query.verdict ? out.onlyFields!.filter((k) => real.some((r) => r.route === k.route && r.field === k.field)) : real;
    out.side = 'candidate';
  }
  if (query.classification === 'noise') {
    const noise = keys(analysis.fields, (f) => ['noise', 'expected'].includes(f.classification.verdict) || (query.includeIgnored === true && f.classification.verdict === 'ignored'));
    out.onlyFields = query.verdict ? out.onlyFields!.filter((k) => noise.some((r) => r.route === k.route && r.field === k.field)) : noise;
  }
  return out;
}

/** A stored difference with what applies to it now: the rule hiding it and its field's verdict. */
export function presentDifference(analysis: RunAnalysis, ignorer: ReturnType<typeof createFieldIgnorer>, d: StoredDifference) {
  return {
    ...d,
    ignoredBy: d.ignoredBy ?? ignorer.ruleFor(d.route, d.field) ?? null,
    verdict: analysis.byField.get(fieldKey(d.route, d.field))?.classification.verdict ?? null,
  };
}

/** Differences of a run, filtered and cursor-paged. */
export function differenceHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/runs/:run/differences',
      operationId: 'listDifferences',
      summary: 'Differences of a run, filtered, in pages that stay stable while new ones are stored',
      tag: 'differences',
      params: z.strictObject({ run: runParam }),
      query: differencesQuery,
      responses: { 200: { description: 'one page', schema: differencePageSchema } },
      handle: async ({ params, query }) => {
        const run = await requireRun(ctx.pool, params.run);
        const after = query.cursor ? decodeCursor(query.cursor, cursorSchema) : undefined;
        const analysis = await analyseRun(ctx, run, { countExchanges: false });
        const filters = fieldFilters(analysis, query);
        const page = await listDifferences(ctx.pool, {
          runId: run.id,
          limit: query.limit,
          ...(after ? { after: { tx: after.t, id: after.i } } : {}),
          ...(query.route ? { route: query.route } : {}),
          ...(query.field ? { field: query.field } : {}),
          ...(query.kind ? { kind: query.kind } : {}),
          ...(query.side ?? filters.side ? { side: query.side ?? filters.side } : {}),
          ...(query.from ? { from: query.from } : {}),
          ...(query.to ? { to: query.to } : {}),
          ...(filters.onlyFields ? { onlyFields: filters.onlyFields } : {}),
          ...(filters.exceptFields ? { exceptFields: filters.exceptFields } : {}),
          includeIgnored: query.includeIgnored ?? query.verdict === 'ignored',
        });
        const ignorer = createFieldIgnorer([...ctx.configuredRules, ...run.rules]);
        return {
          status: 200,
          body: {
            run: { id: run.id, name: run.name },
            items: page.items.map((d) => presentDifference(analysis, ignorer, d)),
            nextCursor: page.next ? encodeCursor({ t: page.next.tx, i: page.next.id }) : null,
            hasMore: page.hasMore,
          },
        };
      },
    }),
  ];
}
