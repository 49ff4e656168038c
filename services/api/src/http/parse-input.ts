import type { z } from 'zod';
import { BadRequestError } from '@shadowdiff/core';

/** Where an input value came from, as named in error messages. */
export type InputLocation = 'path' | 'query' | 'body';

function describeIssue(issue: z.core.$ZodIssue, where: InputLocation): string[] {
  const base = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `parameter '${base ? `${base}.${key}` : key}' (${where}): not a known parameter`);
  }
  return [`parameter '${base || '(whole body)'}' (${where}): ${issue.message}`];
}

/** Validates one part of a request; a bad value is a 400 that names every bad parameter. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: InputLocation): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new BadRequestError(result.error.issues.flatMap((issue) => describeIssue(issue, where)).join('; '));
}
