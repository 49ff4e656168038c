import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { loadConfig } from '@shadowdiff/config';
import { createLogger } from '@shadowdiff/core';
import { createPool, insertDeadLetters } from '@shadowdiff/store';
import { startApiService } from './service.ts';
import { deadLetterPageSchema } from './schemas/responses.ts';
import { startTestApi, type TestApi } from '../test/seed.ts';

const TOKEN = 'a-long-enough-test-token';
const READ_TOKEN = 'a-read-only-token-for-ci-jobs';

describe('auth, OpenAPI and dead letters', () => {
  let db: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool, { tokens: { write: [TOKEN], read: [READ_TOKEN] } });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  const auth = { authorization: `Bearer ${TOKEN}` };

  it('requires the bearer token on /api/v1 and leaves health and metrics open', async () => {
    expect((await api.call('GET', '/runs')).status).toBe(401);
    expect((await api.call('GET', '/runs', undefined, { authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
    expect((await api.call('GET', '/openapi.json')).status).toBe(401);
    const ok = await api.call('GET', '/runs', undefined, auth);
    expect(ok.status).toBe(200);
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${api.url}${path}`)).status).toBe(200);
  });

  it('refuses to listen beyond loopback without a token, or with a placeholder or short one, and says how to make one', async () => {
    const start = (env: Record<string, string>) =>
      startApiService(loadConfig({ env, overrides: { 'api.host': '0.0.0.0', 'api.port': 0 } }), { pool: db.pool, logger: createLogger({ level: 'silent' }) });
    await expect(start({})).rejects.toThrow(/SHADOWDIFF_API_TOKEN.*openssl rand -hex 32/);
    await expect(start({ SHADOWDIFF_API_TOKEN: 'replace-with-a-long-random-secret' })).rejects.toThrow(/placeholder.*openssl rand -hex 32/);
    await expect(start({ SHADOWDIFF_API_TOKEN: 'x'.repeat(40) })).rejects.toThrow(/placeholder/);
    await expect(start({ SHADOWDIFF_API_TOKEN: 'only-twenty-characte' })).rejects.toThrow(/20 characters, 32 needed/);
    await expect(start({ SHADOWDIFF_API_TOKEN: 'f'.repeat(31) + 'e', SHADOWDIFF_API_READ_TOKENS: 'short-read-token-xx' })).rejects.toThrow(/a read token has 19 characters/);
    const exposed = await start({ SHADOWDIFF_API_TOKEN: '0123456789abcdef0123456789abcdef' });
    await exposed.close();
  });

  it('gives read tokens every read endpoint and the gate, and nothing that changes data: every operation of the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/openapi.json', undefined, { authorization: `Bearer ${READ_TOKEN}` })).body;
    const values: Record<string, string> = { run: 'no-such-run', route: 'GET%20%2Fx', name: 'no-such-rule', id: 'no-such-exchange' };
    let checked = 0;
    for (const [path, operations] of Object.entries<Record<string, { 'x-scope': string; security: Record<string, string[]>[] }>>(doc.paths)) {
      const concrete = path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? 'x');
      for (const [method, op] of Object.entries(operations)) {
        expect(op.security).toEqual([{ bearer: [op['x-scope']] }]);
        const call = (token?: string) => api.call(method.toUpperCase(), concrete, method === 'get' ? undefined : {}, token ? { authorization: `Bearer ${token}` } : {});
        expect((await call()).status, `${method} ${path} without a token`).toBe(401);
        const asReader = await call(READ_TOKEN);
        if (op['x-scope'] === 'read') expect([401, 403], `${method} ${path} as a reader`).not.toContain(asReader.status);
        else expect(asReader.status, `${method} ${path} as a reader`).toBe(403);
        expect([401, 403], `${method} ${path} as a writer`).not.toContain((await call(TOKEN)).status);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
    expect(doc.paths['/runs/{run}/gate'].post['x-scope']).toBe('read');
    // Independently of the document: every GET and the gate read; everything else writes.
    const readable = Object.entries<Record<string, { 'x-scope': string }>>(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).filter(([, op]) => op['x-scope'] === 'read').map(([method]) => `${method} ${path}`),
    );
    expect(readable.filter((op) => !op.startsWith('get '))).toEqual(['post /runs/{run}/gate']);
    expect(doc.paths['/runs/{run}/triage'].put['x-scope']).toBe('write');
  });

  it('answers 503 when the database cannot be reached', async () => {
    const pool = createPool('postgres://nobody@127.0.0.1:9/none', { max: 1 });
    const down = await startTestApi(pool);
    try {
      const res = await down.call('GET', '/runs/any/endpoints');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('dependency_unavailable');
      expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
    } finally {
      await down.close();
      await pool.end();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const res = await api.call('GET', '/openapi.json', undefined, auth);
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    for (const path of [
      '/runs',
      '/runs/{run}',
      '/runs/{run}/close',
      '/runs/{run}/endpoints',
      '/runs/{run}/endpoints/{route}/fields',
      '/runs/{run}/differences',
      '/exchanges/{id}',
      '/runs/{run}/rules',
      '/runs/{run}/rules/{name}',
      '/runs/{run}/triage',
      '/runs/{run}/gate',
      '/runs/{run}/report',
      '/dead-letters',
    ]) {
      expect(paths).toContain(path);
    }
    const list = doc.paths['/runs/{run}/differences'].get;
    const params = Object.fromEntries(list.parameters.map((p: { name: string; in: string }) => [p.name, p]));
    expect(Object.keys(params)).toEqual(expect.arrayContaining(['run', 'limit', 'cursor', 'route', 'field', 'kind', 'classification', 'from', 'to']));
    expect(params.limit.schema).toMatchObject({ type: 'integer', maximum: 500, default: 50 });
    expect(params.kind.schema.enum).toContain('type_changed');
    expect(params.run).toMatchObject({ in: 'path', required: true });
    const addRule = doc.paths['/runs/{run}/rules'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(addRule)).toContain('ignoreField');
    const gate = doc.paths['/runs/{run}/gate'].post;
    expect(JSON.stringify(gate.requestBody)).toContain('maxP99LatencyRatio');
    // Response schemas with a name are listed once under components and referred to.
    expect(gate.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/GateResult' });
    expect(doc.components.schemas.GateResult.properties.verdict.enum).toEqual(['pass', 'fail']);
    expect(doc.components.schemas.GateResult.properties.routes.items).toEqual({ $ref: '#/components/schemas/RouteGate' });
    // Every path parameter of every operation is declared.
    for (const [path, operations] of Object.entries<Record<string, { parameters: { name: string; in: string }[] }>>(doc.paths)) {
      const declared = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(operations)) {
        expect(op.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(declared);
      }
    }
  });

  it('lists dead letters newest first with their reasons, in pages', async () => {
    await insertDeadLetters(
      db.pool,
      Array.from({ length: 5 }, (_, i) => ({ captureId: `c${i}`, runName: i < 3 ? 'r1' : 'r2', reason: `invalid capture: ${i}`, payload: { i } })),
    );
    const first = await api.call('GET', '/dead-letters?limit=2', undefined, auth);
    const page = deadLetterPageSchema.parse(first.body);
    expect(page.items.map((d) => d.captureId)).toEqual(['c4', 'c3']);
    expect(page.items[0]!.payload).toBeNull();
    const second = await api.call('GET', `/dead-letters?limit=2&cursor=${page.nextCursor}&payload=true`, undefined, auth);
    expect(second.body.items.map((d: { captureId: string }) => d.captureId)).toEqual(['c2', 'c1']);
    expect(second.body.items[0].payload).toEqual({ i: 2 });
    const r1 = await api.call('GET', '/dead-letters?run=r1', undefined, auth);
    expect(r1.body.items.map((d: { reason: string }) => d.reason)).toEqual(['invalid capture: 2', 'invalid capture: 1', 'invalid capture: 0']);
    expect(r1.body.hasMore).toBe(false);
  });
});

/** A raw request, so the Host and Origin headers are exactly as given. */
function rawCall(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a tokenless API on loopback and the web pages its user visits', () => {
  let db: TestDatabase;
  let api: TestApi;
  let port: string;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    port = new URL(api.url).port;
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('answers only requests addressed to a loopback name on its own port (DNS rebinding)', async () => {
    expect(await rawCall(api.url, 'GET', '/api/v1/runs', { host: `127.0.0.1:${port}` })).toBe(200);
    expect(await rawCall(api.url, 'GET', '/api/v1/runs', { host: `localhost:${port}` })).toBe(200);
    expect(await rawCall(api.url, 'GET', '/api/v1/runs', { host: `[::1]:${port}` })).toBe(200);
    expect(await rawCall(api.url, 'GET', '/api/v1/runs', { host: `attacker.example:${port}` })).toBe(403);
    expect(await rawCall(api.url, 'GET', '/api/v1/runs', { host: `127.0.0.1.attacker.example:${port}` })).toBe(403);
    expect(await rawCall(api.url, 'GET', '/api/v1/runs', { host: `localhost:${Number(port) + 1}` })).toBe(403);
    expect(await rawCall(api.url, 'GET', '/', { host: `attacker.example:${port}` })).toBe(403);
  });

  it('refuses changes from a page of another origin, accepts its own, and sends no CORS headers', async () => {
    const host = `127.0.0.1:${port}`;
    const body = JSON.stringify({ name: 'from-a-page' });
    expect(await rawCall(api.url, 'POST', '/api/v1/runs', { host, origin: 'http://attacker.example' }, body)).toBe(403);
    expect(await rawCall(api.url, 'POST', '/api/v1/runs', { host, origin: 'null' }, body)).toBe(403);
    expect((await api.call('GET', '/runs/from-a-page')).status).toBe(404);
    expect(await rawCall(api.url, 'POST', '/api/v1/runs', { host, origin: `http://${host}` }, body)).toBe(201);
    const res = await fetch(`${api.url}/api/v1/runs`, { headers: { origin: 'http://attacker.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
