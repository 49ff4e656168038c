/**
 * How long pruning one day takes: a day 40 days ago filled with N exchanges (two differences
 * each) by batch inserts, then `pruneOlderThan` (dry run, then for real). Twice: a day of one
 * run (its partitions dropped), and a day where a kept run holds 1% of the rows (the day rebuilt
 * with those). Uses DATABASE_URL when set, else an embedded Postgres.
 *
 *   node --import @shadowdiff/core/source-mode bench/prune/run.ts [--exchanges 100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from '@shadowdiff/local-infra';
import { createPool, migrate, pruneOlderThan, utcDay, type Pool } from '@shadowdiff/store';

const { values } = parseArgs({ options: { exchanges: { type: 'string', default: '100000' } } });
const total = Number(values.exchanges);
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'shadowdiff-prune-bench-'));
const postgres = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dir: join(dir, 'pg'), removeOnStop: true });
const adminUrl = process.env.DATABASE_URL ?? postgres!.adminUrl;

async function fillDay(pool: Pool, dayMs: number, runs: { id: string; share: number }[]): Promise<void> {
  let offset = 0;
  for (const run of runs) {
    const count = Math.round(total * run.share);
    for (let from = 0; from < count; from += 10_000) {
      const n = Math.min(10_000, count - from);
      // UUIDv7-shaped ids spread over the day: the day's milliseconds, then random hex.
      await pool.query(
        `WITH x AS (
           SELECT (lpad(to_hex($2::bigint + (g * $5::int)::bigint), 12, '0') || '7' || substr(md5(random()::text || g), 1, 19))::uuid AS id
           FROM generate_series($3::int, $3::int + $4::int - 1) g)
         , e AS (
           INSERT INTO exchanges (id, part_day, run_id, captured_at, method, url, route, primary_status, candidate_status,
                                  candidate_outcome, primary_latency_ms, candidate_latency_ms, difference_count,
                                  request, primary_response, candidate_response)
           SELECT id, shadowdiff_capture_day(id), $1, to_timestamp($2::bigint / 1000.0), 'GET', '/users/1', 'GET /users/{id}', 200, 200,
                  'ok', 10, 12, 2, '{"method":"GET","url":"/users/1","headers":{}}',
                  '{"status":200,"body":{"size":512,"base64":"eyJpZCI6MX0="}}', '{"status":200,"body":{"size":512,"base64":"eyJpZCI6Mn0="}}'
           FROM x RETURNING id, part_day)
         INSERT INTO differences (exchange_id, part_day, run_id, route, side, field, path, kind, primary_value, other_value, captured_at)
         SELECT e.id, e.part_day, $1, 'GET /users/{id}', 'candidate', f, f, 'changed', '1', '2', to_timestamp($2::bigint / 1000.0)
         FROM e CROSS JOIN (VALUES ('body.id'), ('body.name')) AS fields(f)`,
        [run.id, dayMs, offset + from, n, Math.floor(DAY / total)],
      );
    }
    offset += count;
  }
}

async function bench(label: string, keptShare: number): Promise<void> {
  const name = `prune_bench_${Math.random().toString(16).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), { max: 4 });
  try {
    await migrate(pool);
    const dayMs = Math.floor(Date.now() / DAY) * DAY - 40 * DAY;
    await pool.query('SELECT shadowdiff_add_day_partitions($1::date)', [utcDay(dayMs)]);
    const { rows } = await pool.query<{ id: string; name: string }>(
      "INSERT INTO runs (name, created_at, kept) VALUES ('old', now() - interval '41 days', false), ('baseline', now() - interval '41 days', true) RETURNING id, name",
    );
    const runId = (n: string): string => rows.find((r) => r.name === n)!.id;
    await fillDay(pool, dayMs, [
      { id: runId('old'), share: 1 - keptShare },
      ...(keptShare > 0 ? [{ id: runId('baseline'), share: keptShare }] : []),
    ]);
    await pool.query('INSERT INTO route_stats (run_id, route, exchanges) SELECT id, $1, 1 FROM runs', ['GET /users/{id}']);
    await pool.query('VACUUM ANALYZE exchanges, differences');
    // A day a month old was written out long ago: its pages are not waiting in shared buffers.
    await pool.query('CHECKPOINT');
    let started = performance.now();
    const dry = await pruneOlderThan(pool, { olderThanMs: 30 * DAY, dryRun: true });
    const dryMs = performance.now() - started;
    started = performance.now();
    const report = await pruneOlderThan(pool, { olderThanMs: 30 * DAY });
    const realMs = performance.now() - started;
    process.stdout.write(
      `${label}: ${report.exchanges} exchanges and ${report.differences} differences (${(report.bytes / 1_048_576).toFixed(1)} MB) ` +
        `of one day pruned in ${realMs.toFixed(0)} ms (dry run ${dryMs.toFixed(0)} ms); kept ${dry.days[0]?.keptExchanges ?? 0} exchanges; runs removed: ${report.runs.join(', ') || 'none'}\n`,
    );
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

try {
  await bench('drop', 0);
  await bench('rebuild (1% kept)', 0.01);
} finally {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
