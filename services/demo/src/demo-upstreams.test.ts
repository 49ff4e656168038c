import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoUpstreams, type DemoUpstreams } from './demo-upstreams.ts';
import { createSeedData } from './seed-data.ts';

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  body: Record<string, unknown>;
}

async function get(baseUrl: string, path: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(baseUrl + path, init);
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, body: JSON.parse(text) };
}

/** The body re-serialised without its volatile fields, key order preserved. */
function stable(answer: Answer): string {
  const { generatedAt: _g, traceId: _t, ...rest } = answer.body;
  return JSON.stringify(rest);
}

function withoutVolatile(answer: Answer): Record<string, unknown> {
  return JSON.parse(stable(answer));
}

const postBody = JSON.stringify({ userId: 3, items: [{ productId: 4, quantity: 2 }, { productId: 17, quantity: 1 }] });
const post: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: postBody };
const data = createSeedData();

describe('demo upstreams', () => {
  let upstreams: DemoUpstreams;
  beforeAll(async () => {
    upstreams = await startDemoUpstreams();
  });
  afterAll(async () => {
    await upstreams?.close();
  });

  it('starts three servers on distinct loopback ports that answer JSON', async () => {
    const { primary, candidate, secondary } = upstreams;
    expect(new Set([primary.url, candidate.url, secondary.url]).size).toBe(3);
    expect([primary.version, candidate.version, secondary.version]).toEqual(['v1', 'v2', 'v1']);
    for (const server of [primary, candidate, secondary]) {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await get(server.url, '/api/health');
      expect(health.status).toBe(200);
      expect(health.contentType).toBe('application/json; charset=utf-8');
      expect(health.body.status).toBe('ok');
    }
  });

  it('gives every response a fresh generatedAt and traceId, on every version', async () => {
    const a = await get(upstreams.primary.url, '/api/users/1');
    const b = await get(upstreams.secondary.url, '/api/users/1');
    const c = await get(upstreams.candidate.url, '/api/users/1');
    for (const answer of [a, b, c]) {
      expect(Date.parse(String(answer.body.generatedAt))).not.toBeNaN();
      expect(answer.body.traceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set([a.body.traceId, b.body.traceId, c.body.traceId]).size).toBe(3);
    expect(a.text).not.toBe(b.text);
  });

  it('primary and secondary bodies are byte-identical apart from the volatile fields', async () => {
    const paths = [
      '/api/health',
      ...[1, 7, 50, 51].map((id) => `/api/users/${id}`),
      '/api/users/7/orders',
      '/api/users/7/orders?status=shipped&limit=2',
      '/api/users/7/orders?limit=0',
      ...[1, 99, 200, 201].map((id) => `/api/orders/${id}`),
      '/api/products',
      '/api/products?category=kitchen',
      ...[1, 5, 30, 31].map((id) => `/api/products/${id}`),
      '/api/nope',
    ];
    for (const path of paths) {
      const primary = await get(upstreams.primary.url, path);
      const secondary = await get(upstreams.secondary.url, path);
      expect(secondary.status, path).toBe(primary.status);
      expect(stable(secondary), path).toBe(stable(primary));
    }
    const created = [await get(upstreams.primary.url, '/api/orders', post), await get(upstreams.secondary.url, '/api/orders', post)];
    expect(created.map((answer) => answer.status)).toEqual([201, 201]);
    expect(stable(created[1]!)).toBe(stable(created[0]!));
  });

  it('candidate renames email to emailAddress and adds loyaltyTier on users, nothing else', async () => {
    for (const id of [1, 2, 25, 50]) {
      const primary = withoutVolatile(await get(upstreams.primary.url, `/api/users/${id}`));
      const candidate = withoutVolatile(await get(upstreams.candidate.url, `/api/users/${id}`));
      const { email, ...rest } = primary;
      expect(email).toMatch(/@example\.com$/);
      expect(candidate).toEqual({ ...rest, emailAddress: email, loyaltyTier: expect.stringMatching(/^(bronze|silver|gold)$/) });
    }
  });

  it('candidate sends order totals as two-decimal strings, nothing else', async () => {
    for (const id of [1, 2, 150, 200]) {
      const primary = withoutVolatile(await get(upstreams.primary.url, `/api/orders/${id}`));
      const candidate = withoutVolatile(await get(upstreams.candidate.url, `/api/orders/${id}`));
      expect(typeof primary.total).toBe('number');
      expect(candidate).toEqual({ ...primary, total: (primary.total as number).toFixed(2) });
    }
    const userId = data.orders[0]!.userId;
    const primaryList = withoutVolatile(await get(upstreams.primary.url, `/api/users/${userId}/orders`));
    const candidateList = withoutVolatile(await get(upstreams.candidate.url, `/api/users/${userId}/orders`));
    const primaryItems = primaryList.items as Record<string, unknown>[];
    expect(primaryItems.length).toBeGreaterThan(0);
    expect(candidateList).toEqual({
      ...primaryList,
      items: primaryItems.map((order) => ({ ...order, total: (order.total as number).toFixed(2) })),
    });
    const created = withoutVolatile(await get(upstreams.primary.url, '/api/orders', post));
    const createdOnCandidate = withoutVolatile(await get(upstreams.candidate.url, '/api/orders', post));
    expect(createdOnCandidate).toEqual({ ...created, total: (created.total as number).toFixed(2) });
  });

  it('candidate sorts the product list by price instead of by id, same items', async () => {
    for (const query of ['', '?category=books', '?category=toys']) {
      const primary = withoutVolatile(await get(upstreams.primary.url, `/api/products${query}`));
      const candidate = withoutVolatile(await get(upstreams.candidate.url, `/api/products${query}`));
      const primaryItems = primary.items as { id: number; price: number }[];
      const candidateItems = candidate.items as { id: number; price: number }[];
      expect(primaryItems.map((item) => item.id)).toEqual([...primaryItems.map((item) => item.id)].sort((a, b) => a - b));
      expect(candidateItems.map((item) => item.id)).not.toEqual(primaryItems.map((item) => item.id));
      expect(candidate).toEqual({
        ...primary,
        items: [...primaryItems].sort((a, b) => a.price - b.price || a.id - b.id),
      });
    }
  });

  it('candidate answers 500 for products whose id is a multiple of 5 and matches otherwise', async () => {
    for (let id = 1; id <= 31; id++) {
      const primary = await get(upstreams.primary.url, `/api/products/${id}`);
      const candidate = await get(upstreams.candidate.url, `/api/products/${id}`);
      if (id <= 30 && id % 5 === 0) {
        expect(primary.status).toBe(200);
        expect(candidate.status).toBe(500);
        expect(withoutVolatile(candidate)).toEqual({ error: { code: 'internal_error', message: 'internal server error' } });
      } else {
        expect(candidate.status, `product ${id}`).toBe(primary.status);
        expect(stable(candidate), `product ${id}`).toBe(stable(primary));
      }
    }
  });

  it('answers unknown routes and missing records with 404 JSON', async () => {
    for (const [path, init] of [['/api/nope'], ['/'], ['/api/users/abc'], ['/api/orders/9999'], ['/api/health', { method: 'DELETE' }]] as const) {
      const answer = await get(upstreams.candidate.url, path, init);
      expect(answer.status, path).toBe(404);
      expect(answer.contentType).toBe('application/json; charset=utf-8');
      expect(answer.body.error).toEqual({ code: 'not_found', message: expect.any(String) });
    }
  });

  it('rejects bad orders and oversized bodies with JSON errors', async () => {
    const bad = await get(upstreams.primary.url, '/api/orders', { method: 'POST', body: '{not json' });
    expect([bad.status, (bad.body.error as { code: string }).code]).toEqual([400, 'invalid_json']);
    const unknownProduct = JSON.stringify({ userId: 1, items: [{ productId: 999, quantity: 1 }] });
    const invalid = await get(upstreams.primary.url, '/api/orders', { method: 'POST', body: unknownProduct });
    expect([invalid.status, (invalid.body.error as { code: string }).code]).toEqual([422, 'invalid_order']);
    const huge = await get(upstreams.primary.url, '/api/orders', { method: 'POST', body: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
  });

  it('serves any Host header and remembers the last 50', async () => {
    const hostOf = (i: number) => `shop-${i}.internal-shadow`;
    for (let i = 0; i < 55; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${upstreams.candidate.url}/api/users/1`, { headers: { host: hostOf(i) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    }
    const hosts = upstreams.candidate.lastHosts;
    expect(hosts).toHaveLength(50);
    expect(hosts[0]).toBe(hostOf(5));
    expect(hosts.at(-1)).toBe(hostOf(54));
    expect(upstreams.primary.lastHosts).not.toContain(hostOf(54));
  });
});

describe('demo upstreams lifecycle', () => {
  it('stops listening once closed, and close can be called twice', async () => {
    const upstreams = await startDemoUpstreams({ host: '127.0.0.1' });
    const url = upstreams.primary.url;
    expect((await get(url, '/api/health')).status).toBe(200);
    await upstreams.close();
    await upstreams.close();
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });
});
