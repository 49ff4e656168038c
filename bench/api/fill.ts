/**
 * Fills a run with synthetic exchanges through the store's own batch insert (the worker's write
 * path: exchanges, differences and every counter), never through the tap: 50 routes of 10 fields
 * each, differences in 5% of exchanges, some fields noisy (the secondary differs from the primary
 * there too, so they read as noise), latencies drawn from a log-normal around a route's own median.
 */
import { newCaptureId, seededRandom } from '@shadowdiff/core';
import { storeExchanges, type DifferenceRecord, type ExchangeRecord, type Pool } from '@shadowdiff/store';

export const ROUTES = 50;
export const FIELDS_PER_ROUTE = 10;
/** Share of exchanges with at least one difference. */
const DIFFERING = 0.05;
/** Fields 0 and 1 of every route differ on the secondary as well: noise. Field 2 is a real regression. */
const NOISY_FIELDS = 2;

export const routeOf = (r: number): string => `/api/v1/resource-${String(r).padStart(2, '0')}/{id}`;
export const fieldOf = (f: number): string => `$.data.field_${f}`;

function difference(side: DifferenceRecord['side'], f: number, rand: () => number): DifferenceRecord {
  return {
    side,
    field: fieldOf(f),
    path: fieldOf(f),
    kind: 'changed',
    primaryValue: Math.floor(rand() * 1000),
    otherValue: Math.floor(rand() * 1000),
    suspectedNoise: f < NOISY_FIELDS && side === 'candidate',
    ignoredBy: null,
  };
}

/** The `i`-th exchange of a fill, captured at `timeMs`. */
function exchange(runId: string, i: number, timeMs: number, rand: () => number): ExchangeRecord {
  const r = i % ROUTES;
  const differs = rand() < DIFFERING;
  const differences: DifferenceRecord[] = [];
  if (differs) {
    const f = Math.floor(rand() * FIELDS_PER_ROUTE);
    differences.push(difference('candidate', f, rand));
    if (f < NOISY_FIELDS) differences.push(difference('secondary', f, rand));
    if (rand() < 0.3) differences.push(difference('candidate', (f + 1 + Math.floor(rand() * (FIELDS_PER_ROUTE - 1))) % FIELDS_PER_ROUTE, rand));
  }
  const median = 5 + r;
  const latency = (): number => median * Math.exp(0.4 * Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand()));
  const body = differs ? { status: 200, headers: { 'content-type': 'application/json' }, body: { data: { id: i, field_0: 1 } } } : null;
  return {
    id: newCaptureId(timeMs),
    runId,
    capturedAt: new Date(timeMs).toISOString(),
    method: 'GET',
    url: routeOf(r).replace('{id}', String(i)),
    route: routeOf(r),
    primaryStatus: 200,
    candidateStatus: 200,
    secondaryStatus: 200,
    candidateOutcome: 'ok',
    secondaryOutcome: 'ok',
    primaryLatencyMs: latency(),
    candidateLatencyMs: latency(),
    secondaryLatencyMs: latency(),
    secondaryKind: 'secondary',
    request: differs ? { method: 'GET', url: routeOf(r).replace('{id}', String(i)), headers: {} } : null,
    primaryResponse: body,
    candidateResponse: body,
    secondaryResponse: null,
    differences,
    statusMismatch: false,
    candidateError: false,
  };
}

/**
 * Stores `count` exchanges in `runId`, captured over the `spanMs` before now, in batches of
 * `batch` on `writers` connections at once. Calls `progress` with the number stored so far.
 */
export async function fillRun(
  pool: Pool,
  runId: string,
  options: { count: number; batch?: number; writers?: number; spanMs?: number; seed?: number; progress?: (stored: number) => void },
): Promise<void> {
  const batch = options.batch ?? 2000;
  const writers = options.writers ?? 3;
  const spanMs = options.spanMs ?? 24 * 3600_000;
  const start = Date.now() - spanMs;
  let next = 0;
  let stored = 0;
  const writer = async (w: number): Promise<void> => {
    const rand = seededRandom((options.seed ?? 1) * 1000 + w);
    while (next < options.count) {
      const from = next;
      next = Math.min(options.count, next + batch);
      const records = Array.from({ length: next - from }, (_, k) => exchange(runId, from + k, start + Math.floor(((from + k) / options.count) * spanMs), rand));
      // Awaited first: `stored += await …` would add to the value read before the await, losing the other writers' batches.
      const added = await storeExchanges(pool, records);
      stored += added;
      options.progress?.(stored);
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
}

/**
 * Stores `count` more exchanges in `runId`, captured in the last second, through the same insert
 * as the fill: what a worker's batch does to a run (its stamp, the stored exchange count, moves on).
 */
export async function addExchanges(pool: Pool, runId: string, count: number, seed: number): Promise<void> {
  await fillRun(pool, runId, { count, writers: 1, spanMs: 1000, seed });
}
