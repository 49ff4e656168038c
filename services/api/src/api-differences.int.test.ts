import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@shadowdiff/testkit';
import { storeExchanges } from '@shadowdiff/store';
import { differencePageSchema, exchangeSchema } from './schemas/responses.ts';
import { awaitSettled, exchangeRecord, seedExchanges, startTestApi, type TestApi } from '../test/seed.ts';

interface Page {
  items: { id: number; field: string; route: string; kind: string; side: string; verdict: string | null; ignoredBy: string | null }[];
  nextCursor: string | null;
  hasMore: boolean;
}

describe('differences', () => {
  let db: TestDatabase;
  let api: TestApi;
  let runId: string;

  const page = async (query: string): Promise<Page> => {
    const res = await api.call('GET', `/runs/paging/differences?${query}`);
    expect(res.status, res.text).toBe(200);
    return differencePageSchema.parse(res.body) as Page;
  };

  /** Pages from `cursor` until the API says there is no more; every id seen, in order. */
  const drain = async (query: string, cursor: string | null): Promise<{ ids: number[]; cursor: string | null }> => {
    const ids: number[] = [];
    for (;;) {
      const p = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...p.items.map((d) => d.id));
      cursor = p.nextCursor ?? cursor;
      if (!p.hasMore) return { ids, cursor };
    }
  };

  const allIds = async (): Promise<number[]> =>
    (await db.pool.query<{ id: number }>('SELECT id FROM differences WHERE run_id = $1 AND ignored_by IS NULL ORDER BY id', [runId])).rows.map((r) => r.id);

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    api = await startTestApi(db.pool);
    runId = (await api.call('POST', '/runs', { name: 'paging' })).body.id;
    await seedExchanges(db.pool, runId, 10, (i) => ({
      capturedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      route: i < 6 ? 'GET /a/{id}' : 'POST /b',
      differences: [
        { field: 'body.x', kind: i % 2 === 0 ? 'changed' : 'added' },
        { field: 'header.x-trace', ignoredBy: 'traces' },
      ],
    }));
    await awaitSettled(db.pool);
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('filters by route, field, kind, side, time and classification', async () => {
    expect((await page('limit=100')).items).toHaveLength(10);
    expect((await page(`route=${encodeURIComponent('POST /b')}`)).items).toHaveLength(4);
    expect((await page('kind=added')).items.every((d) => d.kind === 'added')).toBe(true);
    expect((await page('kind=added')).items).toHaveLength(5);
    expect((await page('field=body.x&side=candidate')).items).toHaveLength(10);
    expect((await page('side=secondary')).items).toHaveLength(0);
    expect((await page('from=2026-01-01T00:03:00Z&to=2026-01-01T00:05:00Z')).items).toHaveLength(2);
    expect((await page('includeIgnored=true')).items).toHaveLength(20);
    expect((await page('classification=real')).items).toHaveLength(10);
    expect((await page('classification=noise')).items).toHaveLength(0);
    const ignored = (await page('includeIgnored=true&field=header.x-trace')).items;
    expect(ignored.every((d) => d.ignoredBy === 'traces')).toBe(true);
  });

  it('pages without duplicates or gaps, even when writers commit out of id order', async () => {
    const first = await drain('limit=3', null);
    expect(first.ids).toEqual(await allIds());

    // A writer takes identity values and holds its transaction open...
    const slow = await db.pool.connect();
    await slow.query('BEGIN');
    const slowExchange = randomUUID();
    await slow.query(
      `INSERT INTO exchanges (id, part_day, run_id, captured_at, method, url, route, candidate_outcome, primary_latency_ms, candidate_latency_ms, difference_count)
       VALUES ($1, shadowdiff_capture_day($1), $2, now(), 'GET', '/a/1', 'GET /a/{id}', 'ok', 1, 1, 3)`,
      [slowExchange, runId],
    );
    await slow.query(
      `INSERT INTO differences (exchange_id, part_day, run_id, route, side, field, path, kind, captured_at)
       SELECT $1, shadowdiff_capture_day($1), $2, 'GET /a/{id}', 'candidate', 'body.slow' || g, 'body.slow' || g, 'changed', now() FROM generate_series(1, 3) g`,
      [slowExchange, runId],
    );
    // ...while another commits later rows first.
    await storeExchanges(db.pool, [1, 2, 3, 4, 5].map(() => exchangeRecord(runId, { route: 'GET /a/{id}', differences: [{ field: 'body.fast' }] })));
    const during = await drain('limit=3', first.cursor);
    // The committed rows wait until the older writer finishes, so the cursor cannot pass its rows.
    expect(during.ids).toEqual([]);
    await slow.query('COMMIT');
    slow.release();
    await awaitSettled(db.pool);
    const after = await drain('limit=3', during.cursor);

    const seen = [...first.ids, ...during.ids, ...after.ids];
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(await allIds());
  });

  it('pages without duplicates or gaps while many writers insert concurrently', async () => {
    let cursor: string | null = (await drain('limit=50', null)).cursor;
    const seen: number[] = [];
    let writing = true;
    const writers = (async () => {
      for (let round = 0; round < 8; round++) {
        await Promise.all(
          [0, 1, 2, 3].map(() => storeExchanges(db.pool, [0, 1, 2].map((i) => exchangeRecord(runId, { differences: [{ field: `body.c${i}` }, { field: 'body.d' }] })))),
        );
      }
      writing = false;
    })();
    const reader = (async () => {
      while (writing) {
        const p = await page(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...p.items.map((d) => d.id));
        cursor = p.nextCursor ?? cursor;
      }
    })();
    await Promise.all([writers, reader]);
    await awaitSettled(db.pool);
    seen.push(...(await drain('limit=4', cursor)).ids);
    const before = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM differences WHERE run_id = $1 AND ignored_by IS NULL AND field IN ('body.c0', 'body.c1', 'body.c2', 'body.d')`,
      [runId],
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(before.rows[0]!.n);
  });

  it('answers every bad parameter with a 400 that names it', async () => {
    const cases: [string, RegExp][] = [
      ['limit=0', /'limit'/],
      ['limit=501', /'limit'/],
      ['limit=abc', /'limit'/],
      ['kind=renamed', /'kind'/],
      ['cursor=bm90LWEtY3Vyc29y', /'cursor'/],
      ['from=yesterday', /'from'/],
      ['colour=red', /'colour'/],
      ['route=a&route=b', /'route'/],
      ['includeIgnored=yes', /'includeIgnored'/],
      // A cursor whose transaction id is past 2^64 − 1.
      [`cursor=${Buffer.from(JSON.stringify({ t: '99999999999999999999', i: 1 })).toString('base64url')}`, /'cursor'/],
    ];
    for (const [query, pattern] of cases) {
      const res = await api.call('GET', `/runs/paging/differences?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.message, query).toMatch(pattern);
    }
    const body = await api.call('POST', '/runs', { name: 'has spaces', primaryLabel: 7 });
    expect(body.status).toBe(400);
    expect(body.body.error.message).toMatch(/'name'/);
    expect(body.body.error.message).toMatch(/'primaryLabel'/);
    const malformed = await api.call('POST', '/runs', '{"name":');
    expect(malformed.status).toBe(400);
    const uuidName = await api.call('POST', '/runs', { name: '3f2b8c1e-9a4d-4e1f-8b2a-1c2d3e4f5a6b' });
    expect(uuidName.status).toBe(400);
    expect(uuidName.body.error.message).toMatch(/'name'.*UUID/);
  });

  it('keeps SQL-injection-shaped parameters inert', async () => {
    const evil = ["' OR 1=1 --", "x'; DROP TABLE differences; --", '%', '_', "GET /a/{id}' OR 'a'='a"];
    for (const value of evil) {
      const byRoute = await api.call('GET', `/runs/paging/differences?route=${encodeURIComponent(value)}`);
      expect(byRoute.status).toBe(200);
      expect(byRoute.body.items).toEqual([]);
      expect((await api.call('GET', `/runs/${encodeURIComponent(value)}/endpoints`)).status).toBe(404);
    }
    expect((await page('limit=1')).items).toHaveLength(1);
    const undecodable = await api.call('GET', '/runs/%E0%A4%A/endpoints');
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('path parameter is not valid percent-encoding') });
  });

  it('shows one exchange side by side with its differences marked, 404 for an unknown one', async () => {
    const { exchangeId } = (await api.call('GET', `/runs/paging/differences?limit=1`)).body.items[0];
    const res = await api.call('GET', `/exchanges/${exchangeId}`);
    expect(res.status).toBe(200);
    const exchange = exchangeSchema.parse(res.body);
    expect(exchange.runName).toBe('paging');
    expect(res.body.responses.primary.captured.body).toMatchObject({ encoding: 'text', json: { id: 1 } });
    expect(exchange.differences.map((d) => d.field).sort()).toEqual(['body.x', 'header.x-trace']);
    expect(exchange.differences.find((d) => d.field === 'body.x')!.verdict).toBe('real');
    expect((await api.call('GET', `/exchanges/${randomUUID()}`)).status).toBe(404);
    const bad = await api.call('GET', '/exchanges/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/'id'/);
    expect((await api.call('GET', '/runs/nope/differences')).status).toBe(404);
    expect((await api.call('GET', '/nothing-here')).status).toBe(404);
  });
});
