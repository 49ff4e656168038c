import { ShadowdiffError } from '@shadowdiff/core';
import type { Pool, PoolClient } from './pool.ts';
import { SCHEMA_LOCK_KEY } from './migrate.ts';
import { addDayPartitions, listDayPartitions, utcDay } from './partitions.ts';

/** What to prune. */
export interface PruneOptions {
  /** Days whose whole span is older than this many milliseconds before `now` go. */
  olderThanMs: number;
  /** Say what would go without removing anything. */
  dryRun?: boolean;
  /** Milliseconds since the epoch; the current time by default. */
  now?: number;
  /** Old rows deleted from the default partitions at most per prune (default 50,000 exchanges). */
  defaultPartitionLimit?: number;
}

/**
 * Old rows found in the default partitions, which take the rows of days without a partition of
 * their own: captures of days before the partitions were made (an upload of old traffic), days
 * already pruned, ids minted before ingested ids carried their day. They are deleted row by row
 * (a bounded DELETE, the only one prune makes) rather than dropped with a day.
 */
export interface PrunedDefaultRows {
  exchanges: number;
  differences: number;
  /** Old exchanges still there after this prune's bound (the next prune goes on). */
  left: number;
}

/** One day of exchanges and differences that went (or would go). */
export interface PrunedDay {
  /** `YYYY-MM-DD` (UTC), the day of the capture ids. */
  day: string;
  exchanges: number;
  differences: number;
  /** Rows of kept runs, moved into the day's new partitions rather than dropped. */
  keptExchanges: number;
  keptDifferences: number;
  /** Disk space of the day's partitions less what the kept rows take again (an estimate in a dry run). */
  bytes: number;
}

/** What a prune removed, or would remove in a dry run. */
export interface PruneReport {
  dryRun: boolean;
  /** Captures older than this instant (whole UTC days before it) are pruned. */
  cutoff: string;
  days: PrunedDay[];
  /** Names of the runs removed because none of their exchanges are left. */
  runs: string[];
  exchanges: number;
  differences: number;
  bytes: number;
  /** Names of the kept runs, whose rows stay whatever their age. */
  keptRuns: string[];
  /** Old rows of the default partitions, counted in `exchanges` and `differences` too (not in `bytes`). */
  defaultPartition: PrunedDefaultRows;
}

const DAY_MS = 86_400_000;
const suffixOf = (day: string): string => day.replaceAll('-', '');

async function measureDay(client: PoolClient, day: string, kept: string[]): Promise<PrunedDay & { keptOnly: boolean }> {
  const s = suffixOf(day);
  const count = async (table: string): Promise<{ all: number; kept: number; bytes: number }> => {
    // Table names come from pg_inherits, checked against a digits-only pattern; values are parameters.
    const { rows } = await client.query<{ all: number; kept: number; bytes: number }>(
      `SELECT count(*)::bigint AS all, count(*) FILTER (WHERE run_id = ANY($1::uuid[]))::bigint AS kept,
              pg_total_relation_size('${table}_p${s}'::regclass) AS bytes
         FROM ${table}_p${s}`,
      [kept],
    );
    return rows[0]!;
  };
  const x = await count('exchanges');
  const d = await count('differences');
  const keptShare = x.all === 0 ? 0 : x.kept / x.all;
  return {
    day,
    exchanges: x.all - x.kept,
    differences: d.all - d.kept,
    keptExchanges: x.kept,
    keptDifferences: d.kept,
    bytes: Math.round((x.bytes + d.bytes) * (1 - keptShare)),
    keptOnly: x.all > 0 && x.all === x.kept && d.all === d.kept,
  };
}

