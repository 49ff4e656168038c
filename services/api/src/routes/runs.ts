import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '@shadowdiff/core';
import { findRun, listDifferences, listRuns, type Pool, type Run } from '@shadowdiff/store';
import { decodeCursor, encodeCursor, parseParams } from '../params';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const differencesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(200).optional(),
  route: z.string().max(1000).optional(),
  field: z.string().max(1000).optional(),
  kind: z.string().max(50).optional(),
  side: z.enum(['candidate', 'secondary']).optional(),
  includeIgnored: z.enum(['true', 'false']).optional(),
});

export async function requireRun(pool: Pool, idOrName: string): Promise<Run> {
  const run = await findRun(pool, idOrName);
  if (!run) throw new NotFoundError(`no run with id or name '${idOrName}'`);
  return run;
}

export function runsRouter(pool: Pool): Router {
  const router = Router();

  router.get('/runs', async (_req, res) => {
    res.json({ items: await listRuns(pool) });
  });

  router.get('/runs/:run', async (req, res) => {
    res.json(await requireRun(pool, req.params.run));
  });

  router.get('/runs/:run/differences', async (req, res) => {
    const query = parseParams(differencesQuery, req.query);
    const run = await requireRun(pool, req.params.run);
    const page = await listDifferences(pool, {
      runId: run.id,
      limit: query.limit,
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      ...(query.route ? { route: query.route } : {}),
      ...(query.field ? { field: query.field } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.side ? { side: query.side } : {}),
      includeIgnored: query.includeIgnored === 'true',
    });
    res.json({ run: { id: run.id, name: run.name }, items: page.items, nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) });
  });

  return router;
}
