import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, eventually, startUp, startUpstream, stopStarted, type CliProcess, type TestDatabase, type TestUpstream } from '@shadowdiff/testkit';

/**
 * `shadowdiff up` as a user runs it, against two upstreams of the test's own: traffic through
 * the tap, differences read back through the API.
 */
describe('shadowdiff up --primary --candidate', () => {
  let primary: TestUpstream;
  let candidate: TestUpstream;
  let db: TestDatabase;
  let cli: CliProcess;
  let tapUrl: string;
  let apiUrl: string;
  const stateDir = mkdtempSync(join(tmpdir(), 'shadowdiff-e2e-'));

  beforeAll(async () => {
    primary = await startUpstream((req, res) => {
      const id = Number(req.url?.split('/')[2] ?? 0);
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('X-Odd-Case', 'kept');
      res.end(JSON.stringify({ id, name: `user ${id}`, price: 10, tags: ['a', 'b'] }));
    });
    candidate = await startUpstream((req, res) => {
      const id = Number(req.url?.split('/')[2] ?? 0);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id, name: `user ${id}`, price: 12, tags: ['a', 'b'], added: true }));
    });
    db = await createTestDatabase(inject('pgAdminUrl'), { migrate: false });
    ({ cli, tapUrl, apiUrl } = await startUp(
      ['--primary', primary.url, '--candidate', candidate.url, '--run', 'e2e-run', '--tap-port', '0', '--api-port', '0', '--state-dir', stateDir],
      { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), SHADOWDIFF_LOG_LEVEL: 'warn' },
    ));
  });

  afterAll(async () => {
    const codes = await stopStarted({ processes: [cli], upstreams: [primary, candidate], db, dirs: [stateDir] });
    expect(codes).toEqual([0]);
  });

  it('serves the primary byte for byte and files the differences', async () => {
    for (let id = 1; id <= 20; id++) {
      const direct = await fetch(`${primary.url}/users/${id}`);
      const viaTap = await fetch(`${tapUrl}/users/${id}`);
      expect(viaTap.status).toBe(direct.status);
      expect(Buffer.from(await viaTap.arrayBuffer())).toEqual(Buffer.from(await direct.arrayBuffer()));
      expect(viaTap.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
      expect(viaTap.headers.get('x-odd-case')).toBe('kept');
    }

    const shadowHosts = await eventually(() => (candidate.requests.length >= 20 ? candidate.requests.map((r) => r.headers.host) : undefined));
    const { hostname, port } = new URL(tapUrl);
    expect(new Set(shadowHosts)).toEqual(new Set([`${hostname}-shadow:${port}`]));
    expect(candidate.requests[0]!.headers['x-shadowdiff-run']).toBe('e2e-run');
    expect(candidate.requests[0]!.headers['x-shadowdiff-exchange-id']).toMatch(/^[0-9a-f-]{36}$/);

    const differences = await eventually(async () => {
      const res = await fetch(`${apiUrl}/api/v1/runs/e2e-run/differences?limit=500`);
      if (res.status !== 200) return undefined;
      const page = (await res.json()) as { items: { field: string; kind: string; route: string; exchangeId: string }[] };
      return page.items.length >= 60 ? page.items : undefined;
    }, 30_000);
    expect(differences).toBeDefined();
    const byField = new Map<string, Set<string>>();
    for (const d of differences!) byField.set(d.field, (byField.get(d.field) ?? new Set()).add(d.kind));
    expect(byField.get('body.price')).toEqual(new Set(['changed']));
    expect(byField.get('body.added')).toEqual(new Set(['added']));
    expect(byField.get('header.x-odd-case')).toEqual(new Set(['removed']));
    expect(byField.has('header.set-cookie')).toBe(false);
    expect(differences!.every((d) => d.route === 'GET /users/{id}')).toBe(true);

    const exchange = (await (await fetch(`${apiUrl}/api/v1/exchanges/${differences![0]!.exchangeId}`)).json()) as {
      request: { url: string };
      responses: { primary: { status: number; captured: { body: { json: { price: number } } } }; candidate: { captured: { body: { json: { price: number } } } } };
      differences: unknown[];
    };
    expect(exchange.request.url).toMatch(/^\/users\/\d+$/);
    expect(exchange.responses.primary.status).toBe(200);
    expect(exchange.responses.primary.captured.body.json.price).toBe(10);
    expect(exchange.responses.candidate.captured.body.json.price).toBe(12);
    expect(exchange.differences).toHaveLength(3);

    const runs = (await (await fetch(`${apiUrl}/api/v1/runs`)).json()) as { items: { name: string; exchanges: number }[] };
    expect(runs.items.find((r) => r.name === 'e2e-run')?.exchanges).toBe(20);
  });

  it('answers bad API parameters with a JSON 400 naming the parameter, unknown runs with 404', async () => {
    const bad = await fetch(`${apiUrl}/api/v1/runs/e2e-run/differences?limit=abc`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/limit/);
    const missing = await fetch(`${apiUrl}/api/v1/runs/nope/differences`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
  });
});
