/** The reads a person or CI makes of one run, each timed over HTTP against a running API. */
import type { Pool } from '@shadowdiff/store';
import { addExchanges } from './fill.ts';

/** Exchanges stored in the run before each read that follows new exchanges: one small worker batch. */
const NEW_EXCHANGES = 10;

/** One read's figures, in ms. */
export interface ReadFigures {
  name: string;
  p50: number;
  p99: number;
}

const nearestRank = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

/**
 * The time of `samples` sequential requests of `url`, after three to warm up; a failed read stops
 * the bench. With `before`, it is awaited (untimed) before each request: what a read follows.
 */
async function time(url: string, samples: number, init: RequestInit, before?: () => Promise<void>): Promise<{ p50: number; p99: number }> {
  const once = async (): Promise<number> => {
    await before?.();
    const started = performance.now();
    const res = await fetch(url, init);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return performance.now() - started;
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return { p50: nearestRank(times, 0.5), p99: nearestRank(times, 0.99) };
}

/**
 * A cursor half-way through the run's differences, as the API would have returned it after
 * paging that far (`{t, i}`: the position in commit order), so a deep page costs what it would.
 */
async function deepCursor(pool: Pool, runId: string): Promise<string> {
  const { rows } = await pool.query<{ t: string; i: string }>(
    `SELECT tx::text AS t, id::text AS i FROM differences WHERE run_id = $1 ORDER BY tx, id
     OFFSET (SELECT count(*) / 2 FROM differences WHERE run_id = $1) LIMIT 1`,
    [runId],
  );
  return Buffer.from(JSON.stringify({ t: rows[0]!.t, i: Number(rows[0]!.i) })).toString('base64url');
}

/** Every read, timed. */
export async function measureReads(
  base: string,
  pool: Pool,
  place: { run: string; runId: string; route: string; field: string; exchangeId: string; samples: number },
): Promise<ReadFigures[]> {
  const run = `${base}/api/v1/runs/${encodeURIComponent(place.run)}`;
  const gate: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
  const reads: [string, string, RequestInit?][] = [
    ['runs list', `${base}/api/v1/runs`],
    ['endpoints', `${run}/endpoints`],
    ['fields of a route', `${run}/endpoints/${encodeURIComponent(place.route)}/fields`],
    ['differences, first page', `${run}/differences?limit=50`],
    ['differences, deep cursor', `${run}/differences?limit=50&cursor=${await deepCursor(pool, place.runId)}`],
    ['one exchange', `${base}/api/v1/exchanges/${place.exchangeId}`],
    ['report (JSON)', `${run}/report`],
    ['report (HTML)', `${run}/report?format=html`],
    ['gate', `${run}/gate`, gate],
  ];
  const figures: ReadFigures[] = [];
  for (const [name, url, init] of reads) figures.push({ name, ...(await time(url, place.samples, init ?? {})) });
  // The first read after a worker stored more exchanges: nothing the API kept of the run holds.
  let seed = 1000;
  const store = (): Promise<void> => addExchanges(pool, place.runId, NEW_EXCHANGES, seed++);
  const cold: [string, string, RequestInit?][] = [
    ['endpoints', `${run}/endpoints`],
    ['report (JSON)', `${run}/report`],
    ['report (HTML)', `${run}/report?format=html`],
    ['gate', `${run}/gate`, gate],
  ];
  for (const [name, url, init] of cold) figures.push({ name: `${name}, first read after new exchanges`, ...(await time(url, place.samples, init ?? {}, store)) });
  return figures;
}
