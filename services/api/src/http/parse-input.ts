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

/**
 * The path of the first string (value or key) holding U+0000 in `input`, or undefined. Postgres refuses that
 * character in text, so it is refused here, by name. Iterative: a body may nest deeply.
 */
export function nulPath(input: unknown): (string | number)[] | undefined {
  const stack: [unknown, (string | number)[]][] = [[input, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, [...path, i]]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return [...path, key];
        stack.push([item, [...path, key]]);
      }
    }
  }
  return undefined;
}

/** Validates one part of a request; a bad value is a 400 that names every bad parameter. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: InputLocation): z.output<T> {
  const nul = nulPath(input);
  if (nul !== undefined) {
    // A query or path parameter is named as sent (a repeated one is a list); a body field by its path.
    const name = where === 'body' ? nul.join('.') || '(whole body)' : String(nul[0] ?? '');
    throw new BadRequestError(`parameter '${name}' (${where}): must not contain the NUL character (U+0000)`);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new BadRequestError(result.error.issues.flatMap((issue) => describeIssue(issue, where)).join('; '));
}
