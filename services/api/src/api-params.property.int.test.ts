/**
 * Property-based tests of the API's parameters: every query parameter of every GET endpoint (read
 * from the OpenAPI document, so none is forgotten) takes random values, and the answer is a 400
 * naming the parameter, or a 2xx/404 when the value happens to be valid; never a 5xx. Seeds are
 * left to fast-check (printed on failure).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { insertDeadLetters } from '@shadowdiff/store';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { awaitSettled, seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

interface ParamSchema {
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: ParamSchema;
}
interface Operation {
  path: string;
  parameters: Parameter[];
}

/**
 * A query value: `text` is sent percent-encoded as UTF-8 (lone surrogates become U+FFFD on the
 * way, as in any client), `raw` is put in the URL as it is (malformed escapes), `repeated` gives
 * the parameter several times.
 */
type Value = { text: string } | { raw: string } | { repeated: string[] };

const encodeText = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const encodeValue = (value: Value): string[] =>
  'text' in value ? [encodeText(value.text)] : 'raw' in value ? [value.raw] : value.repeated.map(encodeText);

/** Opaque page cursors as a client could forge them: base64url of JSON, sensible or not. */
const cursorArb = fc
  .record(
    {
      t: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String), fc.string({ maxLength: 4 }), fc.integer()),
      i: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 63, -1)),
      b: fc.oneof(fc.integer(), fc.constantFrom(0, 2 ** 53, 2 ** 63, 1e300, 0.5)),
      x: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  )
  .map((position) => Buffer.from(JSON.stringify(position)).toString('base64url'));

const specials = fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\n', "'", '"', "'; SELECT 1; --", '*', '..', '/', '\\', '{id}', 'GET /users/{id}', 'true', 'null', '[]', '{}');
const numberish = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('1e3', '0x10', '0b11', ' 7 ', '+5', 'Infinity', '-0', '9'.repeat(25), '1.0', '1_000', '٣'),
);
const malformed = fc.constantFrom('%', '%zz', '%FF', '%00', '%C0%80', '%ED%A0%80', '%E2%82', 'a%2', '%25', '+', '%2B%');
const instants = fc.constantFrom('0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999+23:59', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01', 'now', '1970-01-01T00:00:00-00:00');

/** Values for one parameter: anything at all, plus values near and inside what its schema allows. */
function valueArb(schema: ParamSchema): fc.Arbitrary<Value> {
  const texts: fc.Arbitrary<string>[] = [fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 20 }), specials, numberish, instants, cursorArb];
  if (schema.enum) {
    const choices = fc.constantFrom(...schema.enum);
    texts.push(choices, choices, choices.map((v) => v.toUpperCase()), choices.map((v) => ` ${v}`));
  }
  if (schema.type === 'integer') {
    const min = schema.minimum ?? -1000;
    const max = schema.maximum ?? 1000;
    texts.push(fc.integer({ min: min - 2, max: max + 2 }).map(String), fc.integer({ min, max }).map(String));
  }
  if (schema.maxLength !== undefined) {
    const max = schema.maxLength;
    texts.push(fc.constantFrom(max - 1, max, max + 1).map((n) => 'a'.repeat(n)));
  }
  if (schema.pattern) texts.push(fc.stringMatching(new RegExp(schema.pattern)), fc.stringMatching(new RegExp(schema.pattern)));
  const text = fc.oneof(...texts);
  return fc.oneof(
    { weight: 8, arbitrary: text.map((t): Value => ({ text: t })) },
    { weight: 1, arbitrary: malformed.map((raw): Value => ({ raw })) },
    { weight: 1, arbitrary: fc.array(text, { minLength: 2, maxLength: 3 }).map((repeated): Value => ({ repeated })) },
  );
}

