import type { z } from 'zod';
import { BadRequestError } from '@shadowdiff/core';

/** Validates query or path parameters; a bad one is a 400 naming the parameter. */
export function parseParams<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `parameter '${issue.path.join('.') || '?'}': ${issue.message}`);
  throw new BadRequestError(problems.join('; '));
}

/** Opaque page cursors: clients pass back what they were given, nothing else. */
export function encodeCursor(after: number): string {
  return Buffer.from(JSON.stringify({ a: after })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof value.a === 'number' && Number.isSafeInteger(value.a) && value.a >= 0) return value.a;
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError("parameter 'cursor': not a cursor returned by this API");
}
