import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { loadConfig } from '@shadowdiff/config';
import { createLogger } from '@shadowdiff/core';
import { createPool, insertDeadLetters } from '@shadowdiff/store';
import { startApiService } from './service';
import { deadLetterPageSchema } from './schemas/responses';
import { startTestApi, type TestApi } from './test-seed';

const TOKEN = 'a-long-enough-test-token';

describe('auth, OpenAPI and dead letters', () => {
  let db: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool, { token: TOKEN });
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

  it('refuses to listen beyond loopback without a token, and says why', async () => {
    const config = loadConfig({ env: {}, overrides: { 'api.host': '0.0.0.0', 'api.port': 0 } });
    await expect(startApiService(config, { pool: db.pool, logger: createLogger({ level: 'silent' }) })).rejects.toThrow(/SHADOWDIFF_API_TOKEN/);
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
    expect(gate.responses['200'].content['application/json'].schema.properties.verdict.enum).toEqual(['pass', 'fail']);
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
