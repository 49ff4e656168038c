import { z } from 'zod';
import { NotFoundError } from '@shadowdiff/core';
import { listRouteTraffic } from '@shadowdiff/store';
import { summariseRoutes } from '../analysis/route-summary.ts';
import { listFieldItems } from '../analysis/field-items.ts';
import { analyseRun } from '../analysis/run-analysis.ts';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { runParam } from '../params.ts';
import { fieldListSchema, routeListSchema } from '../schemas/responses.ts';
import { requireRun, runLink } from './run-lookup.ts';

const verdicts = z.enum(['real', 'noise', 'expected', 'ignored', 'insufficient_data']);

/** The routes of a run and the fields of each (published under /runs/:run/endpoints). */
export function routeHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/runs/:run/endpoints',
      operationId: 'listEndpoints',
      summary: 'Per route: exchanges, real differences, status mismatches, candidate errors, latency',
      description:
        'Real differences exclude fields hidden by rules (including rules added after the exchanges were stored), fields triaged as noise or expected, and fields the secondary shows to be noise.',
      tag: 'endpoints',
      params: z.strictObject({ run: runParam }),
      responses: { 200: { description: 'the routes, busiest first', schema: routeListSchema } },
      handle: async ({ params }) => {
        const run = await requireRun(ctx.pool, params.run);
        // The latency sketches do not depend on the analysis: both read at once.
        const [analysis, traffic] = await Promise.all([analyseRun(ctx, run), listRouteTraffic(ctx.pool, run.id, ctx.latencySketches)]);
        const { overall, routes } = await summariseRoutes(ctx, analysis, traffic);
        const items = routes.map((e) => ({
          ...e,
          links: {
            fields: runLink(run, 'endpoints', encodeURIComponent(e.route), 'fields'),
            differences: `${runLink(run, 'differences')}?route=${encodeURIComponent(e.route)}`,
          },
        }));
        return { status: 200, body: { run: { id: run.id, name: run.name }, overall, items } };
      },
    }),
    defineHandler({
      method: 'get',
      path: '/runs/:run/endpoints/:route/fields',
      operationId: 'listEndpointFields',
      summary: 'Fields of one route: counts, rates, kinds, noise classification with its numbers, example exchanges',
      description: 'The route is URL-encoded as one path segment: GET%20%2Fusers%2F%7Bid%7D.',
      tag: 'endpoints',
      params: z.strictObject({ run: runParam, route: z.string().min(1).max(1000).describe('the route, e.g. GET /users/{id}') }),
      query: z.strictObject({
        verdict: verdicts.optional().describe('only fields with this verdict'),
        examples: z.coerce.number().int().min(0).max(5).default(3).describe('example exchange ids per field (at most 5 are kept)'),
      }),
      responses: { 200: { description: 'the fields, most differing first', schema: fieldListSchema } },
      handle: async ({ params, query }) => {
        const run = await requireRun(ctx.pool, params.run);
        const analysis = await analyseRun(ctx, run, { countExchanges: false });
        const stats = analysis.routes.find((r) => r.route === params.route);
        if (!stats) throw new NotFoundError(`run '${run.name}' has no exchanges on route '${params.route}'`);
        const items = (await listFieldItems(ctx, analysis, params.route, query.examples))
          .filter((f) => !query.verdict || f.classification.verdict === query.verdict)
          .map(({ route: _route, ...item }) => item);
        return { status: 200, body: { run: { id: run.id, name: run.name }, route: params.route, exchanges: stats.exchanges, items } };
      },
    }),
  ];
}
