import { z } from 'zod';
import { DependencyError } from '@shadowdiff/core';
import { ingestExchangeLineSchema, ingestHalfLineSchema } from '@shadowdiff/recordings';
import type { ApiContext } from '../context.ts';
import { defineHandler, rawBody, type HandlerSpec } from '../http/handler.ts';
import type { Ingest } from '../ingest/ingest.ts';
import { ingestResultSchema } from '../schemas/ingest.ts';

const query = z.strictObject({ run: z.string().min(1).max(200).optional().describe('the run of lines that name none') });

const answers = {
  202: { description: 'the good lines were taken, the others refused with their line number and why', schema: ingestResultSchema },
  413: { description: 'the body is larger than api.ingest.maxBodyBytes: nothing was taken' },
  429: { description: 'the capture queue is at its bound (tap.maxQueuedBatches): nothing was taken; retry after the Retry-After seconds' },
  503: { description: 'the capture queue (Redis) is unavailable: nothing was taken' },
};

/** Exchanges captured elsewhere (a gateway, a test harness, Envoy's tap) filed under a run like live traffic. */
export function ingestHandlers(ctx: ApiContext): HandlerSpec[] {
  const ingest = (): Ingest => {
    if (!ctx.ingest) throw new DependencyError('this API cannot ingest: it has no capture queue (start it with REDIS_URL; shadowdiff up does) or no redaction key (its log says why)');
    return ctx.ingest;
  };
  return [
    defineHandler({
      method: 'post',
      path: '/ingest/exchanges',
      operationId: 'ingestExchanges',
      summary: 'File exchanges captured elsewhere: a request with the primary, candidate (and secondary) responses',
      description:
        "One exchange per line, shaped as `shadowdiff export` writes them with a client `key` in place of `id`: the same key sent again to the same run is stored once. Bodies are cut at tap.maxBodyBytes and redacted with the taps' key and rules before they are queued.",
      tag: 'ingest',
      query,
      body: rawBody,
      ndjsonLines: ingestExchangeLineSchema,
      responses: answers,
      handle: async ({ query, body }) => ({ status: 202, body: await ingest().exchanges(body, query.run) }),
    }),
    defineHandler({
      method: 'post',
      path: '/ingest/halves',
      operationId: 'ingestHalves',
      summary: "File one side's half of exchanges, joined with the other side's by request id",
      description:
        "One half per line: the side (primary or candidate), its x-request-id, its response, and on the primary's half the request. Halves are joined as the mesh recorders join theirs (same Redis keys and join window, tap.recorder.joinWindowMs), so a posted half pairs with a recorder's too; a half whose partner does not come in time is counted unmatched.",
      tag: 'ingest',
      query,
      body: rawBody,
      ndjsonLines: ingestHalfLineSchema,
      responses: answers,
      handle: async ({ query, body }) => ({ status: 202, body: await ingest().halves(body, query.run) }),
    }),
  ];
}
