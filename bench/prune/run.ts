/**
 * How long pruning one day takes: a day 40 days ago filled with N exchanges (two differences
 * each) by batch inserts, then `pruneOlderThan` (dry run, then for real). Twice: a day of one
 * run (its partitions dropped), and a day where a kept run holds 1% of the rows (the day rebuilt
 * with those). Uses DATABASE_URL when set, else an embedded Postgres.
 *
 * Each case is run `--rounds` times; the `## Prune` section of bench/README.md gets the median
 * with the lowest and highest round.
 *
 *   npm run bench:prune [-- --exchanges 100000 --rounds 5]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from '@shadowdiff/local-infra';
import { createPool, migrate, pruneOlderThan, utcDay, type Pool } from '@shadowdiff/store';

import { writeSection } from '../readme-sections.ts';

const { values } = parseArgs({ options: { exchanges: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' } } });
const total = Number(values.exchanges);
const rounds = Number(values.rounds);
const root = resolve(import.meta.dirname, '../..');
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

/** One round of one case: how long the dry run and the prune took, and how much the prune removed. */
interface Round {
  dryMs: number;
  realMs: number;
  bytes: number;
  differences: number;
}

async function bench(label: string, keptShare: number): Promise<Round> {
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
    return { dryMs, realMs, bytes: report.bytes, differences: report.differences };
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const cases = [
  { name: "the day's partitions dropped", kept: 0 },
  { name: 'a kept run holds 1% of the day: the day rebuilt with its exchanges', kept: 0.01 },
];
const results: { name: string; rounds: Round[] }[] = cases.map((c) => ({ name: c.name, rounds: [] }));
try {
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) results[i]!.rounds.push(await bench(c.name, c.kept));
  }
} finally {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const figure = (xs: number[]): string => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const first = results[0]!.rounds[0]!;
const section = [
  '## Prune',
  '',
  `\`npm run bench:prune\` — one day 40 days ago filled by batch inserts with ${total.toLocaleString('en-US')} exchanges and ${first.differences.toLocaleString('en-US')} differences (${(first.bytes / 1_048_576).toFixed(0)} MB with their indexes), vacuumed and checkpointed as a month-old day would be, then \`pruneOlderThan\` with a 30-day age, dry run first; ${process.env.DATABASE_URL ? 'the Postgres of DATABASE_URL' : 'embedded Postgres'} on the same 2 cores. ${rounds} rounds: the median, with the lowest and highest round.`,
  '',
  '| case | prune | dry run |',
  '| --- | ---: | ---: |',
  ...results.map((r) => `| ${r.name} | ${figure(r.rounds.map((x) => x.realMs))} | ${figure(r.rounds.map((x) => x.dryMs))} |`),
  '',
  "The report's exact counts take the dry run's time (a count of the day's rows); the rest of a drop is mostly Postgres removing the day's files at commit: it follows the size of the day, not a DELETE's row-by-row work. A day is rebuilt only while it holds rows of a kept run besides others: once, the day after its run is kept.",
  '',
].join('\n');
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/prune.json'), `${JSON.stringify({ date: new Date().toISOString(), exchanges: total, results }, null, 2)}\n`);
writeSection(join(root, 'bench/README.md'), 'Prune', section);
process.stdout.write(`\n${section}`);
