/** Seeds for the API tests: exchanges stored the way the worker stores them, and an API on an ephemeral port. */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { expect } from 'vitest';
import { createLogger } from '@shadowdiff/core';
import { LATENCY_RELATIVE_ACCURACY, storeExchanges, type DifferenceRecord, type ExchangeRecord, type Pool } from '@shadowdiff/store';
import { createApp, type ApiDeps } from '../src/app.ts';

export interface SeedExchange {
  route?: string;
  primaryStatus?: number;
  candidateStatus?: number | null;
  candidateOutcome?: string;
  primaryLatencyMs?: number;
  candidateLatencyMs?: number;
  withSecondary?: boolean;
  /** The secondary's (or, with `secondaryKind: 'control'`, the control copy's) latency; 10 ms by default. */
  secondaryLatencyMs?: number;
  secondaryKind?: 'secondary' | 'control';
  capturedAt?: string;
  /** The capture id; a random one by default. */
  id?: string;
  differences?: (Partial<DifferenceRecord> & { field: string })[];
}

/** One exchange record as the worker would build it. */
export function exchangeRecord(runId: string, seed: SeedExchange = {}): ExchangeRecord {
  const route = seed.route ?? 'GET /users/{id}';
  const [method, path] = route.split(' ');
  const candidateOutcome = seed.candidateOutcome ?? 'ok';
  const primaryStatus = seed.primaryStatus ?? 200;
  const candidateStatus = candidateOutcome === 'ok' ? (seed.candidateStatus === undefined ? primaryStatus : seed.candidateStatus) : null;
  const id = seed.id ?? randomUUID();
  const body = { base64: Buffer.from('{"id":1}').toString('base64'), size: 8, truncated: false };
  return {
    id,
    runId,
    capturedAt: seed.capturedAt ?? new Date().toISOString(),
    method: method!,
    url: path!.replace('{id}', '1'),
    route,
    primaryStatus,
    candidateStatus,
    secondaryStatus: seed.withSecondary ? primaryStatus : null,
    candidateOutcome,
    secondaryOutcome: seed.withSecondary ? 'ok' : null,
    primaryLatencyMs: seed.primaryLatencyMs ?? 10,
    candidateLatencyMs: seed.candidateLatencyMs ?? 10,
    secondaryLatencyMs: seed.withSecondary ? (seed.secondaryLatencyMs ?? 10) : null,
    secondaryKind: seed.withSecondary ? (seed.secondaryKind ?? 'secondary') : null,
    request: { method, url: path, headers: {}, body },
    primaryResponse: { outcome: 'ok', status: primaryStatus, headers: { 'content-type': 'application/json' }, body, latencyMs: 10 },
    candidateResponse: { outcome: candidateOutcome, status: candidateStatus, headers: { 'content-type': 'application/json' }, body, latencyMs: 10 },
    secondaryResponse: null,
    differences: (seed.differences ?? []).map((d) => ({
      side: 'candidate',
      path: d.field,
      kind: 'changed',
      primaryValue: 1,
      otherValue: 2,
      suspectedNoise: false,
      ignoredBy: null,
      ...d,
    })),
    statusMismatch: candidateOutcome === 'ok' && candidateStatus !== primaryStatus,
    candidateError: candidateOutcome !== 'ok' || (candidateStatus ?? 0) >= 500,
  };
}

/** Stores `count` exchanges made by `seed(i)`; returns their ids. */
export async function seedExchanges(pool: Pool, runId: string, count: number, seed: (i: number) => SeedExchange): Promise<string[]> {
  const records = Array.from({ length: count }, (_, i) => exchangeRecord(runId, seed(i)));
  await storeExchanges(pool, records);
  return records.map((r) => r.id);
}

/**
 * Waits until every stored difference is old enough to be listed: listings hold back rows of
 * transactions younger than the oldest one still running anywhere in the cluster (other test
 * databases included), so a test that lists right after writing waits for that first.
 */
export async function awaitSettled(pool: Pool, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ waiting: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM differences WHERE tx >= pg_snapshot_xmin(pg_current_snapshot())) AS waiting',
    );
    if (!rows[0]!.waiting) return;
    if (Date.now() > deadline) throw new Error('differences did not settle');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TestApi {
  url: string;
  /** fetch relative to /api/v1, JSON in and out. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON comes back
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; type: string | null }>;
  close(): Promise<void>;
}

/** The API app on a loopback ephemeral port. */
export async function startTestApi(pool: Pool, extra: Partial<ApiDeps> = {}): Promise<TestApi> {
  const app = createApp({ pool, logger: createLogger({ level: 'silent' }), registry: new Registry(), ...extra });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text, type: res.headers.get('content-type') };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Asserts a latency figure read from the sketches is the exact figure within their relative
 * accuracy α; a ratio of two such figures is within (1+α)/(1−α), so pass `ratio` for one.
 */
export function expectLatencyNear(actual: number | null | undefined, exact: number, kind: 'latency' | 'ratio' = 'latency'): void {
  const a = LATENCY_RELATIVE_ACCURACY;
  const [low, high] = kind === 'ratio' ? [exact * ((1 - a) / (1 + a)), exact * ((1 + a) / (1 - a))] : [exact * (1 - a), exact * (1 + a)];
  expect(actual).toBeGreaterThanOrEqual(low - 1e-9);
  expect(actual).toBeLessThanOrEqual(high + 1e-9);
}
