import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createRedactor, keyedCaptureId, silentLogger, type CapturedBody } from '@shadowdiff/core';
import { createDiffOptions } from '@shadowdiff/diff';
import { CAPTURE_QUEUE, CAPTURE_QUEUE_OPTIONS, createProducerConnection, readyOrTimeout, type CaptureBatch } from '@shadowdiff/queue';
import type { IngestExchangeLine, IngestHalfLine } from '@shadowdiff/recordings';
import { countExchanges, findRun, getExchange, pruneOlderThan, utcDay } from '@shadowdiff/store';
import { createTestDatabase, freshQueuePrefix, type TestDatabase } from '@shadowdiff/testkit';
import { createCaptureWorker, type CaptureWorker } from '@shadowdiff/worker';
import { createIngest, type Ingest, type IngestOptions } from './ingest/ingest.ts';
import { createIngestMetrics } from './ingest/ingest-metrics.ts';
import { startTestApi, type TestApi } from '../test/seed.ts';

const TOKEN = 'an-ingest-test-write-token';
const READ_TOKEN = 'an-ingest-test-read-token';
const KEY = Buffer.from('an-ingest-test-redaction-key-0123');
const MAX_BODY_BYTES = 2048;
const WAIT = { timeout: 20_000, interval: 100 };

const body = (text: string): CapturedBody => ({ base64: Buffer.from(text).toString('base64'), size: Buffer.byteLength(text), truncated: false });
const ok = (text: string) => ({ outcome: 'ok' as const, status: 200, headers: { 'content-type': 'application/json' }, body: body(text), latencyMs: 3 });
const exchange = (key: string, extra: Partial<IngestExchangeLine> = {}): IngestExchangeLine => ({
  key,
  capturedAt: '2025-03-01T12:00:00.000Z',
  request: { method: 'GET', url: `/items/${key}`, headers: { authorization: 'Bearer secret-of-the-client' }, body: body('') },
  primary: ok(`{"key":"${key}","v":1}`),
  candidate: ok(`{"key":"${key}","v":2}`),
  ...extra,
});
const ndjson = (lines: unknown[]): string => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

