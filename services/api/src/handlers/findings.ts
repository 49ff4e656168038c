import { z } from 'zod';
import { BadRequestError, NotFoundError } from '@shadowdiff/core';
import { setTriage, TRIAGE_STATES } from '@shadowdiff/store';
import { NEVER_NOISE_FIELDS } from '../analysis/classify.ts';
import { compareFindings } from '../analysis/compare-findings.ts';
import { analyseRun } from '../analysis/run-analysis.ts';
import { runFindings } from '../analysis/run-findings.ts';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { runParam } from '../params.ts';
import { findingComparisonSchema, findingListSchema } from '../schemas/findings.ts';
import { triageSchema } from '../schemas/responses.ts';
import { requireRun, runLink } from './run-lookup.ts';

/** A run's findings: what changed, grouped by root cause. */
export function findingHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/runs/:run/findings',
      operationId: 'listFindings',
      summary: 'What changed, grouped: differences of the same exchanges as one finding, status first, renames, one finding across routes',
      description:
        "A status change takes in the body and header differences of its exchanges. A field removed and another added with equal values is a rename. Each finding's fields link to the fields and differences views.",
      tag: 'endpoints',
      params: z.strictObject({ run: runParam }),
      responses: { 200: { description: 'the findings, real ones first, then by exchanges', schema: findingListSchema } },
      handle: async ({ params }) => {
        const run = await requireRun(ctx.pool, params.run);
        const findings = await runFindings(ctx, run, await analyseRun(ctx, run, { countExchanges: false }));
        const items = findings.map((f) => ({
          ...f,
          links: { differences: f.fields.map((field) => `${runLink(run, 'differences')}?route=${encodeURIComponent(field.route)}&field=${encodeURIComponent(field.field)}`) },
        }));
        return { status: 200, body: { run: { id: run.id, name: run.name }, items } };
      },
    }),
    defineHandler({
      method: 'get',
      path: '/runs/:run/findings/compare',
      operationId: 'compareFindings',
      summary: "A run's findings against an earlier run's: new, gone, and changed in rate or verdict",
      description:
        'Findings are matched by kind and a field in common, whatever routes they span. A matched finding has changed when its rate moved by 5 points and by a quarter of itself, its verdict flipped, or its fields changed. Noise on either side alone is not news.',
      tag: 'endpoints',
      params: z.strictObject({ run: runParam }),
      query: z.strictObject({ baseline: runParam.describe('id or name of the run to compare with') }),
      responses: { 200: { description: 'the differences between the two runs', schema: findingComparisonSchema } },
      handle: async ({ params, query }) => {
        const [run, baseline] = await Promise.all([requireRun(ctx.pool, params.run), requireRun(ctx.pool, query.baseline)]);
        const findingsOf = async (r: typeof run) => runFindings(ctx, r, await analyseRun(ctx, r, { countExchanges: false }));
        const [before, after] = await Promise.all([findingsOf(baseline), findingsOf(run)]);
        const ref = (r: typeof run) => ({ id: r.id, name: r.name });
        return { status: 200, body: { run: ref(run), baseline: ref(baseline), ...compareFindings(before, after) } };
      },
    }),
    defineHandler({
      method: 'put',
      path: '/runs/:run/findings/:id/triage',
      operationId: 'markFinding',
      summary: 'Mark every field of a finding as noise or as expected, with one reason',
      description:
        "Status and outcome differences are never noise: a finding holding them may be marked expected. Each of its fields then carries its own mark (see the triage list); a status finding's folded fields are left alone, since they may differ in other exchanges too.",
      tag: 'rules',
      params: z.strictObject({ run: runParam, id: z.string().regex(/^[0-9a-f]{16}$/, 'a finding id') }),
      body: z.strictObject({
        state: z.enum(TRIAGE_STATES).exclude(['real']).describe('noise: nondeterminism; expected: an intended change'),
        reason: z.string().trim().min(1).max(2000),
      }),
      responses: { 200: { description: 'the marks set, one per field', schema: z.object({ items: z.array(triageSchema) }) } },
      handle: async ({ params, body }) => {
        const run = await requireRun(ctx.pool, params.run);
        const finding = (await runFindings(ctx, run, await analyseRun(ctx, run, { countExchanges: false }))).find((f) => f.id === params.id);
        if (!finding) throw new NotFoundError(`run '${run.name}' has no finding '${params.id}' (findings change as verdicts do: list them again)`);
        // Its own fields only: a folded field may differ in other exchanges too, which a mark on it would hide.
        const fields = finding.fields;
        if (body.state === 'noise' && fields.some((f) => NEVER_NOISE_FIELDS.has(f.field))) {
          throw new BadRequestError(`parameter 'state' (body): this finding holds ${fields.filter((f) => NEVER_NOISE_FIELDS.has(f.field)).map((f) => f.field).join(', ')}, which is never noise; mark it expected if intended`);
        }
        const items = [];
        for (const f of fields) items.push(await setTriage(ctx.pool, run.id, { route: f.route, field: f.field, state: body.state, reason: body.reason }));
        return { status: 200, body: { items } };
      },
    }),
  ];
}
