import { z } from 'zod';
import { analyseRun } from '../analysis/run-analysis';
import { runFindings } from '../analysis/run-findings';
import type { ApiContext } from '../context';
import { defineEndpoint, type EndpointSpec } from '../http/endpoint';
import { runParam } from '../params';
import { findingListSchema } from '../schemas/responses';
import { requireRun, runLink } from './run-lookup';

/** A run's findings: what changed, grouped by root cause. */
export function findingEndpoints(ctx: ApiContext): EndpointSpec[] {
  return [
    defineEndpoint({
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
  ];
}
