import { z } from 'zod';
import { listDeadLetters } from '@shadowdiff/store';
import type { ApiContext } from '../context.ts';
import { defineHandler, type HandlerSpec } from '../http/handler.ts';
import { booleanParam, decodeCursor, encodeCursor, pageParams } from '../params.ts';
import { deadLetterPageSchema } from '../schemas/responses.ts';

const cursorSchema = z.strictObject({ b: z.number().int().positive() });

/** Captures that could not be processed. */
export function deadLetterHandlers(ctx: ApiContext): HandlerSpec[] {
  return [
    defineHandler({
      method: 'get',
      path: '/dead-letters',
      operationId: 'listDeadLetters',
      summary: 'Captures that could not be processed, newest first, with the reason',
      tag: 'dead letters',
      query: z.strictObject({
        ...pageParams,
        run: z.string().min(1).max(200).optional().describe('only captures filed under this run name'),
        payload: booleanParam.optional().describe('include the captured payload'),
      }),
      responses: { 200: { description: 'one page', schema: deadLetterPageSchema } },
      handle: async ({ query }) => {
        const before = query.cursor ? decodeCursor(query.cursor, cursorSchema).b : undefined;
        const page = await listDeadLetters(ctx.pool, {
          limit: query.limit,
          ...(before ? { before } : {}),
          ...(query.run ? { runName: query.run } : {}),
          withPayload: query.payload ?? false,
        });
        const last = page.items.at(-1);
        return { status: 200, body: { items: page.items, nextCursor: page.hasMore && last ? encodeCursor({ b: last.id }) : null, hasMore: page.hasMore } };
      },
    }),
  ];
}