/** An API with ingest on a queue of its own; with `worker`, a worker stores what is queued. */
async function startIngestApi(db: TestDatabase, options: Partial<IngestOptions> & { worker?: boolean; maxRequestBytes?: number } = {}) {
  const prefix = freshQueuePrefix();
  const connection = createProducerConnection(inject('redisUrl'));
  await readyOrTimeout(connection, 5000);
  const queue = new Queue<CaptureBatch>(CAPTURE_QUEUE, { ...CAPTURE_QUEUE_OPTIONS, connection, prefix });
  const registry = new Registry();
  const ingest: Ingest = createIngest({
    queue,
    redis: connection,
    options: { maxBodyBytes: MAX_BODY_BYTES, maxQueuedBatches: 1000, batchSize: 100, joinWindowMs: 10_000, redaction: { key: KEY, headers: [], queryParams: [], bodyPaths: [], maxDecodedBytes: 1 << 20 }, pairPrefix: prefix, ...options },
    metrics: createIngestMetrics(registry),
    logger: silentLogger(),
  });
  let worker: CaptureWorker | undefined;
  if (options.worker !== false) {
    worker = createCaptureWorker({ redisUrl: inject('redisUrl'), pool: db.pool, diffOptions: createDiffOptions({}), concurrency: 2, keepIdenticalShare: 1, logger: silentLogger(), queuePrefix: prefix });
  }
  const api = await startTestApi(db.pool, { tokens: { write: [TOKEN], read: [READ_TOKEN] }, registry, ingest, ingestMaxBodyBytes: options.maxRequestBytes ?? 256 * 1024 });
  const post = async (path: string, text: string, token = TOKEN) => {
    const res = await fetch(`${api.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: text });
    const answer = await res.text();
    return { status: res.status, headers: res.headers, body: answer ? JSON.parse(answer) : undefined };
  };
  return {
    api,
    queue,
    post,
    metrics: async () => registry.metrics(),
    async close(): Promise<void> {
      await api.close();
      ingest.close();
      await worker?.close();
      await queue.obliterate({ force: true });
      await queue.close();
      const keys = await connection.keys(`${prefix}:*`);
      if (keys.length > 0) await connection.del(...keys);
      connection.disconnect();
    },
  };
}

const stored = async (db: TestDatabase, run: string): Promise<number> => {
  const found = await findRun(db.pool, run);
  return found ? countExchanges(db.pool, found.id) : 0;
};

describe('ingest API: exchanges and halves captured elsewhere, stored by a real worker', () => {
  let db: TestDatabase;
  let ingest: Awaited<ReturnType<typeof startIngestApi>>;
  let api: TestApi;

  beforeAll(async () => {
    db = await createTestDatabase(inject('pgAdminUrl'));
    ingest = await startIngestApi(db);
    api = ingest.api;
  });
  afterAll(async () => {
    await ingest?.close();
    await db?.drop();
  });

  it('keeps the good lines when others are refused, names the bad ones by line, and stores a retried upload once', async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES * 3);
    const text = ndjson([
      exchange('a'),
      { ...exchange('b'), primary: undefined },
      '',
      exchange('c', { run: 'ingest-other' }),
      'not json',
      exchange('d', { candidate: ok(big), format: 'shadowdiff.exchange.v1' }),
      exchange('a'),
      { ...exchange('e'), run: 'bad run name' },
    ]);
    const first = await ingest.post('/ingest/exchanges?run=ingest-lines', text);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 3, rejected: 4 });
    expect(first.body.errors.map((e: { line: number }) => e.line)).toEqual([2, 5, 7, 8]);
    expect(first.body.errors[0].reason).toMatch(/^primary: /);
    expect(first.body.errors[1].reason).toMatch(/not valid JSON/);
    expect(first.body.errors[2].reason).toMatch(/key 'a' repeats line 1/);
    expect(first.body.errors[3].reason).toMatch(/^run: /);

    await vi.waitFor(async () => expect((await stored(db, 'ingest-lines')) + (await stored(db, 'ingest-other'))).toBe(3), WAIT);
    const again = await ingest.post('/ingest/exchanges?run=ingest-lines', text);
    expect(again.body).toMatchObject({ accepted: 3, rejected: 4 });
    await vi.waitFor(async () => expect(Object.values(await ingest.queue.getJobCounts('waiting', 'active', 'delayed')).every((n) => n === 0)).toBe(true), WAIT);
    expect(await stored(db, 'ingest-lines')).toBe(2);
    expect(await stored(db, 'ingest-other')).toBe(1);
    // A retry that re-stamps its capture time on the same day is still the same exchange.
    const restamped = await ingest.post('/ingest/exchanges?run=ingest-lines', ndjson([exchange('a', { capturedAt: '2025-03-01T21:30:00.000Z' })]));
    expect(restamped.body).toMatchObject({ accepted: 1, rejected: 0 });
    await vi.waitFor(async () => expect(Object.values(await ingest.queue.getJobCounts('waiting', 'active', 'delayed')).every((n) => n === 0)).toBe(true), WAIT);
    expect(await stored(db, 'ingest-lines')).toBe(2);

    // The id is the run's, the key's and the capture day's; secrets are redacted with the taps' key; bodies cut at the taps' cap.
    const a = await getExchange(db.pool, keyedCaptureId('ingest-lines\u0000a', '2025-03-01T12:00:00.000Z'));
    expect(a?.runName).toBe('ingest-lines');
    const hash = createRedactor({ key: KEY, headers: [], queryParams: [], bodyPaths: [], maxDecodedBytes: 1 << 20 }).hash('secret-of-the-client');
    expect((a?.request as { headers: Record<string, string> }).headers.authorization).toBe(`Bearer ${hash}`);
    const d = await getExchange(db.pool, keyedCaptureId('ingest-lines\u0000d', '2025-03-01T12:00:00.000Z'));
    const candidate = d?.responses.candidate.captured as { body: CapturedBody };
    expect(candidate.body).toMatchObject({ size: big.length, truncated: true });
    expect(Buffer.from(candidate.body.base64, 'base64').length).toBe(MAX_BODY_BYTES);
  });

  it("files ingested exchanges in their capture day's partition, where pruning finds them", async () => {
    const DAY = 86_400_000;
    const now = Date.now();
    const oldAt = now - 40 * DAY;
    await db.pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(oldAt)]);
    const lines = [exchange('today', { capturedAt: new Date(now).toISOString() }), exchange('old', { capturedAt: new Date(oldAt).toISOString() })];
    expect((await ingest.post('/ingest/exchanges?run=ingest-days', ndjson(lines))).body).toMatchObject({ accepted: 2 });
    await vi.waitFor(async () => expect(await stored(db, 'ingest-days')).toBe(2), WAIT);
    const partOf = async (key: string, at: number): Promise<string | undefined> =>
      (await db.pool.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM exchanges WHERE id = $1', [keyedCaptureId(`ingest-days\u0000${key}`, at)])).rows[0]?.part;
    expect(await partOf('today', now)).toBe(`exchanges_p${utcDay(now).replaceAll('-', '')}`);
    expect(await partOf('old', oldAt)).toBe(`exchanges_p${utcDay(oldAt).replaceAll('-', '')}`);

    const report = await pruneOlderThan(db.pool, { olderThanMs: 30 * DAY });
    expect(report.days.find((d) => d.day === utcDay(oldAt))?.exchanges).toBe(1);
    expect(await partOf('old', oldAt)).toBeUndefined();
    expect(await partOf('today', now)).toBeDefined();
  });

  it('joins halves posted in two requests into one stored exchange', async () => {
    const at = '2025-03-02T08:00:00.000Z';
    const primary: IngestHalfLine = { side: 'primary', requestId: 'rid-1', capturedAt: at, request: { method: 'GET', url: '/joined', headers: {}, body: body('') }, response: ok('{"side":"primary"}') };
    const candidate: IngestHalfLine = { side: 'candidate', requestId: 'rid-1', capturedAt: at, response: ok('{"side":"candidate"}') };
    const lonelyCandidateFirst: IngestHalfLine = { side: 'candidate', requestId: 'rid-2', capturedAt: at, response: ok('{}') };
    const noRequest = { ...primary, requestId: 'rid-3', request: undefined };

    const one = await ingest.post('/ingest/halves?run=ingest-halves', ndjson([primary, noRequest, lonelyCandidateFirst]));
    expect(one.status).toBe(202);
    expect(one.body).toMatchObject({ accepted: 2, rejected: 1, paired: 0, errors: [{ line: 2 }] });
    expect(one.body.errors[0].reason).toMatch(/request: the primary's half must carry the request/);
    const two = await ingest.post('/ingest/halves', ndjson([{ ...candidate, run: 'ingest-halves' }]));
    expect(two.body).toMatchObject({ accepted: 1, rejected: 0, paired: 1 });

    await vi.waitFor(async () => expect(await stored(db, 'ingest-halves')).toBe(1), WAIT);
    const joined = await getExchange(db.pool, keyedCaptureId('ingest-halves\u0000rid-1', at));
    expect(joined?.url).toBe('/joined');
    const text = (side: unknown): string => Buffer.from((side as { body: CapturedBody }).body.base64, 'base64').toString();
    expect(text(joined?.responses.primary.captured)).toBe('{"side":"primary"}');
    expect(text(joined?.responses.candidate.captured)).toBe('{"side":"candidate"}');
  });

  it('counts a half whose partner never comes as unmatched, once the join window has passed', async () => {
    const short = await startIngestApi(db, { joinWindowMs: 200, worker: false });
    try {
      const lonely: IngestHalfLine = { side: 'candidate', requestId: 'alone', capturedAt: new Date().toISOString(), response: ok('{}') };
      expect((await short.post('/ingest/halves?run=ingest-alone', ndjson([lonely]))).body).toMatchObject({ accepted: 1, paired: 0 });
      await vi.waitFor(async () => expect(await short.metrics()).toMatch(/shadowdiff_api_ingest_unmatched_halves_total\{side="candidate"\} 1/), WAIT);
    } finally {
      await short.close();
    }
  });

  it('refuses a body over api.ingest.maxBodyBytes whole (413), and anyone without a write token (401, 403)', async () => {
    const lines = ndjson(Array.from({ length: 300 }, (_, i) => exchange(`big-${i}`, { primary: ok('y'.repeat(1000)) })));
    expect(Buffer.byteLength(lines)).toBeGreaterThan(256 * 1024);
    const tooLarge = await ingest.post('/ingest/exchanges?run=ingest-large', lines);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('entity_too_large');

    for (const path of ['/ingest/exchanges?run=ingest-auth', '/ingest/halves?run=ingest-auth']) {
      expect((await ingest.post(path, ndjson([exchange('x')]), '')).status).toBe(401);
      const reader = await ingest.post(path, ndjson([exchange('x')]), READ_TOKEN);
      expect(reader.status).toBe(403);
      expect(reader.body.error.message).toMatch(/write token/);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await stored(db, 'ingest-large')).toBe(0);
    expect(await stored(db, 'ingest-auth')).toBe(0);
  });

  it('refuses everything while the queue is at its bound (429, with Retry-After), as the taps stop queueing', async () => {
    const full = await startIngestApi(db, { maxQueuedBatches: 2, batchSize: 1, worker: false });
    try {
      // Two exchanges in batches of one: two waiting batches, the bound; no worker consumes them.
      expect((await full.post('/ingest/exchanges?run=ingest-full', ndjson([exchange('f1'), exchange('f2')]))).body).toMatchObject({ accepted: 2 });
      const refused = await full.post('/ingest/exchanges?run=ingest-full', ndjson([exchange('f3')]));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.error.code).toBe('backlog_full');
      expect((await full.post('/ingest/halves?run=ingest-full', ndjson([]))).status).toBe(429);
      expect(await full.queue.getWaitingCount()).toBe(2);
    } finally {
      await full.close();
    }
  });

  it('lists both endpoints, their line schemas and their answers in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/openapi.json', undefined, { authorization: `Bearer ${READ_TOKEN}` })).body;
    for (const [path, line] of [['/ingest/exchanges', 'IngestExchangeLine'], ['/ingest/halves', 'IngestHalfLine']] as const) {
      const op = doc.paths[path].post;
      expect(op['x-scope']).toBe('write');
      expect(op.requestBody.content['application/x-ndjson'].schema).toEqual({ $ref: `#/components/schemas/${line}` });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['202', '401', '413', '429']));
    }
    expect(doc.components.schemas.IngestExchangeLine.required).toEqual(expect.arrayContaining(['key', 'request', 'primary', 'candidate', 'capturedAt']));
  });
});
