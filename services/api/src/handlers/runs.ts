import { z } from 'zod';
import { ConflictError } from '@shadowdiff/core';
import { diffRuleSchema, runNameSchema } from '@shadowdiff/config';
import { closeRun, createRun, listRuns, setRunKept, updateRun, type Run } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import { runFigures, runGate } from '../gate/run-gate.ts';
import { gateThresholdsSchema } from '../gate/thresholds.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { runParam } from '../params.ts';
import { runDetailSchema, runListSchema, runSchema } from '../schemas/responses.ts';
import { checkRules, requireRun, written } from './run-lookup.ts';

/** Names as the tap files captures under them (`--run`). */
const label = z.string().min(1).max(200);

const createBody = z.strictObject({
  name: runNameSchema,
  service: label.optional(),
  primaryLabel: label.optional().describe('the production version, e.g. v41'),
  candidateLabel: label.optional().describe('the version under validation, e.g. v42'),
  rules: z.array(diffRuleSchema).max(500).optional(),
  thresholds: gateThresholdsSchema.optional(),
});

const patchBody = z.strictObject({
  service: label.nullable().optional(),
  primaryLabel: label.nullable().optional(),
  candidateLabel: label.nullable().optional(),
  thresholds: gateThresholdsSchema.optional(),
});

const runPath = z.strictObject({ run: runParam });

/** A run's real-difference rate and gate verdict; a run whose gate cannot be evaluated shows none. */
async function summaryOf(ctx: ApiContext, run: Run): Promise<{ realDifferenceRate: number | null; verdict: 'pass' | 'fail' | null }> {
  try {
    const figures = await runFigures(ctx, run);
    const gate = await runGate(ctx, run, {}, figures);
    return { realDifferenceRate: figures.overall.exchanges === 0 ? null : figures.overall.differenceRate, verdict: gate.verdict };
  } catch (error) {
    ctx.logger.warn({ run: run.name, err: (error as Error).message }, 'run summary not available');
    return { realDifferenceRate: null, verdict: null };
  }
}

type ResultLag = { seconds: number; behind: boolean; warning: string | null } | null;

/** How far an active run's results lag its traffic, read once for a whole answer. */
async function resultLagOf(ctx: ApiContext): Promise<(run: Run) => ResultLag> {
  const status = await ctx.pipeline?.status().catch(() => undefined);
  if (!status) return () => null;
  const lag: ResultLag = { seconds: (status.backlog.oldestWaitingMs ?? 0) / 1000, behind: status.behind, warning: ctx.pipeline!.lagWarning(status) };
  return (run) => (run.state === 'active' ? lag : null);
}

/** Runs: list, create, read, describe, close, keep. */
export function runHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/runs',
      operationId: 'listRuns',
      summary: 'Every run, newest first, with its exchange totals',
      description:
        'With summary=true each run also carries its real-difference rate and gate verdict (evaluated now, with its stored thresholds). An active run says how far its results lag its traffic (resultLag).',
      tag: 'runs',
      query: z.strictObject({ summary: z.enum(['true', 'false']).default('false').describe('add real-difference rate and gate verdict') }),
      responses: { 200: { description: 'the runs', schema: runListSchema } },
      handle: async ({ query }) => {
        const [runs, lagOf] = await Promise.all([listRuns(ctx.pool), resultLagOf(ctx)]);
        if (query.summary !== 'true') return { status: 200, body: { items: runs.map((run) => ({ ...run, resultLag: lagOf(run) })) } };
        const items = [];
        for (const run of runs) items.push({ ...run, resultLag: lagOf(run), ...(await summaryOf(ctx, run)) });
        return { status: 200, body: { items } };
      },
    }),
    defineHandler({
      method: 'post',
      path: '/runs',
      operationId: 'createRun',
      summary: 'Create a run before sending traffic under its name',
      tag: 'runs',
      body: createBody,
      responses: { 201: { description: 'the new run', schema: runSchema }, 409: { description: 'the name is taken' } },
      handle: async ({ body }) => {
        if (body.rules) checkRules(ctx.configuredRules, body.rules);
        const run = await createRun(ctx.pool, body.name, body);
        if (!run) throw new ConflictError(`a run named '${body.name}' exists`);
        return { status: 201, body: run };
      },
    }),
    defineHandler({
      method: 'get',
      path: '/runs/:run',
      operationId: 'getRun',
      summary: 'One run by id or name',
      description: 'An active run says how far its results lag its traffic (resultLag).',
      tag: 'runs',
      params: runPath,
      responses: { 200: { description: 'the run', schema: runDetailSchema } },
      handle: async ({ params }) => {
        const [run, lagOf] = await Promise.all([requireRun(ctx.pool, params.run), resultLagOf(ctx)]);
        return { status: 200, body: { ...run, resultLag: lagOf(run) } };
      },
    }),
    defineHandler({
      method: 'patch',
      path: '/runs/:run',
      operationId: 'updateRun',
      summary: "Change a run's description or gate thresholds",
      tag: 'runs',
      params: runPath,
      body: patchBody,
      responses: { 200: { description: 'the run', schema: runSchema } },
      handle: async ({ params, body }) => {
        const run = await requireRun(ctx.pool, params.run);
        return { status: 200, body: written(await updateRun(ctx.pool, run.id, body), run) };
      },
    }),
    defineHandler({
      method: 'post',
      path: '/runs/:run/close',
      operationId: 'closeRun',
      summary: 'Close a run (its figures stay readable)',
      tag: 'runs',
      params: runPath,
      responses: { 200: { description: 'the closed run', schema: runSchema } },
      handle: async ({ params }) => {
        const run = await requireRun(ctx.pool, params.run);
        return { status: 200, body: written(await closeRun(ctx.pool, run.id), run) };
      },
    }),
    ...(['put', 'delete'] as const).map((method) =>
      defineHandler({
        method,
        path: '/runs/:run/keep',
        operationId: method === 'put' ? 'keepRun' : 'unkeepRun',
        summary: method === 'put' ? 'Keep a run (a baseline): pruning never removes its exchanges' : 'No longer keep a run: pruning removes its old exchanges again',
        tag: 'runs',
        params: runPath,
        responses: { 200: { description: 'the run', schema: runSchema } },
        handle: async ({ params }) => {
          const run = await requireRun(ctx.pool, params.run);
          return { status: 200, body: written(await setRunKept(ctx.pool, run.id, method === 'put'), run) };
        },
      }),
    ),
  ];
}