/** Drops one day's partitions of both tables; rows of kept runs are carried into fresh ones. */
async function dropDay(client: PoolClient, day: string, kept: string[], keptRows: boolean): Promise<void> {
  const s = suffixOf(day);
  await client.query('BEGIN');
  try {
    // Dropping a partition locks its table for a moment; behind a long read it would hold every
    // insert back while it waits, so it gives up instead and the next prune tries again.
    await client.query("SET LOCAL lock_timeout = '5s'");
    if (!keptRows) {
      await client.query(`DROP TABLE differences_p${s}, exchanges_p${s}`);
    } else {
      await client.query(`ALTER TABLE differences DETACH PARTITION differences_p${s}`);
      await client.query(`ALTER TABLE exchanges DETACH PARTITION exchanges_p${s}`);
      await client.query(`ALTER TABLE differences_p${s} RENAME TO differences_p${s}_pruned`);
      await client.query(`ALTER TABLE exchanges_p${s} RENAME TO exchanges_p${s}_pruned`);
      await client.query('SELECT shadowdiff_add_day_partitions($1::date)', [day]);
      await client.query(`INSERT INTO exchanges_p${s} SELECT * FROM exchanges_p${s}_pruned WHERE run_id = ANY($1::uuid[])`, [kept]);
      await client.query(`INSERT INTO differences_p${s} SELECT * FROM differences_p${s}_pruned WHERE run_id = ANY($1::uuid[])`, [kept]);
      await client.query(`DROP TABLE differences_p${s}_pruned, exchanges_p${s}_pruned`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Rows of the default partition captured and stored before the cutoff, of runs not kept: traffic
 * recorded long ago and ingested today lands here (its day has no partition) and stays for the
 * retention from when it was stored, rather than going at the next prune.
 */
const OLD_DEFAULT_ROWS = `FROM exchanges_default WHERE greatest(captured_at, stored_at) < $1::timestamptz AND run_id <> ALL($2::uuid[])`;
const DEFAULT_BATCH = 5_000;

/**
 * Deletes old rows of the default partitions in batches of a few thousand, each its own short
 * transaction, up to `limit` exchanges; a dry run only counts them. Their age is their capture
 * and store times: the day of an id minted before ingested ids carried one says nothing.
 */
async function pruneDefaultRows(client: PoolClient, before: string, kept: string[], limit: number, dryRun: boolean): Promise<PrunedDefaultRows> {
  const countOld = async (): Promise<number> => Number((await client.query<{ n: string }>(`SELECT count(*) AS n ${OLD_DEFAULT_ROWS}`, [before, kept])).rows[0]!.n);
  if (dryRun) {
    const { rows } = await client.query<{ x: string; d: string }>(
      `SELECT count(*) AS x, (SELECT count(*) FROM differences_default d WHERE d.exchange_id IN (SELECT id ${OLD_DEFAULT_ROWS})) AS d ${OLD_DEFAULT_ROWS}`,
      [before, kept],
    );
    return { exchanges: Number(rows[0]!.x), differences: Number(rows[0]!.d), left: 0 };
  }
  let exchanges = 0;
  let differences = 0;
  while (exchanges < limit) {
    const { rows } = await client.query<{ x: string; d: string }>(
      `WITH gone AS (DELETE FROM exchanges_default WHERE ctid IN (SELECT ctid ${OLD_DEFAULT_ROWS} LIMIT $3) RETURNING id),
            diffs AS (DELETE FROM differences_default WHERE exchange_id IN (SELECT id FROM gone) RETURNING 1)
       SELECT (SELECT count(*) FROM gone) AS x, (SELECT count(*) FROM diffs) AS d`,
      [before, kept, Math.min(DEFAULT_BATCH, limit - exchanges)],
    );
    const removed = Number(rows[0]!.x);
    exchanges += removed;
    differences += Number(rows[0]!.d);
    if (removed === 0) break;
  }
  return { exchanges, differences, left: exchanges < limit ? 0 : await countOld() };
}

/**
 * Runs left without exchanges once `days` are gone: not kept, older than the cutoff, and with data
 * once. In a dry run the old rows of the default partition are still there: they count as gone.
 */
const orphanRuns = (dryRun: boolean): string => `FROM runs r
  WHERE NOT r.kept AND r.created_at < $1
    AND EXISTS (SELECT 1 FROM route_stats s WHERE s.run_id = r.id)
    AND NOT EXISTS (SELECT 1 FROM exchanges e WHERE e.run_id = r.id AND e.part_day <> ALL($2::date[])${
      dryRun ? ` AND NOT (e.tableoid = 'exchanges_default'::regclass AND greatest(e.captured_at, e.stored_at) < $3::timestamptz)` : ''
    })`;

/**
 * Removes the exchanges and differences of every UTC day wholly older than `olderThanMs`, by
 * dropping that day's partitions (never a DELETE of their rows), then the runs left without any
 * exchange and their counters. Rows of kept runs (baselines) stay: a day holding some is rebuilt
 * with only those. Old rows in the default partitions, which have no day to drop, are deleted
 * in bounded batches (`defaultPartitionLimit`); the report says how many are left. Holds the schema lock, so two prunes, or a prune and a migration, never overlap.
 */
export async function pruneOlderThan(pool: Pool, options: PruneOptions): Promise<PruneReport> {
  if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
    throw new ShadowdiffError('bad_request', `the age to prune must be a duration of zero or more, not ${options.olderThanMs}`, 400);
  }
  if (options.defaultPartitionLimit !== undefined && !(Number.isInteger(options.defaultPartitionLimit) && options.defaultPartitionLimit > 0)) {
    throw new ShadowdiffError('bad_request', `the default partition's limit must be a whole number above zero, not ${options.defaultPartitionLimit}`, 400);
  }
  const now = options.now ?? Date.now();
  const cutoffMs = now - options.olderThanMs;
  const lastDay = utcDay(Math.floor(cutoffMs / DAY_MS) * DAY_MS - DAY_MS);
  const dryRun = options.dryRun === true;
  const client = await pool.connect();
  try {
    const { rows: lock } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SCHEMA_LOCK_KEY]);
    if (!lock[0]?.locked) throw new ShadowdiffError('prune_busy', 'another prune or a migration is changing the schema; try again when it ends', 409);
    try {
      const { rows: keptRows } = await client.query<{ id: string; name: string }>('SELECT id, name FROM runs WHERE kept ORDER BY name');
      const kept = keptRows.map((r) => r.id);
      const days: PrunedDay[] = [];
      for (const day of (await listDayPartitions(client)).filter((d) => d <= lastDay)) {
        const { keptOnly, ...measured } = await measureDay(client, day, kept);
        if (keptOnly) continue;
        if (!dryRun) await dropDay(client, day, kept, measured.keptExchanges + measured.keptDifferences > 0);
        days.push(measured);
      }
      const firstKeptDay = new Date(Math.floor(cutoffMs / DAY_MS) * DAY_MS).toISOString();
      const limit = options.defaultPartitionLimit ?? 50_000;
      const fromDefault = await pruneDefaultRows(client, firstKeptDay, kept, limit, dryRun);
      const cutoff = new Date(cutoffMs).toISOString();
      const dayList = days.map((d) => d.day);
      const { rows: runs } = dryRun
        ? await client.query<{ name: string }>(`SELECT r.name ${orphanRuns(true)} ORDER BY r.name`, [cutoff, dayList, firstKeptDay])
        : await client.query<{ name: string }>(`DELETE ${orphanRuns(false)} RETURNING r.name`, [cutoff, dayList]);
      const removed = days.reduce((n, d) => n + d.exchanges, fromDefault.exchanges);
      // Runs that may have lost rows say so: what readers worked out from their rows is stale.
      if (!dryRun && removed > 0) await client.query('UPDATE runs SET pruned_at = now() WHERE NOT kept AND created_at < $1', [cutoff]);
      if (!dryRun) await addDayPartitions(client, { now });
      return {
        dryRun,
        cutoff,
        days,
        runs: runs.map((r) => r.name).sort(),
        exchanges: removed,
        differences: days.reduce((n, d) => n + d.differences, fromDefault.differences),
        bytes: days.reduce((n, d) => n + d.bytes, 0),
        keptRuns: keptRows.map((r) => r.name),
        defaultPartition: fromDefault,
      };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
