import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandler } from './handler.ts';

// The type checker (`npm run typecheck`) is what these tests exercise: each `@ts-expect-error`
// is a body or status that must not compile, and fails the check once it does.
const item = z.object({ id: z.string(), count: z.number() });
const base = { method: 'get', path: '/items', operationId: 'listItems', summary: 'items', tag: 'items' } as const;

describe('handler results are held to their response schemas', () => {
  it('accepts a body of its status schema, and no body for a status without one', async () => {
    const spec = defineHandler({
      ...base,
      query: z.strictObject({ gone: z.enum(['true', 'false']) }),
      responses: { 200: { description: 'the item', schema: item }, 204: { description: 'none' } },
      handle: async ({ query }) => (query.gone === 'true' ? { status: 204 } : { status: 200, body: { id: 'a', count: 1 } }),
    });
    expect(await spec.handle({ params: undefined, query: { gone: 'false' }, body: undefined })).toEqual({ status: 200, body: { id: 'a', count: 1 } });
  });

  it('accepts text for a status that lists text types', () => {
    defineHandler({
      ...base,
      responses: { 200: { description: 'the item', schema: item, textTypes: ['text/markdown'] } },
      handle: async () => ({ status: 200, contentType: 'text/markdown', body: '# a' }),
    });
  });

  it('refuses a body its schema does not describe', () => {
    defineHandler({
      ...base,
      responses: { 200: { description: 'the item', schema: item } },
      // @ts-expect-error count must be a number
      handle: async () => ({ status: 200, body: { id: 'a', count: '1' } }),
    });
    defineHandler({
      ...base,
      responses: { 200: { description: 'the item', schema: item } },
      // @ts-expect-error count is missing
      handle: async () => ({ status: 200, body: { id: 'a' } }),
    });
  });

  it('refuses a status that is not documented, and a body on one without a schema', () => {
    defineHandler({
      ...base,
      responses: { 200: { description: 'the item', schema: item }, 204: { description: 'none' } },
      // @ts-expect-error 204 has no body
      handle: async () => ({ status: 204, body: { id: 'a', count: 1 } }),
    });
    defineHandler({
      ...base,
      responses: { 200: { description: 'the item', schema: item } },
      // @ts-expect-error 201 is not documented
      handle: async (_input) => ({ status: 201, body: { id: 'a', count: 1 } }),
    });
    defineHandler({
      ...base,
      responses: { 200: { description: 'the item', schema: item } },
      // @ts-expect-error text is not a documented content type of 200
      handle: async () => ({ status: 200, contentType: 'text/markdown', body: '# a' }),
    });
  });
});
