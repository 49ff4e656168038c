import { z } from 'zod';
import { EXPORT_FORMAT, type ExportLine } from '@shadowdiff/recordings';
import { listExportRows, type ExportRow } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { exportPageSchema } from '../schemas/export-page.ts';
import { requireRun } from './run-lookup.ts';

function lineOf(run: string, row: ExportRow): ExportLine {
  return {
    format: EXPORT_FORMAT,
    id: row.id,
    run,
    capturedAt: row.capturedAt,
    request: row.request as ExportLine['request'],
    ...(row.primary ? { primary: row.primary as ExportLine['primary'] } : {}),
    ...(row.candidate ? { candidate: row.candidate as ExportLine['candidate'] } : {}),
    ...(row.secondary ? { secondary: row.secondary as ExportLine['secondary'], secondaryKind: row.secondaryKind ?? 'secondary' } : {}),
  };
}

/** A run's stored exchanges, page by page, as shadowdiff's export lines (`shadowdiff export`, `replay --from-run`). */
export function exportHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/runs/:run/export',
      operationId: 'exportRun',
      summary: "A page of the run's exchanges as export lines, in capture order",
      tag: 'exchanges',
      params: z.strictObject({ run: z.string().min(1) }),
      query: z.strictObject({
        after: z.uuid('must be an exchange id (a UUID): the `next` of the previous page').optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(500),
        route: z.string().min(1).optional(),
      }),
      responses: { 200: { description: 'the page', schema: exportPageSchema } },
      handle: async ({ params, query }) => {
        const run = await requireRun(ctx.pool, params.run);
        const rows = await listExportRows(ctx.pool, run.id, { limit: query.limit, ...(query.after ? { after: query.after } : {}), ...(query.route ? { route: query.route } : {}) });
        const withRequest = rows.filter((row) => row.request !== null);
        return {
          status: 200,
          body: {
            items: withRequest.map((row) => lineOf(run.name, row)),
            withoutRequest: rows.length - withRequest.length,
            next: rows.length === query.limit ? rows.at(-1)!.id : null,
          },
        };
      },
    }),
  ];
}
