/**
 * API reads at volume: one run each of 100k, 1M and 10M exchanges (50 routes, 500 fields,
 * differences in 5% of exchanges, some fields noisy), filled through the store's batch insert;
 * then p50 and p99 of every read a person or CI makes, against `shadowdiff api` (compiled) on
 * embedded Postgres, and how they grow from the smallest run to the largest. Reads must not grow
 * with traffic: they come from counters, sketches and keyset pages, never a scan of a run.
 *
 *   npm run bench:api [-- --sizes 100000,1000000,10000000 --samples 50 --data DIR]
 *
 * With --data, the database is kept in DIR and runs already filled are measured again as they are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '@shadowdiff/local-infra';
import { createPool, createRun, findRun, migrate, type Pool } from '@shadowdiff/store';
import { runCli } from '@shadowdiff/testkit';
import { fillRun, fieldOf, routeOf } from './fill.ts';
import { measureReads, type ReadFigures } from './reads.ts';
import { writeApiSection, type DatabaseSize } from './report.ts';
import { publishFigures } from '../performance.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000,10000000' },
    samples: { type: 'string', default: '50' },
    writers: { type: 'string', default: '3' },
    data: { type: 'string' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const root = resolve(import.meta.dirname, '../..');
const dataDir = values.data ? resolve(values.data) : mkdtempSync(join(tmpdir(), 'shadowdiff-bench-api-'));

const count = async (pool: Pool, runId: string): Promise<number> =>
  Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM exchanges WHERE run_id = $1', [runId])).rows[0]!.n);
const databaseBytes = async (pool: Pool): Promise<number> => Number((await pool.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);

/**
 * The run of `size` exchanges, filled now unless a kept database already holds it whole; and the
 * disk it took, when filled now. A kept run may hold a few more: the batches stored before each
 * read that follows new exchanges (about 1,000 per run of the bench), up to 5% more.
 */
async function runOfSize(pool: Pool, size: number): Promise<{ runId: string; bytes: number | null }> {
  const name = `bench-${size}`;
  const existing = await findRun(pool, name);
  const stored = existing ? await count(pool, existing.id) : 0;
  if (existing && stored >= size && stored <= size * 1.05) return { runId: existing.id, bytes: null };
  if (existing) await pool.query('DELETE FROM runs WHERE id = $1', [existing.id]);
  const run = (await createRun(pool, name, { service: 'bench' }))!;
  await pool.query('CHECKPOINT');
  const before = await databaseBytes(pool);
  const started = Date.now();
  let shown = 0;
  await fillRun(pool, run.id, {
    count: size,
    writers: Number(values.writers),
    progress: (stored) => {
      if (stored - shown < size / 20 && stored < size) return;
      shown = stored;
      process.stdout.write(`  ${name}: ${stored.toLocaleString('en-US')} stored (${Math.round(stored / ((Date.now() - started) / 1000))}/s)\n`);
    },
  });
  await pool.query('VACUUM ANALYZE');
  await pool.query('CHECKPOINT');
  return { runId: run.id, bytes: (await databaseBytes(pool)) - before };
}

const postgres = await startEmbeddedPostgres({ dir: join(dataDir, 'pg'), removeOnStop: !values.data });
const pool = createPool(postgres.url, { max: Number(values.writers) + 2 });
// Postgres runs in a process group of its own, so a terminal's Ctrl-C does not reach it: stop it here.
process.once('SIGINT', () =>
  void postgres.stop().finally(() => {
    if (!values.data) rmSync(dataDir, { recursive: true, force: true });
    process.exit(130);
  }),
);
const results: { size: number; bytes: number | null; reads: ReadFigures[] }[] = [];
let database: DatabaseSize | null = null;
try {
  await migrate(pool);
  for (const size of sizes) {
    process.stdout.write(`run of ${size.toLocaleString('en-US')} exchanges\n`);
    const { runId, bytes } = await runOfSize(pool, size);
    const api = runCli(['api', '--api-port', '0'], { DATABASE_URL: postgres.url, SHADOWDIFF_LOG_LEVEL: 'warn' }, { checkout: root });
    try {
      const [, url] = await api.waitFor(/api listening on (\S+)\n/, 60_000);
      const { rows } = await pool.query<{ id: string }>('SELECT id FROM exchanges WHERE run_id = $1 AND difference_count > 0 ORDER BY id OFFSET $2 LIMIT 1', [runId, Math.floor(size * 0.025)]);
      const reads = await measureReads(url!, pool, { run: `bench-${size}`, runId, route: routeOf(7), field: fieldOf(2), exchangeId: rows[0]!.id, samples: Number(values.samples) });
      results.push({ size, bytes, reads });
      for (const r of reads) process.stdout.write(`  ${r.name}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms\n`);
    } finally {
      await api.stop();
    }
  }
  // No run filled now (all kept): the disk of the database as it is, migrations and all.
  if (results.every((r) => r.bytes === null)) {
    const { rows } = await pool.query<{ b: string; n: string }>('SELECT pg_database_size(current_database()) AS b, (SELECT sum(exchanges) FROM route_stats) AS n');
    database = { bytes: Number(rows[0]!.b), exchanges: Number(rows[0]!.n) };
  }
} finally {
  await pool.end();
  await postgres.stop();
  if (!values.data) rmSync(dataDir, { recursive: true, force: true });
}
writeApiSection(root, results, { samples: Number(values.samples) }, database);
publishFigures(root);
