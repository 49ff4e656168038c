import type { z } from 'zod';
import { nulPath } from '../http/parse-input.ts';

/** A line the ingest endpoints refused, numbered from 1 as an editor numbers it. */
export interface LineError {
  line: number;
  reason: string;
}

/** A line that parsed and matched its schema. */
export interface GoodLine<T> {
  line: number;
  value: T;
}

const MAX_ISSUES = 5;

function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => `${issue.path.map(String).join('.') || '(the line)'}: ${issue.message}`);
  const more = error.issues.length - MAX_ISSUES;
  return more > 0 ? `${issues.join('; ')}; and ${more} more` : issues.join('; ');
}

/**
 * Reads JSON lines: each non-blank line must be one JSON value that `schema` accepts. Lines are
 * judged one by one, so the good ones can be kept whatever the bad ones hold.
 */
export function readJsonLines<T extends z.ZodType>(body: Buffer, schema: T): { good: GoodLine<z.output<T>>[]; errors: LineError[] } {
  const good: GoodLine<z.output<T>>[] = [];
  const errors: LineError[] = [];
  const lines = body.toString('utf8').split('\n');
  for (const [i, text] of lines.entries()) {
    if (text.trim() === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      errors.push({ line, reason: `not valid JSON (${(error as Error).message})` });
      continue;
    }
    // Postgres refuses U+0000 in text: refused here, by name, rather than dead-lettered later.
    const nul = nulPath(value);
    if (nul !== undefined) {
      errors.push({ line, reason: `${nul.join('.') || '(the line)'}: must not contain the NUL character (U+0000)` });
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) good.push({ line, value: parsed.data });
    else errors.push({ line, reason: describeIssues(parsed.error) });
  }
  return { good, errors };
}
