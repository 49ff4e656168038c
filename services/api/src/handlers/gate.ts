import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { renderGateJunit } from '../gate/junit.ts';
import { renderGateMarkdown } from '../gate/markdown.ts';
import { runGate } from '../gate/run-gate.ts';
import { gateThresholdsSchema } from '../gate/thresholds.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { runParam } from '../params.ts';
import { buildReport } from '../report/build-report.ts';
import { renderReportHtml } from '../report/render-html.ts';
import { renderReportMarkdown } from '../report/render-markdown.ts';
import { gateResultSchema, releaseReportSchema } from '../schemas/gate.ts';
import { requireRun } from './run-lookup.ts';

const runPath = z.strictObject({ run: runParam });
const baseline = z.string().min(1).max(200).describe('id or name of an earlier run: fields that differ now but not there are called out');

/** The gate and the release validation report. */
export function gateHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'post',
      path: '/runs/:run/gate',
      operationId: 'evaluateGate',
      // Judging changes nothing: a CI job with a read token runs the gate.
      scope: 'read',
      summary: 'Judge a run against thresholds: pass or fail, every reason, the numbers behind it',
      description: "Thresholds: the defaults, then the run's stored thresholds, then the ones posted here.",
      tag: 'gate',
      params: runPath,
      query: z.strictObject({ format: z.enum(['json', 'junit', 'markdown']).default('json') }),
      body: z.strictObject({ thresholds: gateThresholdsSchema.optional(), baseline: baseline.optional() }),
      responses: { 200: { description: 'the verdict (failing is still a 200)', schema: gateResultSchema, textTypes: ['application/xml', 'text/markdown'] } },
      handle: async ({ params, query, body }) => {
        const run = await requireRun(ctx.pool, params.run);
        const result = await runGate(ctx, run, body);
        if (query.format === 'junit') return { status: 200, contentType: 'application/xml; charset=utf-8', body: renderGateJunit(result) };
        if (query.format === 'markdown') return { status: 200, contentType: 'text/markdown; charset=utf-8', body: renderGateMarkdown(result) };
        return { status: 200, body: result };
      },
    }),
    defineHandler({
      method: 'get',
      path: '/runs/:run/report',
      operationId: 'getReport',
      summary: 'The release validation report: verdict, endpoints, top fields, status matrix, latency, schema drift, noise',
      description: 'html is one self-contained file (inline CSS and SVG charts), readable when opened from disk.',
      tag: 'gate',
      params: runPath,
      query: z.strictObject({ format: z.enum(['json', 'markdown', 'html']).default('json'), baseline: baseline.optional() }),
      responses: { 200: { description: 'the report', schema: releaseReportSchema, textTypes: ['text/markdown', 'text/html'] } },
      handle: async ({ params, query }) => {
        const run = await requireRun(ctx.pool, params.run);
        const report = await buildReport(ctx, run, query.baseline ? { baseline: query.baseline } : {});
        if (query.format === 'html') return { status: 200, contentType: 'text/html; charset=utf-8', body: renderReportHtml(report) };
        if (query.format === 'markdown') return { status: 200, contentType: 'text/markdown; charset=utf-8', body: renderReportMarkdown(report) };
        return { status: 200, body: report };
      },
    }),
  ];
}
