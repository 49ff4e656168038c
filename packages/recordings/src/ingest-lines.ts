/**
 * What the ingest API takes, one JSON value per line (NDJSON): whole exchanges captured elsewhere
 * (a gateway, a test harness, another shadowdiff's export), or one side's half of an exchange
 * (Envoy's tap on each side of a mirror), joined as the mesh recorders join theirs.
 */
import { z } from 'zod';
import { capturedRequestSchema, capturedResponseSchema, captureSchema } from '@shadowdiff/core';
import { EXPORT_FORMAT } from './export-lines.ts';

const runName = z.string().min(1).max(100).describe('the run it is filed under (default: the `run` query parameter)');

/**
 * One exchange: shadowdiff's export line with `key` in place of `id`. The key makes a retried
 * upload count once: the capture id is derived from the run, the key and the day of `capturedAt`.
 */
export const ingestExchangeLineSchema = captureSchema
  .omit({ id: true, run: true, source: true })
  .extend({
    key: z.string().min(1).max(200).describe("the client's key of the exchange: sending it again to the same run with a capturedAt on the same UTC day stores it once"),
    run: runName.optional(),
    format: z.literal(EXPORT_FORMAT).optional(),
  });
export type IngestExchangeLine = z.input<typeof ingestExchangeLineSchema>;

/** One side's half of an exchange, joined with the other side's by `requestId` within a run. */
export const ingestHalfLineSchema = z
  .object({
    side: z.enum(['primary', 'candidate']),
    requestId: z.string().min(1).max(200).describe('the x-request-id both halves carry: the join key'),
    run: runName.optional(),
    capturedAt: z.iso.datetime(),
    request: capturedRequestSchema.optional().describe("the request, on the primary's half (the candidate's copy is not kept)"),
    response: capturedResponseSchema,
  })
  .refine((half) => half.side !== 'primary' || half.request !== undefined, { message: "the primary's half must carry the request", path: ['request'] });
export type IngestHalfLine = z.input<typeof ingestHalfLineSchema>;
