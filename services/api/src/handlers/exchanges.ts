import { z } from 'zod';
import { NotFoundError } from '@shadowdiff/core';
import { getExchange } from '@shadowdiff/store';
import { createFieldIgnorer } from '../analysis/read-rules.ts';
import { analyseRun } from '../analysis/run-analysis.ts';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { presentCaptured } from '../present-body.ts';
import { exchangeSchema } from '../schemas/responses.ts';
import { presentDifference } from './differences.ts';
import { requireRun } from './run-lookup.ts';

/** One exchange side by side. */
export function exchangeHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/exchanges/:id',
      operationId: 'getExchange',
      summary: 'The request and every response side by side, with the differences marked',
      tag: 'exchanges',
      params: z.strictObject({ id: z.uuid('must be an exchange id (a UUID)') }),
      responses: { 200: { description: 'the exchange', schema: exchangeSchema } },
      handle: async ({ params }) => {
        const exchange = await getExchange(ctx.pool, params.id);
        if (!exchange) throw new NotFoundError(`no exchange with id '${params.id}'`);
        const run = await requireRun(ctx.pool, exchange.runId);
        const analysis = await analyseRun(ctx, run, { countExchanges: false });
        const ignorer = createFieldIgnorer([...ctx.configuredRules, ...run.rules]);
        const { primary, candidate, secondary } = exchange.responses;
        return {
          status: 200,
          body: {
            ...exchange,
            request: presentCaptured(exchange.request),
            responses: {
              primary: { ...primary, captured: presentCaptured(primary.captured) },
              candidate: { ...candidate, captured: presentCaptured(candidate.captured) },
              secondary: secondary ? { ...secondary, captured: presentCaptured(secondary.captured) } : null,
            },
            differences: exchange.differences.map((d) => presentDifference(analysis, ignorer, d)),
          },
        };
      },
    }),
  ];
}
