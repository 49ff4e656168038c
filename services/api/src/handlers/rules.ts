import { z } from 'zod';
import { diffRuleSchema } from '@shadowdiff/config';
import { BadRequestError, ConflictError, NotFoundError } from '@shadowdiff/core';
import { changeRunRules, clearTriage, listTriage, setTriage, TRIAGE_STATES } from '@shadowdiff/store';
import { NEVER_NOISE_FIELDS } from '../analysis/classify.ts';
import { analyseRun, classificationOf } from '../analysis/run-analysis.ts';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { runParam } from '../params.ts';
import { rulesSchema, triageSchema } from '../schemas/responses.ts';
import { checkRules, requireRun, written } from './run-lookup.ts';

const runPath = z.strictObject({ run: runParam });
const fieldRef = {
  route: z.string().min(1).max(1000).describe('the route, e.g. GET /users/{id}'),
  field: z.string().min(1).max(1000).describe('the field template, e.g. body.updatedAt'),
};
const triageBody = z.strictObject({
  ...fieldRef,
  state: z.enum(TRIAGE_STATES).describe('noise: nondeterminism; expected: an intended change; real: a real difference, whatever an earlier run taught'),
  reason: z.string().trim().min(1).max(2000),
});

const nameOf = (rule: unknown): unknown => (rule as { name?: unknown } | null)?.name;

/** A run's rules and triage marks; changes apply to what is read at once, and to new exchanges within seconds. */
export function ruleHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/runs/:run/rules',
      operationId: 'listRules',
      summary: "The run's rules, the configured ones, and the triage marks",
      tag: 'rules',
      params: runPath,
      responses: { 200: { description: 'rules and marks', schema: rulesSchema } },
      handle: async ({ params }) => {
        const run = await requireRun(ctx.pool, params.run);
        const triage = await listTriage(ctx.pool, run.id);
        return { status: 200, body: { run: { id: run.id, name: run.name }, rules: run.rules, configured: [...ctx.configuredRules], triage } };
      },
    }),
    defineHandler({
      method: 'post',
      path: '/runs/:run/rules',
      operationId: 'addRule',
      summary: 'Add a rule to a run',
      description:
        'ignoreField and ignoreHeader rules apply at once to everything already stored; value rules (tolerance, format, subset, arrays) apply to exchanges diffed from then on.',
      tag: 'rules',
      params: runPath,
      body: diffRuleSchema,
      responses: { 201: { description: "the run's rules", schema: rulesSchema }, 409: { description: 'a rule of that name exists' } },
      handle: async ({ params, body }) => {
        const run = await requireRun(ctx.pool, params.run);
        const rules = written(
          await changeRunRules(ctx.pool, run.id, (current) => {
            if ([...ctx.configuredRules, ...current].some((r) => nameOf(r) === body.name)) {
              throw new ConflictError(`a rule named '${body.name}' exists for run '${run.name}'`);
            }
            const next = [...current, body];
            checkRules(ctx.configuredRules, next);
            return next;
          }),
          run,
        );
        const triage = await listTriage(ctx.pool, run.id);
        return { status: 201, body: { run: { id: run.id, name: run.name }, rules, configured: [...ctx.configuredRules], triage } };
      },
    }),
    defineHandler({
      method: 'delete',
      path: '/runs/:run/rules/:name',
      operationId: 'removeRule',
      summary: 'Remove a rule from a run',
      tag: 'rules',
      params: z.strictObject({ run: runParam, name: z.string().min(1).max(200) }),
      responses: { 204: { description: 'removed' } },
      handle: async ({ params }) => {
        const run = await requireRun(ctx.pool, params.run);
        let found = false;
        await changeRunRules(ctx.pool, run.id, (current) => {
          const next = current.filter((r) => nameOf(r) !== params.name);
          found = next.length < current.length;
          return next;
        });
        if (!found) throw new NotFoundError(`run '${run.name}' has no rule named '${params.name}'`);
        return { status: 204 };
      },
    }),
    defineHandler({
      method: 'get',
      path: '/runs/:run/triage',
      operationId: 'listTriage',
      summary: 'Fields marked as noise or expected',
      tag: 'rules',
      params: runPath,
      responses: { 200: { description: 'the marks', schema: z.object({ items: z.array(triageSchema) }) } },
      handle: async ({ params }) => {
        const run = await requireRun(ctx.pool, params.run);
        return { status: 200, body: { items: await listTriage(ctx.pool, run.id) } };
      },
    }),
    defineHandler({
      method: 'put',
      path: '/runs/:run/triage',
      operationId: 'markField',
      summary: 'Mark a field of a route as noise, expected or real, with a reason',
      description: 'Status and outcome differences are never noise; they may be marked expected.',
      tag: 'rules',
      params: runPath,
      body: triageBody,
      responses: { 200: { description: 'the mark and the field classification it gives', schema: z.object({ triage: triageSchema, classification: z.unknown() }) } },
      handle: async ({ params, body }) => {
        if (body.state === 'noise' && NEVER_NOISE_FIELDS.has(body.field)) {
          throw new BadRequestError(`parameter 'field' (body): ${body.field} differences are never noise; mark them expected if intended`);
        }
        const run = await requireRun(ctx.pool, params.run);
        const triage = await setTriage(ctx.pool, run.id, body);
        const classification = classificationOf(await analyseRun(ctx, run, { countExchanges: false }), body.route, body.field) ?? null;
        return { status: 200, body: { triage, classification } };
      },
    }),
    defineHandler({
      method: 'delete',
      path: '/runs/:run/triage',
      operationId: 'unmarkField',
      summary: "Remove a field's mark",
      tag: 'rules',
      params: runPath,
      query: z.strictObject(fieldRef),
      responses: { 204: { description: 'removed' } },
      handle: async ({ params, query }) => {
        const run = await requireRun(ctx.pool, params.run);
        if (!(await clearTriage(ctx.pool, run.id, query.route, query.field))) {
          throw new NotFoundError(`run '${run.name}' has no mark on ${query.route} ${query.field}`);
        }
        return { status: 204 };
      },
    }),
  ];
}
