import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { capBody } from './captured-bodies.ts';
import { readJsonLines } from './ndjson.ts';

describe('readJsonLines', () => {
  const schema = z.object({ n: z.number() });

  it('judges each line alone, numbering them as an editor does and skipping blank ones', () => {
    const body = Buffer.from(['{"n":1}', '', '{"n":"two"}', 'nope', '{"n":"\\u0000"}', '{"n":5}', '  '].join('\n'));
    const { good, errors } = readJsonLines(body, schema);
    expect(good).toEqual([{ line: 1, value: { n: 1 } }, { line: 6, value: { n: 5 } }]);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(errors[0]!.reason).toMatch(/^n: /);
    expect(errors[1]!.reason).toMatch(/not valid JSON/);
    expect(errors[2]!.reason).toMatch(/NUL/);
  });
});

describe('capBody', () => {
  it('keeps the first bytes of a body over the cap and the size seen, as the tap does', () => {
    const body = { base64: Buffer.from('x'.repeat(100)).toString('base64'), size: 100, truncated: false };
    capBody(body, 40);
    expect(body).toEqual({ base64: Buffer.from('x'.repeat(40)).toString('base64'), size: 100, truncated: true });
    const small = { base64: Buffer.from('short').toString('base64'), size: 5, truncated: false };
    capBody(small, 40);
    expect(small.truncated).toBe(false);
  });
});