/** True when the schema says the value is valid: then the answer must be a success. */
function plainlyValid(schema: ParamSchema, value: Value): boolean {
  if (!('text' in value)) return false;
  const text = value.text;
  if (schema.enum) return schema.enum.includes(text);
  if (schema.type === 'integer') {
    return /^\d+$/.test(text) && Number(text) >= (schema.minimum ?? -Infinity) && Number(text) <= (schema.maximum ?? Infinity);
  }
  if (schema.pattern) return new RegExp(schema.pattern).test(text);
  return false;
}

describe('API parameters', () => {
  let db: TestDatabase;
  let api: TestApi;
  let operations: Operation[];
  /** Valid values of every path parameter, so that each endpoint is reached. */
  const pathValues: Record<string, string> = { run: 'params-run', route: 'GET /users/{id}' };

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    const run = await api.call('POST', '/runs', { name: 'params-run', service: 'users' });
    expect(run.status, run.text).toBe(201);
    expect((await api.call('POST', '/runs', { name: 'params-baseline' })).status).toBe(201);
    const ids = await seedExchanges(db.pool, run.body.id, 12, (i) => ({
      withSecondary: i % 2 === 0,
      candidateStatus: i % 4 === 0 ? 500 : 200,
      differences: [{ field: 'body.name' }, ...(i % 3 === 0 ? [{ field: 'body.updatedAt', suspectedNoise: true }] : [])],
    }));
    pathValues.id = ids[0]!;
    await insertDeadLetters(db.pool, [
      { captureId: 'c-1', runName: 'params-run', reason: 'invalid capture', payload: { a: 1 } },
      { captureId: 'c-2', runName: null, reason: 'not JSON', payload: 'x' },
    ]);
    await awaitSettled(db.pool);
    const doc = await api.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    operations = Object.entries(doc.body.paths as Record<string, { get?: { parameters: Parameter[] } }>)
      .filter(([, methods]) => methods.get)
      .map(([path, methods]) => ({ path, parameters: methods.get!.parameters }));
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  /** The endpoint's path with every path parameter filled in, validly unless `override` says otherwise. */
  function pathOf(operation: Operation, override: Record<string, string> = {}): string {
    return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = override[name] ?? pathValues[name];
      if (value === undefined) throw new Error(`no value for path parameter '${name}' of GET ${operation.path}: add one to pathValues`);
      return encodeText(value);
    });
  }

  /** Valid values of the required query parameters, so that each endpoint is reached. */
  const queryValues: Record<string, string> = { baseline: 'params-baseline' };

  /** The required query parameters of the endpoint, valid, except those named in `except` (which the caller sends). */
  function requiredQuery(operation: Operation, except: readonly string[] = []): string {
    return operation.parameters
      .filter((p) => p.in === 'query' && p.required && !except.includes(p.name))
      .map((p) => {
        const value = queryValues[p.name];
        if (value === undefined) throw new Error(`no value for required query parameter '${p.name}' of GET ${operation.path}: add one to queryValues`);
        return `${encodeText(p.name)}=${encodeText(value)}`;
      })
      .join('&');
  }

  /** `path?query`, with the required query parameters added. */
  const withQuery = (operation: Operation, path: string, query = '', sent: readonly string[] = []): string => {
    const all = [query, requiredQuery(operation, sent)].filter((q) => q !== '').join('&');
    return all ? `${path}?${all}` : path;
  };

  /** Sends the request; the answer must be 2xx or 404, or a 400 naming one of `named`, never a 5xx. */
  async function expectHandled(url: string, named: readonly string[], where: 'query' | 'path'): Promise<{ status: number }> {
    const res = await api.call('GET', url);
    const message: unknown = res.body?.error?.message;
    const context = `GET ${url} -> ${res.status} ${res.text.slice(0, 300)}`;
    expect(res.status, context).toBeLessThan(500);
    if (res.status === 400) {
      expect(typeof message === 'string' && named.some((n) => message.includes(`parameter '${n}' (${where})`)), context).toBe(true);
    } else {
      expect(res.status >= 200 && res.status < 300 || res.status === 404, context).toBe(true);
    }
    return res;
  }

  it('the OpenAPI document lists the GET endpoints, and each answers without parameters', async () => {
    expect(operations.map((o) => o.path)).toEqual(expect.arrayContaining(['/runs', '/runs/{run}/differences', '/dead-letters', '/runs/{run}/report']));
    for (const operation of operations) {
      const res = await api.call('GET', withQuery(operation, pathOf(operation)));
      expect(res.status, `GET ${operation.path}: ${res.text.slice(0, 200)}`).toBe(200);
    }
  });

  it('every query parameter of every GET endpoint, one at a time: a 400 naming it, or a 2xx/404 when valid; never a 5xx', async () => {
    const tried: string[] = [];
    for (const operation of operations) {
      for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
        tried.push(`${operation.path} ${parameter.name}`);
        await fc.assert(
          fc.asyncProperty(valueArb(parameter.schema), async (value) => {
            const query = encodeValue(value).map((v) => `${encodeText(parameter.name)}=${v}`).join('&');
            const res = await expectHandled(withQuery(operation, pathOf(operation), query, [parameter.name]), [parameter.name], 'query');
            if (plainlyValid(parameter.schema, value)) {
              expect(res.status, `${operation.path} ${parameter.name}=${JSON.stringify(value)} is valid`).toBeLessThan(300);
            }
          }),
          { numRuns: 25 },
        );
      }
    }
    expect(tried.length).toBeGreaterThanOrEqual(15);
  });

  it('several query parameters at once, repeated or unknown ones among them: a 400 naming one of them, or a 2xx/404', async () => {
    const unknownName = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'limit[]', 'a.b', '', 'LIMIT', 'run '), fc.string({ maxLength: 6 }));
    const requestArb = fc.constantFrom(...operations).chain((operation) => {
      const query = operation.parameters.filter((p) => p.in === 'query');
      const known = query.map((p) => fc.tuple(fc.constant(p.name), valueArb(p.schema)));
      const pairs = fc.oneof(...known, fc.tuple(unknownName, valueArb({})));
      return fc.tuple(fc.constant(operation), fc.array(pairs, { minLength: 1, maxLength: 4 }));
    });
    await fc.assert(
      fc.asyncProperty(requestArb, async ([operation, pairs]) => {
        const query = pairs.flatMap(([name, value]) => encodeValue(value).map((v) => `${encodeText(name)}=${v}`)).join('&');
        await expectHandled(withQuery(operation, pathOf(operation), query, pairs.map(([name]) => name)), pairs.map(([name]) => name), 'query');
      }),
      { numRuns: 80 },
    );
  });

  it('random path parameters: a 404, or a 400 naming the parameter; never a 5xx', async () => {
    const withPath = operations.filter((o) => o.parameters.some((p) => p.in === 'path'));
    const requestArb = fc.constantFrom(...withPath).chain((operation) => {
      const parameters = operation.parameters.filter((p) => p.in === 'path');
      return fc.tuple(fc.constant(operation), fc.constantFrom(...parameters).chain((p) => fc.tuple(fc.constant(p.name), valueArb(p.schema))));
    });
    await fc.assert(
      fc.asyncProperty(requestArb, async ([operation, [name, value]]) => {
        if (!('text' in value) || value.text === '') return;
        await expectHandled(withQuery(operation, pathOf(operation, { [name]: value.text })), [name], 'path');
      }),
      { numRuns: 80 },
    );
  });

  it('refuses U+0000 anywhere in a body, naming the field, instead of failing in Postgres', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), async (before, after) => {
        const res = await api.call('POST', '/runs', { name: `${before}\u0000${after}`, service: 'svc' });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain("parameter 'name' (body)");
      }),
      { numRuns: 20 },
    );
    const nested = await api.call('POST', '/runs/params-run/rules', { name: 'r', kind: 'ignoreField', fields: ['body.a', 'body.\u0000'] });
    expect(nested.status).toBe(400);
    expect(nested.body.error.message).toContain("parameter 'fields.1' (body)");
  });
});
