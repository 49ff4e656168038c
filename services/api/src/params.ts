import { z } from 'zod';
import { BadRequestError } from '@shadowdiff/core';

/** Default and largest page sizes of every paged list. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `limit` and `cursor` of a paged list. */
export const pageParams = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE).describe(`page size, at most ${MAX_PAGE_SIZE}`),
  cursor: z.string().min(1).max(300).optional().describe('the nextCursor of the previous page'),
};

/** A run by id or by name. */
export const runParam = z.string().min(1).max(200).describe('run id or name');

/** Opaque page cursors: clients pass back what they were given, nothing else. */
export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Reads a cursor made by `encodeCursor`; anything else is a 400 naming `cursor`. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError("parameter 'cursor' (query): not a cursor returned by this API");
}

/** `true`/`false` in a query string. */
export const booleanParam = z.enum(['true', 'false']).transform((value) => value === 'true');
